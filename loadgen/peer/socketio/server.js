// The peer the benchmark compares the gateway with: what a team would build instead of it with Socket.IO.
// A kafkajs consumer reads the gateway's user-keyed event topics and emits each event, as its JSON, into one room
// per user (`io.to(userId).emit(type, envelope)`); a client joins its user's room when it connects with a valid
// token. WebSocket transport only. See README.md beside this file for what it leaves out and why.
//
// Environment: PORT (required), KAFKA_BOOTSTRAP_SERVERS (default localhost:9092), PEER_JWT_SECRET (required:
// HS256 secret of the device tokens, the gateway's GATEWAY_AUTH_JWT_SECRET), PEER_VARIANT `default` (the default)
// or `tuned`, PEER_GC_ENDPOINT `true` for the benchmark's GET /memory (default off).
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The gateway's topics whose records are keyed by userId (common-events Topics). */
const USER_TOPICS = ['sync.shoot-progress', 'sync.credit-updates', 'sync.prompt-changes', 'sync.user-events'];

const port = Number(required('PORT'));
const secret = required('PEER_JWT_SECRET');
const variant = process.env.PEER_VARIANT ?? 'default';
if (!['default', 'tuned'].includes(variant)) {
  fail(`PEER_VARIANT must be default or tuned, not ${variant}`);
}

// `default`: Socket.IO's defaults, WebSocket only. `tuned`: its documented production tuning
// (https://socket.io/docs/v4/performance-tuning/): ws's native add-ons (bufferutil, utf-8-validate: optional
// dependencies, which ws loads unless told not to; `default` tells it), the initial HTTP request discarded, and
// the options that only cost on this path turned off.
if (variant === 'default') {
  process.env.WS_NO_BUFFER_UTIL = '1';
  process.env.WS_NO_UTF_8_VALIDATE = '1';
}
// Imported after the variables above are set: ws reads them when it loads.
const { Server } = await import('socket.io');
const { Kafka, logLevel } = await import('kafkajs');
const options = variant === 'tuned'
  ? {
      transports: ['websocket'],
      perMessageDeflate: false,
      httpCompression: false,
      serveClient: false,
      maxHttpBufferSize: 16 * 1024, // clients only connect; a small bound on what they may send
    }
  : { transports: ['websocket'] };

// GET /memory, for the benchmark only (PEER_GC_ENDPOINT=true, node --expose-gc): a full GC, then the process's
// memory as Node counts it. Off by default: anyone could make the server collect garbage at will.
const memoryEndpoint = process.env.PEER_GC_ENDPOINT === 'true';
if (memoryEndpoint && typeof global.gc !== 'function') {
  fail('PEER_GC_ENDPOINT=true needs node --expose-gc');
}
const httpServer = createServer((request, response) => {
  if (memoryEndpoint && request.method === 'GET' && request.url === '/memory') {
    global.gc();
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify(process.memoryUsage()));
    return;
  }
  response.writeHead(404).end();
});
const io = new Server(httpServer, options);
if (variant === 'tuned') {
  // "Discard the initial HTTP request": each session would otherwise keep its upgrade request in memory.
  io.engine.on('connection', (rawSocket) => {
    rawSocket.request = null;
  });
}

// The device token, as the gateway checks it: an HS256 JWT, `sub` the userId, not expired.
io.use((socket, next) => {
  const userId = verify(socket.handshake.auth?.token);
  if (!userId) {
    next(new Error('unauthorized'));
    return;
  }
  socket.data.userId = userId;
  next();
});
io.on('connection', (socket) => {
  socket.join(socket.data.userId);
});

const kafka = new Kafka({
  clientId: `peer-socketio-${process.pid}`,
  brokers: (process.env.KAFKA_BOOTSTRAP_SERVERS ?? 'localhost:9092').split(','),
  logLevel: logLevel.WARN,
});
// A group of its own, from the end: every peer process reads every record, as each gateway pod does. Its offsets
// are never read again (the next process has another group), so none are committed.
const consumer = kafka.consumer({ groupId: `peer-socketio-${process.pid}-${Date.now()}` });
let ready = false;
consumer.on(consumer.events.FETCH, () => {
  // After the first fetch the offsets are resolved: what is published from now on reaches the rooms.
  if (!ready) {
    ready = true;
    console.log(`PEER_SOCKETIO_READY port=${port} variant=${variant}`);
  }
});
// kafkajs restarts the consumer itself after a retriable failure (on a fresh broker the first group join can meet
// "the coordinator is loading" while the offsets topic is created); only a crash it gives up on ends the peer.
consumer.on(consumer.events.CRASH, (event) => {
  if (event.payload.restart) {
    console.error(`peer-socketio: kafka consumer restarting after: ${event.payload.error}`);
  } else {
    fail(`kafka consumer crashed: ${event.payload.error}`);
  }
});

await new Promise((resolve, reject) => {
  httpServer.once('error', reject);
  httpServer.listen(port, resolve);
});
// The topics exist once any producer or gateway has used them; a peer started first creates them with the
// broker's defaults (kafkajs does not ask the broker to auto-create them for a consumer).
const admin = kafka.admin();
await admin.connect();
const existing = new Set(await admin.listTopics());
const missing = USER_TOPICS.filter((topic) => !existing.has(topic));
if (missing.length > 0) {
  await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
}
await admin.disconnect();
await consumer.connect();
await consumer.subscribe({ topics: USER_TOPICS, fromBeginning: false });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ message }) => {
    const userId = message.key?.toString();
    const scope = message.headers?.['sync-scope']?.toString() ?? 'user';
    if (!userId || scope !== 'user' || !message.value) {
      return;
    }
    let envelope;
    try {
      envelope = JSON.parse(message.value.toString());
    } catch {
      return; // not an event of ours
    }
    io.to(userId).emit(envelope.type, envelope);
  },
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    io.close();
    await consumer.disconnect().catch(() => {});
    process.exit(0);
  });
}

/** The userId (`sub`) of a valid, unexpired HS256 token, else null. */
function verify(token) {
  if (typeof token !== 'string') {
    return null;
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    return null;
  }
  const expected = createHmac('sha256', secret).update(`${parts[0]}.${parts[1]}`).digest();
  const signature = Buffer.from(parts[2], 'base64url');
  if (signature.length !== expected.length || !timingSafeEqual(signature, expected)) {
    return null;
  }
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    if (header.alg !== 'HS256' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number'
        || claims.exp * 1000 < Date.now()) {
      return null;
    }
    return claims.sub;
  } catch {
    return null;
  }
}

function required(name) {
  const value = process.env[name];
  if (!value) {
    fail(`${name} is required`);
  }
  return value;
}

function fail(message) {
  console.error(`peer-socketio: ${message}`);
  process.exit(1);
}
