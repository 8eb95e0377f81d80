// The real stack for integration tests: a Kafka broker (local-kafka), gateway pods, credit-service (and
// shoot-service when asked), each
// started as its own process from the packaged jars exactly as system-tests (AppProcess) and deploy/local/run.sh
// start them, plus a TCP load balancer in front of the gateways (round-robin over the pods that accept the TCP
// connection, like a Kubernetes Service), so a test uses one URL and a killed or drained pod sends the client
// to another pod.
//
// Processes: free ports from the OS, logs in clients/target/logs/<stack>-<process>.log, broker data and a copy of
// the packaged apps in fresh temp dirs under clients/target/ (removed by stop()). Everything is SIGKILLed by stop() and, as a safety net, when this Node process
// exits or is signalled, so no java process outlives the test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
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
const LOG_DIR = join(TARGET, 'logs');
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

// ---------------------------------------------------------------------------------------------------------
// Processes: every child is remembered and SIGKILLed when this process goes away, whatever the reason.

const children = new Set<ChildProcess>();
let exitHooksInstalled = false;
let watchdog: ChildProcess | undefined;

/**
 * A process of its own that SIGKILLs the stack's processes when this one dies without running its exit hooks
 * (SIGKILL, a crash): it is told each child's pid and notices this process is gone when its stdin closes.
 */
const WATCHDOG = `
const pids = new Set();
let buffered = '';
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\\n');
  buffered = lines.pop();
  for (const line of lines) (line[0] === '+' ? pids.add(line.slice(1)) : pids.delete(line.slice(1)));
});
process.stdin.on('close', () => {
  for (const pid of pids) { try { process.kill(Number(pid), 'SIGKILL'); } catch {} }
  process.exit(0);
});`;

