// What an SSE session costs against a WebSocket session on one gateway pod: heap per idle session (after a full
// GC, jvm_memory_used_bytes{area="heap"}) and gateway CPU per delivered event (utime + stime of the pod's process
// while a user's sessions receive a burst of events).
//
//   node bench/sse-vs-websocket.mjs [sessions=1000] [events=100] [fanout=200] [order=websocket,sse]
//
// Needs the packaged jars (./mvnw -DskipTests package) and clients' node_modules (cd clients && npm ci). Starts the
// integration stack (broker, one gateway pod, credit-service) from clients/integration/stack.ts. Prints figures
// only: it asserts nothing about them (a shared 2-core box is noisy; repeat and compare medians).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const clients = join(here, '..', 'clients');
const { loadStack, target } = await import(join(clients, 'browser/harness.mjs'));
const { default: WebSocket } = await import(join(clients, 'node_modules/ws/wrapper.mjs'));
const [sessions = 1000, events = 100, fanout = 200] = process.argv.slice(2, 5).map(Number);
// The JIT warms up during the first transport's run: run both orders and compare.
const order = (process.argv[5] ?? 'websocket,sse').split(',');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const { startStack } = await loadStack(join(target, 'bench-sse'));

const stack = await startStack({
  gateways: 1, name: 'bench-sse',
  gatewayEnv: { GATEWAY_SESSION_MAX_PER_USER: String(fanout + 10), GATEWAY_ADMISSION_MAX_NEW_PER_SECOND: '2000' },
});
const gateway = stack.gateways[0];
const pid = execFileSync('ss', ['-ltnpH', `sport = :${gateway.port}`]).toString().match(/pid=(\d+)/)[1];
const cpuTicks = () => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).reduce((a, b) => a + Number(b), 0);
const heap = async () => {
  execFileSync('jcmd', [pid, 'GC.run']);
  await sleep(1000);
  const metrics = await (await fetch(`${gateway.httpUrl}/q/metrics`)).text();
  return [...metrics.matchAll(/^jvm_memory_used_bytes\{area="heap"[^}]*\}\s+(\S+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
};

/** Opens one session; resolves with a close function once CONNECTION_ESTABLISHED arrived; counts CREDIT_UPDATEs. */
function open(kind, userId, deviceId, counter) {
  const token = stack.token(userId, deviceId);
  return new Promise((resolve, reject) => {
    const frame = (text) => {
      if (text.includes('"CREDIT_UPDATE"')) counter.n++;
      else if (text.includes('"CONNECTION_ESTABLISHED"')) resolve(close);
    };
    let close;
    if (kind === 'websocket') {
      const socket = new WebSocket(`${gateway.wsUrl}?token=${token}`);
      socket.on('message', (data) => frame(String(data)));
      socket.on('error', reject);
      close = () => socket.terminate();
    } else {
      const abort = new AbortController();
      close = () => abort.abort();
      fetch(`${gateway.httpUrl}/sse`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal }).then(async (response) => {
        const decoder = new TextDecoder();
        for await (const chunk of response.body) decoder.decode(chunk, { stream: true }).split('\n').filter((l) => l.startsWith('data: ')).forEach((l) => frame(l));
      }).catch((e) => (e.name === 'AbortError' ? undefined : reject(e)));
    }
  });
}

async function openMany(kind, count, user) {
  const closers = [];
  const counter = { n: 0 };
  for (let i = 0; i < count; i += 100) {
    closers.push(...await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) =>
      open(kind, user ? user : `${kind}-idle-${i + j}`, `d${i + j}`, counter))));
    await sleep(100);
  }
  return { closers, counter };
}

try {
  const results = {};
  for (const kind of order) {
    const before = await heap();
    const idle = await openMany(kind, sessions);
    await sleep(3000);
    const during = await heap();
    idle.closers.forEach((close) => close());
    await sleep(3000);

    const user = `${kind}-fanout`;
    const fan = await openMany(kind, fanout, user);
    const ticks0 = cpuTicks();
    for (let n = 1; n <= events; n++) await stack.publishCredit(user, n, 1, `seq ${n}`);
    const deadline = Date.now() + 60_000;
    while (fan.counter.n < events * fanout && Date.now() < deadline) await sleep(20);
    const ticks = cpuTicks() - ticks0;
    fan.closers.forEach((close) => close());
    await sleep(3000);
    const delivered = fan.counter.n;
    results[kind] = {
      heapPerIdleSessionB: Math.round((during - before) / sessions),
      cpuMicrosPerDelivery: Math.round((ticks * 10_000) / delivered), // 100 ticks a second
      delivered,
    };
    console.log(kind, JSON.stringify(results[kind]));
  }
  console.log(`${sessions} idle sessions, ${events} events x ${fanout} sessions of one user; gateway pid ${pid}`);
} finally {
  await stack.stop();
}
process.exit(0);
