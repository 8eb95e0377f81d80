import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncError, type Receipt } from '../src/index.js';
import { advance, flush, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

const progress = (processedCount: number) => ({ shootId: 's1', status: 'processing' as const, processedCount, totalCount: 10, provider: 'p' });
const counts = (frames: Array<{ payload?: unknown }>) => frames.map((f) => (f.payload as { processedCount: number }).processedCount);

/** Settles a promise into a readable value for synchronous assertions. */
function track<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then((value) => Object.assign(state, { value, settled: true }), (error) => Object.assign(state, { error, settled: true }));
  return state;
}

describe('client messages with ids (the offline queue)', () => {
  it('sent offline, written after the reconnect; RECEIVED settles deliver() and they are not sent again', async () => {
    const { client, factory, connected } = setup({}, 0);
    const first = await connected();
    first.serverCloses(1006);
    const a = track(client.deliver('UPDATE_PROGRESS', progress(1)));
    const b = track(client.deliver('UPDATE_PROGRESS', progress(2)));
    await advance(1);
    const socket = factory.last;
    socket.establish({ resumed: true });
    expect(counts(socket.frames)).toEqual([1, 2]);
    const [idA, idB] = socket.frames.map((f) => f.id!);
    expect(idA).not.toBe(idB);
    socket.receives(idA!);
    socket.receives(idB!, true);
    await flush();
    expect(a.value).toEqual<Receipt>({ id: idA!, duplicate: false, confirmed: true });
    expect(b.value).toEqual<Receipt>({ id: idB!, duplicate: true, confirmed: true });

    socket.serverCloses(1012);
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(factory.last.frames).toEqual([]);
  });

  it('unanswered on a lost connection: written again after the reconnect with the same id, until RECEIVED', async () => {
    const { client, factory, connected } = setup({}, 0);
    const socket = await connected();
    const outcome = track(client.deliver('UPDATE_PROGRESS', progress(1)));
    client.send('UPDATE_PROGRESS', progress(2));
    const ids = socket.frames.map((f) => f.id);
    for (let attempt = 0; attempt < 3; attempt++) {
      factory.last.serverCloses(1006);
      await advance(1);
      factory.last.establish({ resumed: true });
      expect(factory.last.frames.map((f) => f.id)).toEqual(ids);
      expect(counts(factory.last.frames)).toEqual([1, 2]);
    }
    factory.last.receives(ids[0]!, true); // stored by the first attempt; its RECEIVED was lost
    factory.last.receives(ids[1]!);
    await flush();
    expect(outcome.value).toMatchObject({ duplicate: true, confirmed: true });
    factory.last.serverCloses(1006);
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(factory.last.frames).toEqual([]);
  });

  it('deliver(type, payload, {id}) uses the app\'s id', async () => {
    const { client, connected } = setup();
    const socket = await connected();
    void client.deliver('UPDATE_PROGRESS', progress(1), { id: 'shoot-s1:step-1' });
    expect(socket.frames[0]).toMatchObject({ type: 'UPDATE_PROGRESS', id: 'shoot-s1:step-1' });
  });

  it('control messages (PING, SUBSCRIBE, GET_PENDING, ...) get no id and are not kept', async () => {
    const { client, factory, connected } = setup({}, 0);
    const socket = await connected();
    client.subscribe('org-1');
    void client.requestPending().catch(() => undefined);
    expect(socket.frames.map((f) => [f.type, f.id])).toEqual([['SUBSCRIBE', undefined], ['GET_PENDING', undefined]]);
    socket.serverCloses(1006);
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(factory.last.sentTypes).toEqual(['SUBSCRIBE']); // the SDK's own re-subscribe, not a re-send
  });

  it('the bound counts what waits to be written: the oldest dropped with a send-dropped error; deliver() rejects', async () => {
    const { client, factory, connected, errors } = setup({ sendBufferSize: 3 }, 0);
    const socket = await connected();
    const first = track(client.deliver('UPDATE_PROGRESS', progress(1)));
    client.send('UPDATE_PROGRESS', progress(2)); // both written, unanswered: not counted while connected
    socket.serverCloses(1006);
    for (let n = 3; n <= 4; n++) client.send('UPDATE_PROGRESS', progress(n));
    await flush();
    expect(errors.map((e) => e.kind)).toEqual(['send-dropped']);
    expect(first.error).toBeInstanceOf(SyncError);
    expect(first.error).toMatchObject({ kind: 'send-dropped' });
    expect(client.getSnapshot().stats.drops).toBe(1);
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(counts(factory.last.frames)).toEqual([2, 3, 4]);
  });

  it('a backlog drains 15 a second, and a message sent meanwhile goes after it, in order', async () => {
    const { client, start } = setup();
    for (let n = 1; n <= 40; n++) client.send('UPDATE_PROGRESS', progress(n));
    const socket = await start();
    socket.establish();
    expect(counts(socket.frames)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    client.send('UPDATE_PROGRESS', progress(41));
    expect(socket.frames).toHaveLength(15);
    await advance(1000);
    expect(socket.frames).toHaveLength(30);
    await advance(1000);
    expect(counts(socket.frames)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
  });

  it('ERROR UNAVAILABLE naming the id (not stored): written again a second later, same id', async () => {
    const { client, connected, errors } = setup();
    const socket = await connected();
    client.send('UPDATE_PROGRESS', progress(1));
    const id = socket.frames[0]!.id!;
    socket.serverSends({ type: 'ERROR', data: { code: 'UNAVAILABLE', reason: `message ${id} not stored, retry: broker down` } });
    expect(errors.map((e) => e.code)).toEqual(['UNAVAILABLE']);
    await advance(999);
    expect(socket.frames).toHaveLength(1);
    await advance(1);
    expect(socket.frames.map((f) => f.id)).toEqual([id, id]);
  });

  it('no RECEIVED within receiptTimeoutMs from a gateway that answers RECEIVED: written again on the same connection, same id', async () => {
    const { client, connected } = setup({ receiptTimeoutMs: 5000, livenessTimeoutMs: 1e12 });
    const socket = await connected();
    client.send('UPDATE_PROGRESS', progress(1));
    socket.receives(socket.frames[0]!.id!);
    client.send('UPDATE_PROGRESS', progress(2)); // e.g. rate limited: never answered
    const id = socket.frames[1]!.id!;
    await advance(4999);
    expect(socket.frames).toHaveLength(2);
    await advance(1);
    expect(socket.frames.map((f) => f.id).slice(1)).toEqual([id, id]);
  });

  it('a gateway without message ids (never answers RECEIVED): after receiptTimeoutMs they count as sent, never re-sent', async () => {
    const { client, factory, connected } = setup({ receiptTimeoutMs: 5000, livenessTimeoutMs: 1e12 }, 0);
    const socket = await connected();
    const outcome = track(client.deliver('UPDATE_PROGRESS', progress(1)));
    await advance(5000);
    expect(outcome.value).toMatchObject({ confirmed: false, duplicate: false });
    expect(socket.frames).toHaveLength(1);
    client.send('UPDATE_PROGRESS', progress(2)); // counts as sent once written on this connection
    socket.serverCloses(1006);
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(factory.last.frames).toEqual([]);
  });

  it('a gateway that refuses ACK predates message ids too: unanswered messages count as sent at once', async () => {
    const { client, factory, connected } = setup({}, 0);
    const socket = await connected({ cursor: 'c-0' });
    const outcome = track(client.deliver('UPDATE_PROGRESS', progress(1)));
    socket.serverSends({ type: 'ERROR', data: { code: 'UNKNOWN_TYPE', reason: "type: unknown type 'ACK'" } });
    await flush();
    expect(outcome.value).toMatchObject({ confirmed: false });
    socket.serverCloses(1006);
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(factory.last.frames).toEqual([]);
  });

  it('closed 1009: the message too big is dropped (deliver() rejects), the others are written again', async () => {
    const { client, factory, connected } = setup({}, 0);
    const socket = await connected();
    const small = track(client.deliver('UPDATE_PROGRESS', progress(1)));
    const big = track(client.deliver('UPDATE_PROGRESS', { ...progress(2), currentImage: 'x'.repeat(40_000) }));
    socket.serverCloses(1009, 'message too big');
    await advance(1);
    factory.last.establish({ resumed: true });
    expect(counts(factory.last.frames)).toEqual([1]);
    expect(big.error).toMatchObject({ kind: 'message-too-big', code: 1009 });
    expect(small.settled).toBe(false);
  });
});
