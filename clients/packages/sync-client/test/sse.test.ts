import { describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../src/index.js';
import { sseSocket } from '../src/sse.js';
import { transportChoice } from '../src/transport.js';
import { flush } from './fake-socket.js';
import { advance, setup, useClock } from './harness.js';

describe('the SSE fallback', () => {
  it('maps a WebSocket URL to its SSE URL, without the token, cursor and refusal parameters', async () => {
    const urls: string[] = [];
    const fetchImpl = (async (url: string) => {
      urls.push(url);
      return new Response('{"code":4401,"reason":"no"}', { status: 401 });
    }) as unknown as typeof fetch;
    sseSocket('wss://sync.example.com/ws?token=t&cursor=c&refusal=close&app=1', fetchImpl);
    sseSocket('ws://localhost:8080/ws/user/u1', fetchImpl);
    sseSocket('wss://h/api/ws/sync/org-1', fetchImpl);
    await flush();
    expect(urls).toEqual(['https://sync.example.com/sse?app=1', 'http://localhost:8080/sse/user/u1', 'https://h/api/sse/sync/org-1']);
  });

  it('falls back after two WebSocket attempts lost before CONNECTION_ESTABLISHED; a refusal is no such failure', () => {
    vi.useFakeTimers({ now: 0 });
    const choice = transportChoice('auto', 2, 60_000);
    expect(choice.next()).toBe('websocket');
    expect(choice.ended(4401)).toBe(false); // refused: the upgrade worked
    choice.next();
    expect(choice.ended(1006)).toBe(false);
    choice.next();
    expect(choice.ended(undefined)).toBe(true); // timed out: second failure in a row
    expect(choice.next()).toBe('sse');
    choice.connected();
    expect(choice.ended(1006)).toBe(false); // an established SSE stream lost: stays on SSE
    expect(choice.next()).toBe('sse');
    vi.setSystemTime(60_000);
    expect(choice.next()).toBe('websocket'); // tried again later
    expect(choice.ended(1006)).toBe(true); // still blocked: back to SSE at once
    expect(choice.next()).toBe('sse');
    vi.useRealTimers();
  });

  it('a WebSocket that connects resets the count; `websocket` never falls back', () => {
    const choice = transportChoice('auto', 2, 60_000);
    choice.next();
    choice.ended(1006);
    choice.next();
    choice.connected();
    choice.ended(1006);
    choice.next();
    expect(choice.ended(1006)).toBe(false);
    const only = transportChoice('websocket', 1, 0);
    only.next();
    expect(only.ended(1006)).toBe(false);
    expect(only.next()).toBe('websocket');
  });

  it('streams with the token in Authorization and the cursor as Last-Event-ID; POSTs in order; ends on the close event', async () => {
    const requests: { url: string; init: RequestInit }[] = [];
    let push!: (text: string) => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => controller.enqueue(new TextEncoder().encode(text));
      },
    });
    const fetchImpl = (async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      if (init.method === 'POST') {
        return new Response(`{"type":"RECEIVED","data":{"id":"${String(init.body).length}"}}`, { status: 200 });
      }
      return new Response(body, { status: 200 });
    }) as unknown as typeof fetch;
    const socket = sseSocket('wss://h/ws?token=jwt&cursor=c~1&refusal=close', fetchImpl);
    const messages: string[] = [];
    const closes: { code: number; reason: string }[] = [];
    socket.onmessage = (event) => messages.push(event.data);
    socket.onclose = (event) => closes.push(event);
    await flush();
    expect(requests[0]!.url).toBe('https://h/sse');
    expect(requests[0]!.init.headers).toMatchObject({ authorization: 'Bearer jwt', 'last-event-id': 'c~1' });
    push(':heartbeat=20000\n\nid: c~2\ndata: {"type":"CONNECTION_ESTABLISHED","data":{"connectionId":"s1@pod-a"}}\n\n');
    await vi.waitFor(() => expect(messages).toHaveLength(1));
    socket.send('{"type":"ACK"}');
    socket.send('{"type":"PING","x":1}');
    await vi.waitFor(() => expect(messages).toHaveLength(3));
    expect(requests.slice(1).map((r) => [r.url, r.init.body])).toEqual([
      ['https://h/sse/sessions/s1%40pod-a', '{"type":"ACK"}'],
      ['https://h/sse/sessions/s1%40pod-a', '{"type":"PING","x":1}'],
    ]);
    push('event: close\ndata: {"code":1012,"reason":"pod draining, reconnect"}\n\n');
    await vi.waitFor(() => expect(closes).toEqual([{ code: 1012, reason: 'pod draining, reconnect' }]));
  });

  it('a stream that ends without a close event closes as lost: CloseCode.ABNORMAL, as a WebSocket would', async () => {
    const fetchImpl = (async () => new Response(new ReadableStream({ start: (controller) => controller.close() }), { status: 200 })) as unknown as typeof fetch;
    const socket = sseSocket('ws://h/ws?token=t', fetchImpl);
    const closes: { code: number; reason: string }[] = [];
    socket.onclose = (event) => closes.push(event);
    await vi.waitFor(() => expect(closes).toEqual([{ code: CloseCode.ABNORMAL, reason: 'ended' }]));
  });

  it('a refused stream closes with the code in its body', async () => {
    const fetchImpl = (async () => new Response('{"code":4401,"reason":"token expired"}', { status: 401 })) as unknown as typeof fetch;
    const socket = sseSocket('ws://h/ws?token=old', fetchImpl);
    const closes: { code: number; reason: string }[] = [];
    socket.onclose = (event) => closes.push(event);
    await vi.waitFor(() => expect(closes).toEqual([{ code: 4401, reason: 'token expired' }]));
  });
});

