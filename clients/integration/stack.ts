// The real stack for integration tests and the browser scripts, started by the one launcher every caller uses
// (deploy/local/stack up, process-support's ai.kull.sync.process.stack: the same command lines, settings and
// readiness checks as deploy/local/run.sh, system-tests and the benchmark): a Kafka broker (local-kafka), gateway
// pods, credit-service (and shoot-service when asked), each its own process from the packaged jars, with this
// file's test settings added. In front of the gateways a TCP load balancer (round-robin over the pods that accept
// the TCP connection, like a Kubernetes Service), so a test uses one URL and a killed or drained pod sends the
// client to another pod.
//
// The launcher prints one `STACK_READY {json}` line (every process: name, port, pid, log) and reports a process
// that exits (`STACK_EXITED <name> code=<code>`); this file reads both, and asks the launcher's control API
// (127.0.0.1) to kill, stop or add a gateway. Ports come from the OS; logs, broker data and a copy of the packaged
// apps are in clients/target/stacks/<name>/ (data and copies removed by stop()). The launcher stops everything,
// services first, broker last, on stop() and when this Node process goes away (its stdin closes), whatever the
// reason, so no java process outlives the test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface GatewayProcess {
  podId: string;
  port: number;
  /** ws://127.0.0.1:port/ws (straight to this pod, not through the balancer). */
  wsUrl: string;
  httpUrl: string;
  /** SIGKILL (a crashed node), waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (the pod drains: sessions closed with 1012 over GATEWAY_DRAIN_PERIOD), waits for the exit. */
  terminate(): Promise<void>;
  alive(): boolean;
}

/** One client connection through the balancer: the client's socket and the pod it was sent to. */
export interface BalancedConnection {
  podId: string;
  /** The client's port on its side of the connection (e.g. `ws._socket.localPort`). */
  clientPort: number;
  openedAt: number;
}

