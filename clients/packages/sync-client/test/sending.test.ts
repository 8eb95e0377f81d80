import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncError } from '../src/index.js';
import { advance, flush, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

const progress = (processedCount: number) => ({ shootId: 's1', status: 'processing' as const, processedCount, totalCount: 10, provider: 'p' });

describe('send()', () => {
  it('sends at once while connected, as {type, id, payload}', async () => {
    const { client, connected } = setup();
    const socket = await connected();
    expect(client.send('UPDATE_PROGRESS', progress(1))).toBe(true);
    const id = socket.frames[0]!.id!;
    expect(id).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
    expect(socket.sent).toEqual([JSON.stringify({ type: 'UPDATE_PROGRESS', id, payload: progress(1) })]);
  });

  it('buffers before connect() and while connecting, and flushes in order after CONNECTION_ESTABLISHED', async () => {
    const { client, start } = setup();
    expect(client.send('UPDATE_PROGRESS', progress(1))).toBe(true);
    const socket = await start();
    expect(client.send('UPDATE_PROGRESS', progress(2))).toBe(true);
    expect(client.send('UPDATE_PROGRESS', progress(3))).toBe(true);
    expect(socket.sent).toEqual([]);
    socket.establish();
    expect(socket.frames).toEqual([1, 2, 3].map((n) => ({ type: 'UPDATE_PROGRESS', id: expect.any(String), payload: progress(n) })));
    expect(new Set(socket.frames.map((f) => f.id)).size).toBe(3);
    expect(socket.sentWhileNotOpen).toEqual([]);
  });

  it('buffers while reconnecting and sends on the new connection; the one unanswered on the lost connection goes first, same id', async () => {
    const { client, factory, connected } = setup({}, 0.5);
    const old = await connected();
    client.send('UPDATE_PROGRESS', progress(1));
    old.serverCloses(1006);
    client.send('UPDATE_PROGRESS', progress(2));
    client.send('UPDATE_PROGRESS', progress(3));
    await advance(250);
    const next = factory.last;
    expect(next).not.toBe(old);
    client.send('UPDATE_PROGRESS', progress(4));
    expect(next.sent).toEqual([]);
    next.establish({ resumed: true });
    expect(next.frames.map((f) => (f.payload as { processedCount: number }).processedCount)).toEqual([1, 2, 3, 4]);
    expect(old.frames.map((f) => (f.payload as { processedCount: number }).processedCount)).toEqual([1]);
    expect(next.frames[0]!.id).toBe(old.frames[0]!.id);
  });

  it('drops the oldest beyond sendBufferSize with a `send-dropped` error and stats.drops', async () => {
    const { client, start, errors } = setup({ sendBufferSize: 3 });
    for (let n = 1; n <= 5; n++) expect(client.send('UPDATE_PROGRESS', progress(n))).toBe(true);
    expect(errors.map((e) => e.kind)).toEqual(['send-dropped', 'send-dropped']);
    expect(errors[0]).toBeInstanceOf(SyncError);
    expect(errors[0]!.message).toMatch(/^send buffer full while disconnected; dropped \{"type":"UPDATE_PROGRESS"/);
    expect(client.getSnapshot().stats.drops).toBe(2);
    const socket = await start();
    socket.establish();
    expect(socket.frames.map((f) => (f.payload as { processedCount: number }).processedCount)).toEqual([3, 4, 5]);
  });

  it('keeps 100 messages by default', async () => {
    const { client, start, errors } = setup();
    for (let n = 1; n <= 101; n++) client.send('UPDATE_PROGRESS', progress(n));
    expect(errors).toHaveLength(1);
    expect(client.getSnapshot().stats.drops).toBe(1);
    const socket = await start();
    socket.establish();
    await advance(10_000); // the backlog drains paced (15 a second)
    expect(socket.sent).toHaveLength(100);
    expect((socket.frames[0]!.payload as { processedCount: number }).processedCount).toBe(2);
  });

  it('a message answered with RECEIVED is not sent again on the next reconnect', async () => {
    const { client, factory, start } = setup({}, 0);
    client.send('UPDATE_PROGRESS', progress(1));
    (await start()).establish();
    factory.last.serverSends({ type: 'RECEIVED', data: { id: factory.last.frames[0]!.id, duplicate: false } });
    factory.last.serverCloses(1012);
    await advance(1);
    factory.last.establish();
    expect(factory.last.sent).toEqual([]);
    expect(client.getSnapshot().stats.drops).toBe(0);
  });
});

describe('requestPending()', () => {
  it('sends GET_PENDING with the cursor and resolves with PENDING_CHECK_COMPLETE.delivered', async () => {
    const { client, connected } = setup();
    const socket = await connected({ cursor: 'c-5', resumed: true });
    const answer = client.requestPending();
    expect(socket.frames).toEqual([{ type: 'GET_PENDING', payload: { cursor: 'c-5' } }]);
    socket.serverSends({ type: 'PENDING_CHECK_COMPLETE', data: { delivered: 3, cursor: 'c-9' } });
    await expect(answer).resolves.toBe(3);
    expect(client.getSnapshot().stats.replayed).toBe(3);
    expect(client.getSnapshot().cursor).toBe('c-9');
  });

  it('sends an empty payload without a cursor', async () => {
    const { client, connected } = setup();
    const socket = await connected();
    void client.requestPending().catch(() => undefined);
    expect(socket.frames).toEqual([{ type: 'GET_PENDING', payload: {} }]);
  });

  it('answers every waiting request with one PENDING_CHECK_COMPLETE', async () => {
    const { client, connected } = setup();
    const socket = await connected({ cursor: 'c' });
    const a = client.requestPending();
    const b = client.requestPending();
    socket.serverSends({ type: 'PENDING_CHECK_COMPLETE', data: { delivered: 7 } });
    await expect(Promise.all([a, b])).resolves.toEqual([7, 7]);
    // Counted once per frame, not per request.
    expect(client.getSnapshot().stats.replayed).toBe(7);
  });

  it('rejects with kind `timeout` after requestTimeoutMs', async () => {
    const { client, connected } = setup({ requestTimeoutMs: 2000 });
    const socket = await connected();
    let outcome: unknown = 'pending';
    client.requestPending().then((n) => { outcome = n; }, (e) => { outcome = e; });
    await advance(1999);
    expect(outcome).toBe('pending');
    await advance(1);
    expect(outcome).toBeInstanceOf(SyncError);
    expect(outcome).toMatchObject({ kind: 'timeout' });
    // A late answer changes nothing.
    socket.serverSends({ type: 'PENDING_CHECK_COMPLETE', data: { delivered: 1 } });
    await flush();
    expect(outcome).toMatchObject({ kind: 'timeout' });
  });

  it('times out after 10 s by default', async () => {
    const { client, connected } = setup();
    await connected();
    let outcome: unknown = 'pending';
    client.requestPending().catch((e) => { outcome = e; });
    await advance(9999);
    expect(outcome).toBe('pending');
    await advance(1);
    expect(outcome).toMatchObject({ kind: 'timeout' });
  });

  it('while disconnected the request is buffered and answered after connecting', async () => {
    const { client, start } = setup();
    const answer = client.requestPending();
    const socket = await start();
    expect(socket.sent).toEqual([]);
    socket.establish();
    expect(socket.sentTypes).toEqual(['GET_PENDING']);
    socket.serverSends({ type: 'PENDING_CHECK_COMPLETE', data: { delivered: 0 } });
    await expect(answer).resolves.toBe(0);
  });
});

describe('subscribe()', () => {
  const subscribes = (frames: Array<{ type: string; payload?: unknown }>) =>
    frames.filter((f) => f.type === 'SUBSCRIBE' || f.type === 'UNSUBSCRIBE').map((f) => `${f.type}:${(f.payload as { orgId: string }).orgId}`);

  it('sends SUBSCRIBE now and again after every reconnect; the returned function sends UNSUBSCRIBE once and it is not re-sent', async () => {
    const { client, factory, connected } = setup({}, 0);
    const first = await connected();
    const leave = client.subscribe('org-1');
    client.subscribe('org-1'); // already joined: not sent again
    client.subscribe('org-2');
    expect(subscribes(first.frames)).toEqual(['SUBSCRIBE:org-1', 'SUBSCRIBE:org-2']);

    first.serverCloses(1012);
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(subscribes(factory.last.frames)).toEqual(['SUBSCRIBE:org-1', 'SUBSCRIBE:org-2']);

    leave();
    leave();
    expect(subscribes(factory.last.frames)).toEqual(['SUBSCRIBE:org-1', 'SUBSCRIBE:org-2', 'UNSUBSCRIBE:org-1']);

    factory.last.serverCloses(4000);
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(subscribes(factory.last.frames)).toEqual(['SUBSCRIBE:org-2']);
  });

  it('subscribing while disconnected sends SUBSCRIBE once, after connecting', async () => {
    const { client, start } = setup();
    client.subscribe('org-1');
    const socket = await start();
    expect(socket.sent).toEqual([]);
    socket.establish();
    expect(subscribes(socket.frames)).toEqual(['SUBSCRIBE:org-1']);
  });

  it('leaving while disconnected sends nothing and the org is not joined again', async () => {
    const { client, factory, connected } = setup({}, 0);
    const leave = client.subscribe('org-1');
    const socket = await connected();
    socket.serverCloses(1006);
    leave();
    await advance(1);
    factory.last.establish();
    expect(factory.last.sent).toEqual([]);
    expect(subscribes(socket.frames)).toEqual(['SUBSCRIBE:org-1']);
  });

  it('client.unsubscribe(orgId) works like the returned function', async () => {
    const { client, connected } = setup();
    const socket = await connected();
    client.subscribe('org-3');
    client.unsubscribe('org-3');
    client.unsubscribe('org-3');
    expect(subscribes(socket.frames)).toEqual(['SUBSCRIBE:org-3', 'UNSUBSCRIBE:org-3']);
  });
});