function watch(child: ChildProcess): void {
  if (!watchdog) {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void }).unref?.();
    watchdog.stdin?.on('error', () => {});
  }
  const pid = child.pid;
  if (pid === undefined) return;
  watchdog.stdin?.write(`+${pid}\n`);
  child.once('exit', () => watchdog?.stdin?.writable && watchdog.stdin.write(`-${pid}\n`));
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = () => {
    for (const child of children) {
      try {
        child.kill('SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    });
  }
}

interface Proc {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
  alive(): boolean;
}

function launch(name: string, command: string, args: string[], env: Record<string, string>, logName: string): Proc {
  installExitHooks();
  mkdirSync(LOG_DIR, { recursive: true });
  const log = join(LOG_DIR, `${logName}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  children.add(child);
  watch(child);
  let running = true;
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code, signal) => {
      running = false;
      children.delete(child);
      done(code ?? (signal ? -1 : null));
    });
    child.once('error', () => {
      running = false;
      children.delete(child);
      done(-1);
    });
  });
  return { name, child, log, exited, alive: () => running };
}

function lastLines(file: string, count = 60): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}

async function killProc(proc: Proc, signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 30_000): Promise<void> {
  if (!proc.alive()) return;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), timeoutMs);
  await proc.exited;
  clearTimeout(timer);
}

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

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function awaitReady(proc: Proc, httpUrl: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!proc.alive()) {
      throw new Error(`${proc.name} exited before it was ready; last lines of ${proc.log}:\n${lastLines(proc.log)}`);
    }
    try {
      const response = await fetch(`${httpUrl}/q/health/ready`, { signal: AbortSignal.timeout(5_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${proc.name} not ready within ${START_TIMEOUT_MS} ms; last lines of ${proc.log}:\n${lastLines(proc.log)}`);
}

async function awaitLogLine(proc: Proc, marker: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (existsSync(proc.log) && readFileSync(proc.log, 'utf8').includes(marker)) return;
    if (!proc.alive()) {
      throw new Error(`${proc.name} exited before ${marker}; last lines of ${proc.log}:\n${lastLines(proc.log)}`);
    }
    await sleep(200);
  }
  throw new Error(`${proc.name} printed no ${marker} within ${START_TIMEOUT_MS} ms; last lines of ${proc.log}:\n${lastLines(proc.log)}`);
}

function requireFile(path: string): string {
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: package the project first (./mvnw -DskipTests package)`);
  }
  return path;
}

/**
 * A copy of the module's packaged app (quarkus-app, ~50 MB) for this stack, so a rebuild of the module while the
 * tests run (another build in the same checkout) cannot pull the jars from under a running or starting process.
 */
function appJar(module: string, into: string): string {
  const app = join(ROOT, module, 'target', 'quarkus-app');
  requireFile(join(app, 'quarkus-run.jar'));
  const copy = join(into, module);
  if (!existsSync(copy)) cpSync(app, copy, { recursive: true });
  return join(copy, 'quarkus-run.jar');
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
  mkdirSync(TARGET, { recursive: true });
  const dataDir = mkdtempSync(join(TARGET, 'kafka-data-'));
  const appsDir = mkdtempSync(join(TARGET, 'apps-'));
  const procs: Proc[] = [];
  const balancers: Balancer[] = [];
  const gateways: (GatewayProcess & { inRotation(): boolean })[] = [];
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(balancers.map((balancer) => balancer.close()));
    // Services first, the broker last.
    await Promise.all(procs.filter((proc) => proc.name !== 'kafka').map((proc) => killProc(proc)));
    await Promise.all(procs.filter((proc) => proc.name === 'kafka').map((proc) => killProc(proc)));
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(appsDir, { recursive: true, force: true });
  };

  try {
    // Broker.
    const kafkaPort = await freePort();
    const classpath = readFileSync(requireFile(join(ROOT, 'local-kafka', 'target', 'classpath.txt')), 'utf8').trim();
    const kafkaClasses = join(appsDir, 'local-kafka-classes');
    cpSync(requireFile(join(ROOT, 'local-kafka', 'target', 'classes')), kafkaClasses, { recursive: true });
    const kafka = launch(
      'kafka',
      'java',
      ['-Xmx512m', '-cp', `${kafkaClasses}:${classpath}`, 'ai.kull.sync.kafka.local.LocalKafkaMain'],
      { KAFKA_PORT: String(kafkaPort), KAFKA_DATA_DIR: dataDir },
      `${name}-kafka`,
    );
    procs.push(kafka);
    await awaitLogLine(kafka, 'LOCAL_KAFKA_READY');
    const bootstrap = `127.0.0.1:${kafkaPort}`;

    const startService = async (procName: string, module: string, env: Record<string, string>) => {
      const port = await freePort();
      const proc = launch(
        procName,
        'java',
        ['-Xmx256m', '-jar', appJar(module, appsDir)],
        { HTTP_PORT: String(port), KAFKA_BOOTSTRAP_SERVERS: bootstrap, ...env },
        `${name}-${procName}`,
      );
      procs.push(proc);
      return { proc, port, httpUrl: `http://127.0.0.1:${port}` };
    };

    const launchGateway = async (podId: string, env: Record<string, string> = {}) => {
      const { proc, port, httpUrl } = await startService(podId, 'gateway-service', {
        GATEWAY_POD_ID: podId,
        GATEWAY_AUTH_JWT_SECRET: JWT_SECRET,
        ...GATEWAY_TEST_ENV,
        ...options.gatewayEnv,
        ...env,
      });
      let draining = false;
      const gateway = {
        podId,
        port,
        wsUrl: `ws://127.0.0.1:${port}/ws`,
        httpUrl,
        alive: () => proc.alive(),
        // Like a Kubernetes Service: a terminating pod gets no new connections.
        inRotation: () => proc.alive() && !draining,
        kill: () => killProc(proc, 'SIGKILL'),
        terminate: () => {
          draining = true;
          return killProc(proc, 'SIGTERM');
        },
      };
      return { gateway, ready: awaitReady(proc, httpUrl) };
    };

    // Gateways and credit-service start together (each refills from Kafka before it is ready).
    const initial = await Promise.all(
      Array.from({ length: options.gateways ?? 2 }, (_, i) => launchGateway(`gateway-${String.fromCharCode(97 + i)}`)),
    );
    // The services accept the API key from tests and the users' own JWTs for reads of their state.
    const serviceEnv = { SYNC_SERVICE_API_KEYS: API_KEY, SYNC_SERVICE_JWT_SECRET: JWT_SECRET };
    const credit = options.credit === false ? undefined : await startService('credit-service', 'credit-service', { ...serviceEnv, ...options.creditEnv });
    const shoot = options.shoot ? await startService('shoot-service', 'shoot-service', serviceEnv) : undefined;
    await Promise.all([
      ...initial.map((g) => g.ready),
      ...[credit, shoot].map((service) => (service ? awaitReady(service.proc, service.httpUrl) : Promise.resolve())),
    ]);
    gateways.push(...initial.map((g) => g.gateway));

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
    const creditUrl = credit?.httpUrl ?? '';
    const shootUrl = shoot?.httpUrl ?? '';
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
      async startGateway(podId, env, gatewayOptions) {
        const started = await launchGateway(podId, env);
        await started.ready;
        if (gatewayOptions?.balanced !== false) gateways.push(started.gateway);
        return started.gateway;
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