export interface Balancer {
  port: number;
  url: string;
  /** Connections currently open through the balancer. */
  connections(): BalancedConnection[];
  /** Cuts the matching connections at once (both TCP sockets destroyed, no close frame): the client sees 1006. */
  cut(filter?: (connection: BalancedConnection) => boolean): number;
  /** Stops reading from the pod for the matching connections (the client no longer receives anything). */
  pause(filter?: (connection: BalancedConnection) => boolean): number;
  /** Reads from the pod again for connections paused before. */
  resume(filter?: (connection: BalancedConnection) => boolean): number;
  /** New connections are accepted but not forwarded (a network that is down for new connections) until release(). */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export interface Stack {
  bootstrap: string;
  jwtSecret: string;
  creditUrl: string;
  /** shoot-service's URL ('' unless started with `shoot: true`). */
  shootUrl: string;
  apiKey: string;
  gateways: GatewayProcess[];
  /** ws://127.0.0.1:<port>/ws through the TCP balancer over the live gateways. */
  balancerUrl: string;
  balancer: Balancer;
  /** Starts another gateway pod (waits until ready) and adds it to the balancer (unless `balanced: false`). */
  startGateway(podId: string, env?: Record<string, string>, options?: { balanced?: boolean }): Promise<GatewayProcess>;
  /** An HS256 JWT the gateways accept: sub, device, exp (and orgs / groups). */
  token(userId: string, deviceId: string, options?: { expiresInSeconds?: number; orgs?: string[]; groups?: string[] }): string;
  /** POST credit-service /api/sync/credit-update; resolves once it answered 2xx, i.e. the event is durable in Kafka. */
  publishCredit(userId: string, newBalance: number, change: number, reason: string): Promise<void>;
  /** POST shoot-service /api/sync/shoot-progress (status processing); resolves once it answered 2xx. */
  publishShootProgress(userId: string, shootId: string, processedCount: number, totalCount: number): Promise<void>;
  /** A balancer of its own over the given gateways (e.g. one pod with special settings). */
  startBalancer(targets: () => GatewayProcess[]): Promise<Balancer>;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Gateway pods started at once (default 2), named gateway-a, gateway-b, ... */
  gateways?: number;
  /** Environment added to (or overriding) every gateway's test defaults. */
  gatewayEnv?: Record<string, string>;
  /** Prefix of the log files (default: 'stack'). */
  name?: string;
  /** Start credit-service (default true). */
  credit?: boolean;
  /** Environment added to credit-service's (e.g. anonymous writes and CORS for a browser page, as the local stack has). */
  creditEnv?: Record<string, string>;
  /** Start shoot-service too (default false). */
  shoot?: boolean;
}

export const CLIENTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = resolve(CLIENTS_DIR, '..');
const TARGET = join(CLIENTS_DIR, 'target');
const LAUNCHER = join(ROOT, 'deploy', 'local', 'stack');
const START_TIMEOUT_MS = Number(process.env.STACK_START_TIMEOUT_MS ?? 180_000);
const JWT_SECRET = 'clients-integration-secret-0123456789abcdef';
const API_KEY = 'clients-integration-api-key';

/** Test-friendly gateway settings: fast drain, fast dead-pod detection, no admission limit in the way. */
const GATEWAY_TEST_ENV: Record<string, string> = {
  GATEWAY_DRAIN_PERIOD: '2s',
  GATEWAY_PRESENCE_POD_HEARTBEAT_INTERVAL: '1s',
  GATEWAY_PRESENCE_POD_TIMEOUT: '3s',
  GATEWAY_ADMISSION_MAX_NEW_PER_SECOND: '1000',
  GATEWAY_SESSION_MAX_PER_USER: '50',
};

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => done(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// The launcher

/** One process as the launcher describes it (the ready line, a control answer). */
interface Launched {
  name: string;
  kind: 'broker' | 'gateway' | 'service';
  port: number;
  pid: number;
  alive: boolean;
  log: string;
}

interface Launcher {
  /** The processes of the ready line, once every one is ready. */
  ready: Promise<{ bootstrap: string; processes: Launched[] }>;
  /** Asks the running launcher (POST <control>/<command>?query) and returns the process it answered with. */
  control(command: string, query: Record<string, string | string[]>): Promise<Launched>;
  /** Called with a process's name when the launcher reports it exited. */
  onExited(listener: (name: string) => void): void;
  /** Stops everything (services first, broker last) and waits until the launcher is gone. */
  down(): Promise<void>;
}

function startLauncher(args: string[], runDir: string): Launcher {
  mkdirSync(runDir, { recursive: true });
  const output = join(runDir, 'launcher.log');
  // stdin stays open as long as this process lives: when it closes, the launcher stops everything.
  const child: ChildProcess = spawn('bash', [LAUNCHER, 'up', ...args, '--stop-on-stdin-eof'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exitedListeners: ((name: string) => void)[] = [];
  let control = '';
  let onReady: (line: string) => void = () => {};
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => done(code));
    child.once('error', () => done(-1));
  });
  const read = (stream: NodeJS.ReadableStream | null) => {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      const complete = buffered.split('\n');
      buffered = complete.pop() ?? '';
      for (const line of complete) {
        appendFileSync(output, line + '\n');
        lines.push(line);
        if (lines.length > 80) lines.shift();
        if (line.startsWith('STACK_READY ')) onReady(line.slice('STACK_READY '.length));
        const exit = /^STACK_EXITED (\S+) code=/.exec(line);
        if (exit) exitedListeners.forEach((listener) => listener(exit[1]!));
      }
    });
  };
  read(child.stdout);
  read(child.stderr);
  const failure = (what: string) => new Error(`the stack launcher ${what}; its output (${output}):\n${lines.join('\n')}`);

  const ready = new Promise<{ bootstrap: string; processes: Launched[] }>((done, fail) => {
    const timer = setTimeout(() => fail(failure(`printed no STACK_READY within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS + 30_000);
    onReady = (json) => {
      clearTimeout(timer);
      const parsed = JSON.parse(json) as { control: string; bootstrap: string; processes: Launched[] };
      control = parsed.control;
      done(parsed);
    };
    void exited.then((code) => {
      clearTimeout(timer);
      fail(failure(`exited (code ${code}) before it was ready`));
    });
  });
  ready.catch(() => {});

  return {
    ready,
    async control(command, query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        for (const each of Array.isArray(value) ? value : [value]) params.append(key, each);
      }
      const response = await fetch(`${control}/${command}?${params}`, { method: 'POST', signal: AbortSignal.timeout(START_TIMEOUT_MS + 30_000) });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`stack ${command} ${params}: ${response.status} ${text}`);
      return JSON.parse(text) as Launched;
    },
    onExited: (listener) => exitedListeners.push(listener),
    async down() {
      if (child.exitCode === null && child.signalCode === null) {
        if (control) {
          await fetch(`${control}/down`, { method: 'POST', signal: AbortSignal.timeout(120_000) }).then((r) => r.text()).catch(() => {});
        }
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// JWT

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

export function signJwt(secret: string, claims: Record<string, unknown>): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

// ---------------------------------------------------------------------------------------------------------
// TCP balancer

interface BalancerTarget {
  podId: string;
  port: number;
  inRotation(): boolean;
}

export async function startTcpBalancer(targets: () => BalancerTarget[]): Promise<Balancer> {
  type Pair = BalancedConnection & { client: net.Socket; upstream: net.Socket };
  const pairs = new Set<Pair>();
  let next = 0;
  let held: net.Socket[] | undefined;

  const connectTo = (target: BalancerTarget) =>
    new Promise<net.Socket>((done, fail) => {
      const upstream = net.connect({ host: '127.0.0.1', port: target.port });
      upstream.setNoDelay(true);
      const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), 3_000);
      upstream.once('connect', () => {
        clearTimeout(timer);
        upstream.removeAllListeners('error');
        done(upstream);
      });
      upstream.once('error', (error) => {
        clearTimeout(timer);
        upstream.destroy();
        fail(error);
      });
    });

  const forward = async (client: net.Socket) => {
    let clientGone = client.destroyed;
    client.once('close', () => (clientGone = true));
    const candidates = targets().filter((target) => target.inRotation());
    const start = next++;
    for (let i = 0; i < candidates.length && !clientGone; i++) {
      const target = candidates[(start + i) % candidates.length]!;
      let upstream: net.Socket;
      try {
        upstream = await connectTo(target);
      } catch {
        continue; // dead pod: try the next one
      }
      if (clientGone) {
        upstream.destroy();
        return;
      }
      const pair: Pair = { podId: target.podId, clientPort: client.remotePort ?? 0, openedAt: Date.now(), client, upstream };
      pairs.add(pair);
      const teardown = () => {
        if (!pairs.delete(pair)) return;
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', teardown);
      client.on('error', teardown);
      upstream.once('close', teardown);
      client.once('close', teardown);
      // A half-close from either side is passed on (pipe ends the other side), then the full close follows.
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
      return;
    }
    client.destroy(); // no pod accepts connections
  };
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    client.setNoDelay(true);
    client.on('error', () => client.destroy());
    if (held) held.push(client);
    else void forward(client);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as net.AddressInfo).port;
  const select = (filter?: (connection: BalancedConnection) => boolean) =>
    [...pairs].filter((pair) => !filter || filter({ podId: pair.podId, clientPort: pair.clientPort, openedAt: pair.openedAt }));
  return {
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    connections: () => [...pairs].map(({ podId, clientPort, openedAt }) => ({ podId, clientPort, openedAt })),
    cut(filter) {
      const chosen = select(filter);
      for (const pair of chosen) {
        pairs.delete(pair);
        pair.client.resetAndDestroy?.() ?? pair.client.destroy();
        pair.upstream.destroy();
      }
      return chosen.length;
    },
    pause(filter) {
      const chosen = select(filter);
      for (const pair of chosen) {
        pair.upstream.unpipe(pair.client);
        pair.upstream.pause();
      }
      return chosen.length;
    },
    resume(filter) {
      const chosen = select(filter);
      for (const pair of chosen) {
        pair.upstream.pipe(pair.client);
        pair.upstream.resume();
      }
      return chosen.length;
    },
    hold() {
      held ??= [];
    },
    release() {
      const waiting = held ?? [];
      held = undefined;
      waiting.forEach((client) => void forward(client));
    },
    close: () =>
      new Promise<void>((done) => {
        held?.forEach((client) => client.destroy());
        held = undefined;
        for (const pair of pairs) {
          pair.client.destroy();
          pair.upstream.destroy();
        }
        pairs.clear();
        server.close(() => done());
      }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// A proxy that breaks WebSocket (as corporate proxies and some mobile networks do)

export interface UpgradeRefusingProxy {
  port: number;
  /** ws://127.0.0.1:<port>/ws: what a client is given; its upgrades are refused, plain HTTP passes. */
  url: string;
  /** Upgrade requests refused so far. */
  refused: () => number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy to `targetPort` (e.g. the balancer) that answers every WebSocket upgrade 403 and passes every other
 * request through, streamed both ways (so an SSE stream flows, and ends when its pod dies). `local` may answer a
 * request itself (return true), e.g. to serve a page from the same origin.
 */
export async function startUpgradeRefusingProxy(targetPort: number,
  local?: (req: http.IncomingMessage, res: http.ServerResponse) => boolean): Promise<UpgradeRefusingProxy> {
  let refused = 0;
  const server = http.createServer((req, res) => {
    if (local?.(req, res)) return;
    const upstream = http.request({
      host: '127.0.0.1', port: targetPort, path: req.url, method: req.method,
      headers: { ...req.headers, host: `127.0.0.1:${targetPort}` },
    }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
      // The pod died mid-stream: the client must see its stream break, not hang.
      answer.once('aborted', () => res.destroy());
      answer.once('error', () => res.destroy());
    });
    upstream.on('error', (error) => {
      if (res.headersSent) res.destroy();
      else res.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
    });
    res.once('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  server.on('upgrade', (_req, socket: net.Socket) => {
    refused++;
    socket.end('HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\ncontent-length: 26\r\nconnection: close\r\n\r\nWebSocket is blocked here\n');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `ws://127.0.0.1:${port}/ws`,
    refused: () => refused,
    close: () => new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    }),
  };
}

// ---------------------------------------------------------------------------------------------------------
// The stack

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const name = options.name ?? 'stack';
  const runDir = join(TARGET, 'stacks', name);
  const gatewayNames = Array.from({ length: options.gateways ?? 2 }, (_, i) => `gateway-${String.fromCharCode(97 + i)}`);
  const services = [...(options.credit === false ? [] : ['credit']), ...(options.shoot ? ['shoot'] : [])];
  const env = (target: string, values: Record<string, string> = {}) =>
    Object.entries(values).flatMap(([key, value]) => ['--env', `${target}:${key}=${value}`]);
  const launcher = startLauncher([
    '--profile', 'test', '--free-ports', '--fresh', '--copy-apps', '--if-stale', 'warn',
    '--start-timeout', String(Math.ceil(START_TIMEOUT_MS / 1000)), '--run-dir', runDir, '--jwt-secret', JWT_SECRET,
    '--gateways', String(gatewayNames.length), ...(gatewayNames.length ? ['--gateway-names', gatewayNames.join(',')] : []),
    '--services', services.length ? services.join(',') : 'none',
    ...env('gateways', GATEWAY_TEST_ENV), ...env('gateways', options.gatewayEnv),
    // The services accept the API key from tests (and, from the launcher, the users' own JWTs for reads of their state).
    ...env('services', { SYNC_SERVICE_API_KEYS: API_KEY }), ...env('credit-service', options.creditEnv),
  ], runDir);
  const balancers: Balancer[] = [];
  const gateways: (GatewayProcess & { inRotation(): boolean })[] = [];
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(balancers.map((balancer) => balancer.close()));
    await launcher.down();
    rmSync(join(runDir, 'kafka-data'), { recursive: true, force: true });
    rmSync(join(runDir, 'apps'), { recursive: true, force: true });
  };

  const gatewayOf = (launched: Launched) => {
    const podId = launched.name;
    let running = true;
    let draining = false;
    launcher.onExited((exited) => {
      if (exited === podId) running = false;
    });
    const end = async (command: 'kill' | 'stop') => {
      await launcher.control(command, { name: podId });
      running = false;
    };
    return {
      podId,
      port: launched.port,
      wsUrl: `ws://127.0.0.1:${launched.port}/ws`,
      httpUrl: `http://127.0.0.1:${launched.port}`,
      alive: () => running,
      // Like a Kubernetes Service: a terminating pod gets no new connections.
      inRotation: () => running && !draining,
      kill: () => end('kill'),
      terminate: () => {
        draining = true;
        return end('stop');
      },
    };
  };

  try {
    const { bootstrap, processes } = await launcher.ready;
    const byName = new Map(processes.map((launched) => [launched.name, launched]));
    gateways.push(...gatewayNames.map((podId) => gatewayOf(byName.get(podId)!)));

    const startBalancer = async (targets: () => GatewayProcess[]) => {
      const balancer = await startTcpBalancer(() =>
        targets().map((gateway) => ({
          podId: gateway.podId,
          port: gateway.port,
          inRotation: () => ('inRotation' in gateway ? (gateway as { inRotation(): boolean }).inRotation() : gateway.alive()),
        })),
      );
      balancers.push(balancer);
      return balancer;
    };
    const balancer = await startBalancer(() => gateways);
    const serviceUrl = (module: string) => {
      const service = byName.get(module);
      return service ? `http://127.0.0.1:${service.port}` : '';
    };
    const creditUrl = serviceUrl('credit-service');
    const shootUrl = serviceUrl('shoot-service');
    const post = async (url: string, body: unknown, what: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Api-Key': API_KEY },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status < 200 || response.status > 299) throw new Error(`${what} answered ${response.status}: ${text}`);
    };

    return {
      bootstrap,
      jwtSecret: JWT_SECRET,
      creditUrl,
      shootUrl,
      apiKey: API_KEY,
      gateways,
      balancerUrl: balancer.url,
      balancer,
      startBalancer,
      async startGateway(podId, gatewayEnv = {}, gatewayOptions) {
        const launched = await launcher.control('add-gateway', {
          name: podId,
          env: Object.entries(gatewayEnv).map(([key, value]) => `${key}=${value}`),
        });
        const gateway = gatewayOf(launched);
        if (gatewayOptions?.balanced !== false) gateways.push(gateway);
        return gateway;
      },
      token(userId, deviceId, tokenOptions = {}) {
        const now = Math.floor(Date.now() / 1000);
        const claims: Record<string, unknown> = {
          sub: userId,
          device: deviceId,
          iat: now,
          exp: now + (tokenOptions.expiresInSeconds ?? 3600),
          jti: randomUUID(),
        };
        if (tokenOptions.orgs) claims.orgs = tokenOptions.orgs;
        if (tokenOptions.groups) claims.groups = tokenOptions.groups;
        return signJwt(JWT_SECRET, claims);
      },
      async publishCredit(userId, newBalance, change, reason) {
        if (!creditUrl) throw new Error('this stack runs without credit-service');
        await post(`${creditUrl}/api/sync/credit-update`, { userId, newBalance, change, reason }, `credit-update for ${userId} (${reason})`);
      },
      async publishShootProgress(userId, shootId, processedCount, totalCount) {
        if (!shootUrl) throw new Error('this stack runs without shoot-service (startStack({ shoot: true }))');
        await post(`${shootUrl}/api/sync/shoot-progress`,
          { userId, shootId, status: 'processing', processedCount, totalCount, provider: 'integration-test' },
          `shoot-progress for ${shootId} (${processedCount}/${totalCount})`);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
