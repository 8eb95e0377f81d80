// The SSE fallback with the SDK against the real stack (broker, two gateway pods behind the TCP balancer,
// credit-service), the SDK's WebSocket going through a proxy that refuses every upgrade, as corporate proxies do:
// it falls back to Server-Sent Events, gets every event once and in order, has its messages confirmed (POSTs
// land on either pod: the one that does not hold the stream relays them), and a SIGKILL of the pod serving its
// stream loses nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SyncClient, memoryCursorStore, type SocketLike, type StateChange, type SyncClientOptions } from '@kull/sync-client';
import { type Stack, type UpgradeRefusingProxy, startStack, startUpgradeRefusingProxy } from './stack.js';
import { seqs, sleep, waitFor } from './waiting.js';

let stack: Stack;
let proxy: UpgradeRefusingProxy;
const clients: SyncClient[] = [];
const progress = (n: number) => ({ shootId: 'shoot-sse', status: 'processing' as const, processedCount: n, totalCount: 100, provider: 'test' });

function startClient(userId: string, deviceId: string, options: Partial<SyncClientOptions> = {}) {
  const probe = { credits: [] as number[], progress: [] as number[], states: [] as StateChange[], webSockets: 0 };
  const client = new SyncClient({
    url: proxy.url,
    getToken: () => stack.token(userId, deviceId),
    createSocket: (url) => {
      probe.webSockets++;
      return new WebSocket(url) as unknown as SocketLike;
    },
    backoff: { minMs: 100, maxMs: 1000 },
    cursorStore: memoryCursorStore(),
    resumeFromAcknowledged: false,
    ...options,
  });
  clients.push(client);
  client.on('CREDIT_UPDATE', (data) => {
    const match = /^seq (\d+)$/.exec(data.reason);
    if (match) probe.credits.push(Number(match[1]));
  });
  client.on('SHOOT_PROGRESS', (data) => probe.progress.push(data.processedCount ?? -1));
  client.onStateChange((change) => probe.states.push(change));
  client.connect();
  return { client, ...probe, probe };
}

async function publish(userId: string, from: number, to: number): Promise<void> {
  for (const n of seqs(from, to)) await stack.publishCredit(userId, n, 1, `seq ${n}`);
}

beforeAll(async () => {
  stack = await startStack({ name: 'sse', gateways: 2 });
  proxy = await startUpgradeRefusingProxy(stack.balancer.port);
});

afterEach(() => {
  clients.splice(0).forEach((client) => client.close());
});

afterAll(async () => {
  await proxy?.close();
  await stack?.stop();
});

