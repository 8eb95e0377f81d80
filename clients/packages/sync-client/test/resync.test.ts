import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { advance, flush, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const event = (id: string, cursor?: string) => ({ id, type: 'CREDIT_UPDATE', data: { id }, ...(cursor ? { cursor } : {}) });

describe('RESYNC_REQUIRED', () => {
  it('calls onResync once; later events wait for it and are then dispatched in order', async () => {
    const refetch = deferred();
    const onResync = vi.fn(() => refetch.promise);
    const { client, connected } = setup({ onResync });
    const seen: string[] = [];
    client.on('CREDIT_UPDATE', (_data, message) => seen.push(message.id!));
    client.on('RESYNC_REQUIRED', (data) => seen.push(`resync:${(data as { reason: string }).reason}`));
    const socket = await connected({ cursor: 'old' });
    socket.serverSends(event('e0'));
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'cursor too old', cursor: 'fresh-1' } });
    socket.serverSends(event('e1'));
    socket.serverSends(event('e2'));
    await flush();
    expect(onResync).toHaveBeenCalledTimes(1);
    expect(onResync).toHaveBeenCalledWith('cursor too old');
    expect(seen).toEqual(['e0', 'resync:cursor too old']);
    expect(client.getSnapshot().stats.resyncs).toBe(1);
    expect(client.getSnapshot().cursor).toBe('fresh-1');

    refetch.resolve();
    await flush();
    expect(seen).toEqual(['e0', 'resync:cursor too old', 'e1', 'e2']);
    socket.serverSends(event('e3'));
    expect(seen).toEqual(['e0', 'resync:cursor too old', 'e1', 'e2', 'e3']);
    expect(onResync).toHaveBeenCalledTimes(1);
  });

  it('reconnects with the fresh cursor of RESYNC_REQUIRED', async () => {
    const { factory, connected } = setup({ onResync: () => undefined }, 0);
    const socket = await connected({ cursor: 'old' });
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'gap', cursor: 'fresh-1' } });
    socket.serverCloses(1012);
    await advance(1);
    expect(factory.last.params.get('cursor')).toBe('fresh-1');
  });

  it('a failing onResync is reported (kind `handler`) and the held events still go out', async () => {
    const refetch = deferred();
    const { client, connected, errors } = setup({ onResync: () => refetch.promise });
    const handler = vi.fn();
    client.on('CREDIT_UPDATE', handler);
    const socket = await connected();
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'gap', cursor: 'f' } });
    socket.serverSends(event('e1'));
    refetch.reject(new Error('refetch failed'));
    await flush();
    expect(errors.map((e) => e.kind)).toEqual(['handler']);
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('without onResync the events continue (after a microtask)', async () => {
    const { client, connected } = setup();
    const handler = vi.fn();
    client.on('CREDIT_UPDATE', handler);
    const socket = await connected();
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'gap' } });
    socket.serverSends(event('e1'));
    await flush();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(client.getSnapshot().stats.resyncs).toBe(1);
  });

  it('events of the next connection also wait for a pending onResync, in order', async () => {
    const refetch = deferred();
    const { client, factory, connected } = setup({ onResync: () => refetch.promise }, 0);
    const seen: string[] = [];
    client.on('CREDIT_UPDATE', (_data, message) => seen.push(message.id!));
    const socket = await connected();
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'gap', cursor: 'f' } });
    socket.serverSends(event('e1'));
    socket.serverCloses(1012);
    await advance(1);
    factory.last.establish({ resumed: true });
    factory.last.serverSends(event('e2'));
    expect(seen).toEqual([]);
    refetch.resolve();
    await flush();
    expect(seen).toEqual(['e1', 'e2']);
  });

  it('a second RESYNC_REQUIRED while the first refetch runs: later events wait for the second refetch too', async () => {
    const first = deferred();
    const second = deferred();
    const onResync = vi.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise);
    const { client, connected } = setup({ onResync });
    const seen: string[] = [];
    client.on('CREDIT_UPDATE', (_data, message) => seen.push(message.id!));
    const socket = await connected();
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'r1', cursor: 'f1' } });
    socket.serverSends(event('e1'));
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'r2', cursor: 'f2' } });
    socket.serverSends(event('e2'));
    await flush();
    expect(onResync.mock.calls).toEqual([['r1'], ['r2']]);
    expect(client.getSnapshot().stats.resyncs).toBe(2);
    first.resolve();
    await flush();
    // e2 came after the second RESYNC_REQUIRED: it must not be applied before that refetch is done.
    expect(seen).not.toContain('e2');
    second.resolve();
    await flush();
    expect(seen).toContain('e2');
    expect(seen.indexOf('e2')).toBe(seen.length - 1);
  });
});
