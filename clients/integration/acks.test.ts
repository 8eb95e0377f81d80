// Acknowledged cursors and client message ids (issue 22) with the SDK against the real stack: offline sends
// delivered exactly once after a reconnect (also when the RECEIVED was lost), and a device without a cursor of
// its own resuming from its acknowledged one on another pod.
// The first check asks the gateway itself (an ACK and an UPDATE_PROGRESS with an id over a raw socket), so a
// gateway without these features fails with a message saying what it lacks.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SyncClient, memoryCursorStore, type CursorStore, type Receipt, type SocketLike, type SyncClientOptions } from '@kull/sync-client';
import { type GatewayProcess, type Stack, startStack } from './stack.js';
import { seqs, waitFor } from './waiting.js';

let stack: Stack;
const clients: SyncClient[] = [];
const progress = (n: number) => ({ shootId: 'shoot-acks', status: 'processing' as const, processedCount: n, totalCount: 1000, provider: 'test' });

/** An SDK client over `ws` whose CREDIT_UPDATE "seq <n>" and SHOOT_PROGRESS processedCount are recorded. */
function startClient(userId: string, deviceId: string, options: Partial<SyncClientOptions> = {}) {
  const sockets: WebSocket[] = [];
  const probe = { credits: [] as number[], progress: [] as number[], resyncs: [] as string[], sockets };
  const client = new SyncClient({
    url: stack.balancerUrl,
    getToken: () => stack.token(userId, deviceId),
    createSocket: (url) => {
      const socket = new WebSocket(url);
      sockets.push(socket);
      return socket as unknown as SocketLike;
    },
    backoff: { minMs: 100, maxMs: 1000 },
    cursorStore: memoryCursorStore(),
    onResync: (reason) => void probe.resyncs.push(reason),
    ...options,
  });
  clients.push(client);
  client.on('CREDIT_UPDATE', (data) => {
    const match = /^seq (\d+)$/.exec(data.reason);
    if (match) probe.credits.push(Number(match[1]));
  });
  client.on('SHOOT_PROGRESS', (data) => probe.progress.push(data.processedCount ?? -1));
  client.connect();
  return { client, ...probe };
}

/** The device's acknowledged cursor in `gateway`'s store (GET /api/admin/users/{userId}, with an admin JWT). */
async function ackedCursor(gateway: GatewayProcess, userId: string, deviceId: string): Promise<string | undefined> {
  const response = await fetch(`${gateway.httpUrl}/api/admin/users/${userId}`, {
    headers: { authorization: `Bearer ${stack.token('acks-operator', 'ops', { groups: ['sync-admin'] })}` },
  });
  if (!response.ok) throw new Error(`GET /api/admin/users/${userId} answered ${response.status}: ${await response.text()}`);
  const user = (await response.json()) as { devices: Array<{ deviceId: string; ackedCursor: string }> };
  return user.devices.find((device) => device.deviceId === deviceId)?.ackedCursor;
}

const connected = (client: SyncClient) => waitFor('connected', () => client.getSnapshot().state === 'connected');
const localPort = (sockets: WebSocket[]) => (sockets.at(-1) as unknown as { _socket: { localPort: number } })._socket.localPort;

/** What the gateway understands, asked over a raw socket: an ACK refused or not, and whether an id gets RECEIVED. */
async function gatewayFeatures(): Promise<{ acks: boolean; receipts: boolean }> {
  const ws = new WebSocket(`${stack.gateways[0]!.wsUrl}?token=${stack.token('acks-probe', 'probe')}`);
  const frames: Array<{ type: string; data?: { code?: string; reason?: string; id?: string; cursor?: string } }> = [];
  ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
  await waitFor('CONNECTION_ESTABLISHED', () => frames.some((f) => f.type === 'CONNECTION_ESTABLISHED'));
  const cursor = frames[0]!.data!.cursor!;
  ws.send(JSON.stringify({ type: 'ACK', payload: { cursor } }));
  ws.send(JSON.stringify({ type: 'UPDATE_PROGRESS', id: 'probe-1', payload: progress(0) }));
  // Frames are answered in order: once probe-1 is answered (RECEIVED, or an ERROR), the ACK was answered too.
  await waitFor('the answer to probe-1', () =>
    frames.some((f) => (f.type === 'RECEIVED' && f.data?.id === 'probe-1') || (f.type === 'ERROR' && !/\bACK\b/.test(f.data?.reason ?? ''))));
  ws.close();
  return {
    acks: !frames.some((f) => f.type === 'ERROR' && /\bACK\b/.test(f.data?.reason ?? '')),
    receipts: frames.some((f) => f.type === 'RECEIVED' && f.data?.id === 'probe-1'),
  };
}