describe('the SSE fallback where WebSocket upgrades are refused', () => {
  it('falls back to SSE after two refused upgrades; events once, in order; messages confirmed', async () => {
    const laptop = startClient('sse-user', 'laptop');
    await waitFor('connected over SSE', () => laptop.client.getSnapshot().state === 'connected', 30_000);
    expect(laptop.client.getSnapshot().transport).toBe('sse');
    expect(laptop.probe.webSockets).toBe(2);
    expect(proxy.refused()).toBeGreaterThanOrEqual(2);

    // Another device of the user, on WebSocket straight to the balancer: it sees what the laptop sends.
    const phone = startClient('sse-user', 'phone', { url: stack.balancerUrl });
    await waitFor('phone connected', () => phone.client.getSnapshot().state === 'connected');
    expect(phone.client.getSnapshot().transport).toBe('websocket');

    await publish('sse-user', 1, 20);
    await waitFor('20 events over SSE', () => laptop.probe.credits.length >= 20);
    // Each send is one POST through the balancer, to either pod; all are confirmed (RECEIVED), in order.
    const receipts = await Promise.all(seqs(1, 6).map((n) => laptop.client.deliver('UPDATE_PROGRESS', progress(n))));
    expect(receipts.every((receipt) => receipt.confirmed)).toBe(true);
    await waitFor('6 progress events on the phone', () => phone.probe.progress.length >= 6);
    // Markers after everything was confirmed: a duplicate would arrive before them.
    await laptop.client.deliver('UPDATE_PROGRESS', progress(7));
    await publish('sse-user', 21, 21);
    await waitFor('the markers', () => phone.probe.progress.includes(7) && laptop.probe.credits.includes(21));
    expect(laptop.probe.credits).toEqual(seqs(1, 21));
    expect(phone.probe.progress).toEqual(seqs(1, 7));
    expect(laptop.client.getSnapshot().stats).toMatchObject({ duplicates: 0, drops: 0, resyncs: 0 });
  });

  it('a POST that reaches another pod than the stream\'s is relayed to it (no session affinity needed)', async () => {
    const [podA, podB] = stack.gateways;
    const auth = { authorization: `Bearer ${stack.token('sse-relay', 'laptop')}` };
    const abort = new AbortController();
    const stream = await fetch(`${podA!.httpUrl}/sse`, { headers: auth, signal: abort.signal });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let text = '';
    while (!/"connectionId":"([^"]+)"/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    const session = /"connectionId":"([^"]+)"/.exec(text)![1]!;
    expect(session.endsWith(`@${podA!.podId}`)).toBe(true);

    const post = (to: string, body: string, headers: Record<string, string> = auth) =>
      fetch(`${to}/sse/sessions/${encodeURIComponent(session)}`, { method: 'POST', headers, body });
    const relayed = await post(podB!.httpUrl, '{"type":"PING","id":"relay-1"}');
    expect(relayed.status).toBe(200);
    const answer = await relayed.text();
    expect(answer).toContain('"type":"PONG"');
    expect(answer).toContain('"type":"RECEIVED"');
    const invalid = await post(podB!.httpUrl, '{"type":"ACK","payload":{"cursor":"nope"}}');
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toContain('"code":"INVALID_FIELD"');
    const otherDevice = await post(podB!.httpUrl, '{"type":"PING"}', { authorization: `Bearer ${stack.token('sse-relay', 'phone')}` });
    expect(otherDevice.status).toBe(404);
    abort.abort();
  });

  it('a SIGKILL of the pod serving the stream loses nothing: the client resumes over SSE on the other pod', async () => {
    const probe = startClient('sse-kill', 'laptop');
    await waitFor('connected over SSE', () => probe.client.getSnapshot().state === 'connected', 30_000);
    const podA = probe.client.getSnapshot().pod;
    await publish('sse-kill', 1, 5);
    await waitFor('5 events', () => probe.probe.credits.length >= 5);

    let next = 6;
    let publishing = true;
    const publisher = (async () => {
      while (publishing) {
        await publish('sse-kill', next, next);
        next++;
        await sleep(50); // a load shape, not a wait: a steady stream across the kill
      }
    })();
    await waitFor('live events flowing', () => probe.probe.credits.length >= 8);
    await stack.gateways.find((gateway) => gateway.podId === podA)!.kill();
    await waitFor('connected to the other pod', () => {
      const snapshot = probe.client.getSnapshot();
      return snapshot.state === 'connected' && snapshot.pod !== podA;
    }, 60_000);
    const atReconnect = probe.probe.credits.length;
    await waitFor('live events on the other pod', () => probe.probe.credits.length >= atReconnect + 3);
    publishing = false;
    await publisher;
    const last = next; // a marker after the stream: a duplicate would arrive before it
    await publish('sse-kill', last, last);
    await waitFor(`${last} events`, () => probe.probe.credits.includes(last));
    const snapshot = probe.client.getSnapshot();
    expect(probe.probe.credits).toEqual(seqs(1, last));
    expect(snapshot).toMatchObject({ transport: 'sse', resumed: true, stats: { duplicates: 0 } });
    console.log(`SIGKILL of ${podA}: ${last} events, all once and in order, resumed over SSE on ${snapshot.pod}`);
  });
});