describe('SyncClient falling back', () => {
  /** A fetch that plays a gateway's SSE endpoint: each stream opens with CONNECTION_ESTABLISHED; POSTs answer RECEIVED. */
  function sseGateway() {
    const streams: string[] = [];
    const posts: string[] = [];
    const fetchImpl = (async (url: string, init: RequestInit) => {
      if (init.method === 'POST') {
        posts.push(String(init.body));
        const id = /"id":"([^"]+)"/.exec(String(init.body))?.[1];
        return id ? new Response(`{"type":"RECEIVED","data":{"id":"${id}","duplicate":false}}`) : new Response(null, { status: 204 });
      }
      streams.push(url);
      const established = { type: 'CONNECTION_ESTABLISHED', data: { connectionId: `s${streams.length}@pod-b`, userId: 'u', deviceId: 'd', pod: 'pod-b', heartbeatIntervalMs: 20000, resumed: false } };
      return new Response(new ReadableStream({
        start: (controller) => controller.enqueue(new TextEncoder().encode(`data: ${JSON.stringify(established)}\n\n`)),
      }));
    }) as unknown as typeof fetch;
    return { fetchImpl, streams, posts };
  }

  it('falls back to SSE after two WebSocket attempts time out, and messages go out as POSTs', async () => {
    useClock();
    const gateway = sseGateway();
    const harness = setup({ transport: 'auto', fetch: gateway.fetchImpl });
    await harness.start(); // the upgrade hangs: no CONNECTION_ESTABLISHED
    await advance(15_000 + 1_000); // given up, retried with jitter
    expect(harness.sockets).toHaveLength(2);
    await advance(15_000 + 2_000);
    await vi.waitFor(() => expect(harness.client.getSnapshot().state).toBe('connected'));
    expect(harness.client.getSnapshot()).toMatchObject({ transport: 'sse', pod: 'pod-b' });
    expect(harness.sockets).toHaveLength(2); // no third WebSocket
    expect(gateway.streams).toEqual(['https://sync.example.com/sse']);
    const receipt = await harness.client.deliver('UPDATE_PROGRESS', { shootId: 's', status: 'processing', processedCount: 1, totalCount: 2, provider: 'p' });
    expect(receipt.confirmed).toBe(true);
    expect(gateway.posts.some((post) => post.includes('"UPDATE_PROGRESS"'))).toBe(true);
    harness.client.close();
    vi.useRealTimers();
  });

  it('a refusal with a close code (4401) is no reason to leave WebSocket', async () => {
    useClock();
    const gateway = sseGateway();
    const harness = setup({ transport: 'auto', fetch: gateway.fetchImpl, getToken: () => 'jwt' });
    const first = await harness.start();
    first.serverCloses(4401, 'token expired');
    await advance(2_000);
    harness.factory.last.serverCloses(4401, 'token expired');
    await advance(2_000);
    expect(gateway.streams).toHaveLength(0);
    expect(harness.client.getSnapshot().transport).toBeUndefined();
    vi.useRealTimers();
  });
});