describe('acknowledged cursors and message ids, with the SDK', () => {
  beforeAll(async () => {
    stack = await startStack({ name: 'acks', gateways: 2, gatewayEnv: { GATEWAY_ACKS_FLUSH_INTERVAL: '200ms' } });
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('the gateway understands ACK and answers RECEIVED {id} (else the tests below cannot pass: merge i22-acks)', async () => {
    const features = await gatewayFeatures();
    expect(features, 'this gateway predates issue 22 part 2/3 (no ACK, no RECEIVED)').toEqual({ acks: true, receipts: true });
  });

  it('UPDATE_PROGRESS sent while offline: delivered to the other device exactly once after the reconnect', async () => {
    const sender = startClient('acks-offline', 'phone');
    const other = startClient('acks-offline', 'laptop');
    await connected(sender.client);
    await connected(other.client);
    sender.client.send('UPDATE_PROGRESS', progress(1));
    await waitFor('the first relay', () => other.progress.length === 1);

    stack.balancer.hold();
    expect(stack.balancer.cut((c) => c.clientPort === localPort(sender.sockets))).toBe(1);
    await waitFor('reconnecting', () => sender.client.getSnapshot().state !== 'connected');
    const receipts = seqs(2, 21).map((n) => sender.client.deliver('UPDATE_PROGRESS', progress(n)));
    await waitFor('a reconnect held by the network', () => sender.sockets.length >= 2);
    stack.balancer.release();
    const answered: Receipt[] = await Promise.all(receipts);
    // A marker sent after every receipt came back: a duplicate of 1..21 would reach the other device before it.
    sender.client.send('UPDATE_PROGRESS', progress(22));
    await waitFor('the marker', () => other.progress.includes(22));
    expect(other.progress).toEqual(seqs(1, 22));
    expect(answered.every((r) => r.confirmed && !r.duplicate)).toBe(true);
  });

  it('RECEIVED lost with the connection: sent again with the same id, answered duplicate, applied once', async () => {
    const sender = startClient('acks-lost', 'phone');
    const other = startClient('acks-lost', 'laptop');
    await connected(sender.client);
    await connected(other.client);
    // The sender stops hearing the gateway: its messages arrive and are stored, their RECEIVED never comes back.
    const port = localPort(sender.sockets);
    expect(stack.balancer.pause((c) => c.clientPort === port)).toBe(1);
    const receipts = seqs(1, 5).map((n) => sender.client.deliver('UPDATE_PROGRESS', progress(n)));
    await waitFor('5 relays', () => other.progress.length >= 5);
    expect(stack.balancer.cut((c) => c.clientPort === port)).toBe(1);
    const answered = await Promise.all(receipts);
    sender.client.send('UPDATE_PROGRESS', progress(6)); // a marker: a duplicate would arrive before it
    await waitFor('the marker', () => other.progress.includes(6));
    expect(other.progress).toEqual(seqs(1, 6));
    expect(answered.map((r) => r.duplicate)).toEqual([true, true, true, true, true]);
  });

  it('no cursor of its own: resumes from its acknowledged cursor on another pod, exactly the events after it', async () => {
    const first = startClient('acks-resume', 'tablet', { url: stack.gateways[0]!.wsUrl, ackIntervalMs: 100 });
    await connected(first.client);
    for (const n of seqs(1, 5)) await stack.publishCredit('acks-resume', n, 1, `seq ${n}`);
    await waitFor('5 events', () => first.credits.length === 5);
    // Acknowledged, and the ACK flushed to the cluster: the other pod's store holds the cursor of event 5.
    const processed = first.client.getSnapshot().cursor;
    expect(processed).toMatch(/~/);
    await waitFor('the ACK of event 5 on the other pod', async () => (await ackedCursor(stack.gateways[1]!, 'acks-resume', 'tablet')) === processed);
    first.client.close();
    for (const n of seqs(6, 8)) await stack.publishCredit('acks-resume', n, 1, `seq ${n}`);

    // The same device after its storage was wiped, on the other pod.
    const second = startClient('acks-resume', 'tablet', { url: stack.gateways[1]!.wsUrl, cursorStore: memoryCursorStore() });
    await connected(second.client);
    await waitFor('3 events', () => second.credits.length >= 3);
    await stack.publishCredit('acks-resume', 9, 1, 'seq 9'); // a marker: anything replayed twice comes before it
    await waitFor('the marker', () => second.credits.includes(9));
    expect(second.credits).toEqual([6, 7, 8, 9]);
    expect(second.client.getSnapshot()).toMatchObject({ resumed: true, stats: { resyncs: 0 } });
    expect(second.sockets[0]!.url).toContain('cursor=acked');
  });

  it('a device that never acknowledged: RESYNC_REQUIRED "no acknowledged cursor for this device", onResync, then live', async () => {
    const store: CursorStore = memoryCursorStore();
    const fresh = startClient('acks-none', 'new-phone', { cursorStore: store });
    await waitFor('onResync', () => fresh.resyncs.length === 1);
    expect(fresh.resyncs).toEqual(['no acknowledged cursor for this device']);
    await connected(fresh.client);
    await stack.publishCredit('acks-none', 1, 1, 'seq 1');
    await waitFor('1 event', () => fresh.credits.length === 1);
    expect(fresh.credits).toEqual([1]);
  });
});
