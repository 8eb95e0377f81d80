import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0, advance, flush, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

const progress = { shootId: 's1', status: 'processing' as const, processedCount: 3, totalCount: 10, provider: 'p' };

describe('liveness on the wall clock (throttled timers)', () => {
  it('send() after a silent gap longer than livenessTimeoutMs does not write into the old socket; it goes out on the next connection', async () => {
    const harness = setup({}, 0.5);
    const old = await harness.connected({ pod: 'pod-a' });
    // A background tab: the clock moves, no timer fires.
    vi.setSystemTime(T0 + 50_001);
    expect(harness.client.send('UPDATE_PROGRESS', progress)).toBe(true);
    expect(old.sent).toEqual([]);
    await flush();
    expect(old.closeCalls).toEqual([{ code: 1000, reason: 'nothing heard within the liveness timeout' }]);
    expect(harness.lastState()).toMatchObject({
      state: 'reconnecting', previous: 'connected', reason: 'nothing heard within the liveness timeout', retryInMs: 500,
    });
    expect(harness.client.getSnapshot().isConnected).toBe(false);

    await advance(500);
    expect(harness.factory.count).toBe(2);
    const next = harness.factory.last;
    expect(next.sent).toEqual([]);
    next.establish({ pod: 'pod-b', resumed: true });
    expect(next.frames).toEqual([{ type: 'UPDATE_PROGRESS', id: expect.any(String), payload: progress }]);
    expect(next.sentWhileNotOpen).toEqual([]);
    expect(old.sent).toEqual([]);
  });

  it('exactly livenessTimeoutMs of silence is still alive', async () => {
    const harness = setup();
    const socket = await harness.connected();
    vi.setSystemTime(T0 + 50_000);
    harness.client.send('UPDATE_PROGRESS', progress);
    await flush();
    expect(socket.sentTypes).toEqual(['UPDATE_PROGRESS']);
    expect(socket.closed).toBe(false);
  });

  it('livenessTimeoutMs defaults to 2.5 x pingIntervalMs', async () => {
    const harness = setup({ pingIntervalMs: 1000 });
    const socket = await harness.connected();
    vi.setSystemTime(T0 + 2501);
    harness.client.send('UPDATE_PROGRESS', progress);
    await flush();
    expect(socket.sentTypes).toEqual([]);
    expect(socket.closed).toBe(true);
  });

  it('sends PING every pingIntervalMs; any frame counts as life; silence past the timeout drops the socket at the next tick', async () => {
    const harness = setup({ pingIntervalMs: 1000, livenessTimeoutMs: 2500 }, 0);
    const socket = await harness.connected();
    await advance(999);
    expect(socket.sent).toEqual([]);
    await advance(1);
    expect(socket.sent).toEqual(['{"type":"PING"}']);
    await advance(1000); // t = 2000
    // Not even a message: any frame is life.
    socket.serverSends('not json');
    await advance(2000); // t = 4000: 2000 ms since the last frame
    expect(socket.sentTypes).toEqual(['PING', 'PING', 'PING', 'PING']);
    expect(socket.closed).toBe(false);
    await advance(999); // t = 4999: 2999 ms of silence, but no check ran since 4000
    expect(socket.closed).toBe(false);
    await advance(1); // t = 5000: the ping tick finds 3000 ms of silence
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'nothing heard within the liveness timeout' }]);
    expect(socket.sentTypes).toEqual(['PING', 'PING', 'PING', 'PING']);
    expect(harness.lastState()).toMatchObject({ state: 'reconnecting', reason: 'nothing heard within the liveness timeout' });
    await advance(1);
    expect(harness.factory.count).toBe(2);
  });

  it('with the defaults a silent connection is dropped at 60 s (PINGs at 20 s and 40 s)', async () => {
    const harness = setup();
    const socket = await harness.connected();
    await advance(59_999);
    expect(socket.sentTypes).toEqual(['PING', 'PING']);
    expect(socket.closed).toBe(false);
    await advance(1);
    expect(socket.closed).toBe(true);
    expect(socket.sentTypes).toEqual(['PING', 'PING']);
  });

  it('PONGs keep the connection alive indefinitely', async () => {
    const harness = setup();
    const socket = await harness.connected();
    for (let i = 0; i < 30; i++) {
      await advance(20_000);
      socket.serverSends({ type: 'PONG', data: { timestamp: Date.now() } });
    }
    expect(socket.closed).toBe(false);
    expect(socket.sentTypes.filter((t) => t === 'PING')).toHaveLength(30);
    expect(harness.factory.count).toBe(1);
  });

  it('answers the gateway PING with a PONG carrying its data', async () => {
    const harness = setup();
    const socket = await harness.connected();
    socket.serverSends({ type: 'PING', data: { timestamp: 1234 } });
    expect(socket.frames).toEqual([{ type: 'PONG', payload: { timestamp: 1234 } }]);
  });

  it('stops pinging once the socket is closed', async () => {
    const harness = setup({ pingIntervalMs: 1000 }, 0.9);
    const socket = await harness.connected();
    socket.serverCloses(4503, 'retry-after=60');
    await advance(30_000);
    expect(socket.sent).toEqual([]);
  });
});
