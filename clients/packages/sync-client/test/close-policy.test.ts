import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode, DEFAULT_CLOSE_POLICY, SyncError, backoffDelay, retryAfterMs } from '../src/index.js';
import { ALMOST_ONE, advance, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

describe('DEFAULT_CLOSE_POLICY', () => {
  it('is the table of docs/protocol.md section 5', () => {
    expect(DEFAULT_CLOSE_POLICY).toEqual({
      1012: { kind: 'reconnect-now', maxJitterMs: 1000 },
      4000: { kind: 'reconnect-now', maxJitterMs: 1000 },
      4001: { kind: 'reconnect-now', maxJitterMs: 1000 },
      4002: { kind: 'reconnect-now', maxJitterMs: 1000 },
      4003: { kind: 'backoff', floorMs: 5000 },
      1009: { kind: 'reconnect-now', maxJitterMs: 1000 },
      1008: { kind: 'refresh-token' },
      4401: { kind: 'refresh-token' },
      4403: { kind: 'fail' },
      4429: { kind: 'reconnect' },
      4503: { kind: 'reconnect' },
    });
    expect(CloseCode).toMatchObject({
      NORMAL: 1000, ABNORMAL: 1006, POLICY_VIOLATION: 1008, MESSAGE_TOO_BIG: 1009, SERVICE_RESTART: 1012,
      IDLE_TIMEOUT: 4000, SESSION_EXPIRED: 4001, SLOW_CONSUMER: 4002, RATE_LIMITED: 4003, UNAUTHORIZED: 4401,
      FORBIDDEN: 4403, TOO_MANY_SESSIONS: 4429, UNAVAILABLE: 4503,
    });
  });

  it('retryAfterMs reads `retry-after=<s>` at the start of the reason only', () => {
    expect(retryAfterMs('retry-after=3; too many sessions')).toBe(3000);
    expect(retryAfterMs('retry-after=10')).toBe(10_000);
    expect(retryAfterMs('draining; retry-after=3')).toBeUndefined();
    expect(retryAfterMs('')).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('backoffDelay is full jitter under min(max, min * 2^attempt)', () => {
    expect(backoffDelay(0, 500, 30_000, () => ALMOST_ONE)).toBe(500);
    expect(backoffDelay(3, 500, 30_000, () => ALMOST_ONE)).toBe(4000);
    expect(backoffDelay(10, 500, 30_000, () => ALMOST_ONE)).toBe(30_000);
    expect(backoffDelay(1000, 500, 30_000, () => ALMOST_ONE)).toBe(30_000);
    expect(backoffDelay(3, 500, 30_000, () => 0)).toBe(0);
    expect(backoffDelay(3, 500, 30_000, () => 0.5)).toBe(2000);
  });
});

describe('reconnect now (1012, 4000, 4001, 4002)', () => {
  it.each([1012, 4000, 4001, 4002])('%i: reconnects after the jitter (<= 1000 ms) and resumes', async (code) => {
    const { client, factory, connected, lastState, errors } = setup({}, ALMOST_ONE);
    const socket = await connected({ cursor: 'c-1' });
    socket.serverCloses(code, 'bye');
    expect(lastState()).toMatchObject({
      state: 'reconnecting', previous: 'connected', reason: `closed ${code}: bye`, closeCode: code, retryInMs: 1000,
    });
    expect(client.getSnapshot()).toMatchObject({ lastCloseCode: code, isConnected: false, reconnectAttempts: 1 });
    await advance(999);
    expect(factory.count).toBe(1);
    await advance(1);
    expect(factory.count).toBe(2);
    expect(factory.last.params.get('cursor')).toBe('c-1');
    expect(errors).toEqual([]);
  });

  it('the jitter follows the random source (0.25 -> 250 ms)', async () => {
    const { factory, connected, lastState } = setup({}, 0.25);
    (await connected()).serverCloses(1012, 'draining');
    expect(lastState().retryInMs).toBe(250);
    await advance(249);
    expect(factory.count).toBe(1);
    await advance(1);
    expect(factory.count).toBe(2);
  });

  it('stays within the jitter even after many failed attempts', async () => {
    const { factory, start, lastState } = setup({ backoff: { suspendAfterMs: 10_000_000 } }, ALMOST_ONE);
    await start();
    for (let i = 0; i < 8; i++) {
      factory.last.serverCloses(1006);
      await advance(lastState().retryInMs!);
    }
    factory.last.serverCloses(4002, 'slow');
    expect(lastState().retryInMs).toBe(1000);
  });
});

describe('4003: sent too fast', () => {
  it('waits at least the 5000 ms floor and tells the app', async () => {
    const { factory, connected, lastState, errors } = setup({}, 0);
    (await connected()).serverCloses(4003, 'rate limited');
    expect(lastState()).toMatchObject({ state: 'reconnecting', closeCode: 4003, retryInMs: 5000 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SyncError);
    expect(errors[0]).toMatchObject({ kind: 'too-fast', code: 4003 });
    await advance(4999);
    expect(factory.count).toBe(1);
    await advance(1);
    expect(factory.count).toBe(2);
  });

  it('adds the usual backoff on top of the floor', async () => {
    const { connected, lastState } = setup({}, ALMOST_ONE);
    (await connected()).serverCloses(4003, 'rate limited');
    expect(lastState().retryInMs).toBe(5500);
  });
});

describe('1009: message too big', () => {
  const progress = (image: string) => ({
    shootId: 's1', status: 'processing' as const, processedCount: 1, totalCount: 2, provider: 'p', currentImage: image,
  });

  it('tells the app and never sends the offending message again', async () => {
    const { client, factory, connected, errors } = setup({}, 0.5);
    const first = await connected();
    // Under the client's limit, so it goes out (the gateway may be configured lower).
    expect(client.send('UPDATE_PROGRESS', progress('x'.repeat(40_000)))).toBe(true);
    expect(first.sentTypes).toEqual(['UPDATE_PROGRESS']);
    first.serverCloses(1009, 'message too big');
    expect(errors.map((e) => [e.kind, e.code])).toEqual([['message-too-big', 1009]]);
    expect(client.getSnapshot()).toMatchObject({ state: 'reconnecting', lastCloseCode: 1009 });
    await advance(499);
    expect(factory.count).toBe(1);
    await advance(1);
    expect(factory.count).toBe(2);
    factory.last.establish({ resumed: true });
    await advance(1000);
    expect(factory.last.sentTypes).not.toContain('UPDATE_PROGRESS');
    expect(factory.last.sent).toEqual([]);
  });

  it('send() refuses a message over 64 KiB with false: not sent, not buffered, an error and a drop', async () => {
    const { client, factory, connected, errors } = setup();
    const socket = await connected();
    expect(client.send('UPDATE_PROGRESS', progress('x'.repeat(65_536)))).toBe(false);
    expect(socket.sent).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'message-too-big', code: 1009 });
    expect(client.getSnapshot().stats.drops).toBe(1);
    expect(client.getSnapshot().state).toBe('connected');

    // Multi-byte text is measured in UTF-8 bytes: 22,000 x '€' is 66,000 bytes in 22,000 UTF-16 units.
    expect(client.send('UPDATE_PROGRESS', progress('€'.repeat(22_000)))).toBe(false);
    expect(client.getSnapshot().stats.drops).toBe(2);

    // Refused while disconnected too, and never flushed later.
    socket.serverCloses(1006);
    expect(client.send('UPDATE_PROGRESS', progress('y'.repeat(70_000)))).toBe(false);
    await advance(60_000);
    factory.last.establish();
    expect(factory.last.sent).toEqual([]);
    expect(client.getSnapshot().stats.drops).toBe(3);
  });

  it('the limit is inclusive and configurable (maxMessageBytes)', async () => {
    const { client, connected } = setup({ maxMessageBytes: 100 });
    const socket = await connected();
    const base = JSON.stringify({ type: 'GET_PENDING', payload: { cursor: '' } }).length;
    expect(client.send('GET_PENDING', { cursor: 'x'.repeat(100 - base) })).toBe(true);
    expect(client.send('GET_PENDING', { cursor: 'x'.repeat(101 - base) })).toBe(false);
    expect(socket.sent).toHaveLength(1);
    expect(socket.sent[0]).toHaveLength(100);
  });
});

describe('refused tokens (4401, 1008)', () => {
  it.each([4401, 1008])('%i: gets a new token and retries once; a second refusal in a row -> failed, no more sockets', async (code) => {
    let n = 0;
    const getToken = vi.fn(() => `tok-${++n}`);
    const { client, factory, start, lastState, errors } = setup({ getToken }, 0.5);
    const first = await start();
    expect(first.params.get('token')).toBe('tok-1');
    first.serverCloses(code, 'token expired');
    expect(lastState()).toMatchObject({ state: 'reconnecting', closeCode: code, retryInMs: 500 });
    expect(errors.map((e) => [e.kind, e.code])).toEqual([['auth', code]]);
    await advance(499);
    expect(factory.count).toBe(1);
    await advance(1);
    expect(factory.count).toBe(2);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(factory.last.params.get('token')).toBe('tok-2');

    factory.last.serverCloses(code, 'token expired');
    expect(lastState()).toMatchObject({
      state: 'failed', previous: 'reconnecting', closeCode: code, reason: `token refused twice (closed ${code}: token expired)`,
    });
    expect(client.getSnapshot().state).toBe('failed');
    await advance(3_600_000);
    expect(factory.count).toBe(2);
    expect(getToken).toHaveBeenCalledTimes(2);

    // connect() starts over.
    client.connect();
    await advance(0);
    expect(factory.count).toBe(3);
    expect(client.getSnapshot().state).toBe('connecting');
    expect(getToken).toHaveBeenCalledTimes(3);
  });

  it('1008 then 4401 in a row also ends in failed', async () => {
    const { factory, start, lastState } = setup({ getToken: () => 'tok' }, 0);
    (await start()).serverCloses(1008, 'policy');
    await advance(1);
    expect(factory.count).toBe(2);
    factory.last.serverCloses(4401, 'unauthorized');
    expect(lastState().state).toBe('failed');
  });

  it('a refusal after a successful connection starts the count again', async () => {
    const getToken = vi.fn(() => 'tok');
    const { factory, start, lastState } = setup({ getToken }, 0);
    (await start()).serverCloses(4401);
    await advance(1);
    factory.last.establish();
    factory.last.serverCloses(4401);
    expect(lastState()).toMatchObject({ state: 'reconnecting', closeCode: 4401 });
    await advance(1);
    expect(factory.count).toBe(3);
    expect(getToken).toHaveBeenCalledTimes(3);
  });
});

describe('4403: forbidden', () => {
  it('fails at once and opens no socket until connect()', async () => {
    const getToken = vi.fn(() => 'tok');
    const { client, factory, start, lastState, errors } = setup({ getToken }, 0);
    (await start()).serverCloses(4403, 'org not allowed');
    expect(lastState()).toMatchObject({ state: 'failed', previous: 'connecting', closeCode: 4403, reason: 'closed 4403: org not allowed' });
    expect(client.getSnapshot()).toMatchObject({ state: 'failed', isConnected: false, lastCloseCode: 4403 });
    expect(errors).toEqual([]);
    await advance(3_600_000);
    expect(factory.count).toBe(1);
    expect(getToken).toHaveBeenCalledTimes(1);
    client.connect();
    await advance(0);
    expect(factory.count).toBe(2);
  });
});

describe('refusals with retry-after (4429, 4503)', () => {
  it.each([4429, 4503])('%i retry-after=3: no socket before 3000 ms', async (code) => {
    const { factory, start, lastState } = setup({}, 0);
    (await start()).serverCloses(code, 'retry-after=3; too many sessions');
    expect(lastState()).toMatchObject({ state: 'reconnecting', closeCode: code, retryInMs: 3000 });
    await advance(2999);
    expect(factory.count).toBe(1);
    await advance(1);
    expect(factory.count).toBe(2);
  });

  it('adds up to 1 s of jitter to retry-after', async () => {
    const { start, lastState } = setup({}, ALMOST_ONE);
    (await start()).serverCloses(4503, 'retry-after=3; draining');
    expect(lastState().retryInMs).toBe(4000);
  });

  it('retry-after applies whatever the action (4003 with retry-after=9)', async () => {
    const { connected, lastState } = setup({}, 0);
    (await connected()).serverCloses(4003, 'retry-after=9; slow down');
    expect(lastState().retryInMs).toBe(9000);
  });

  it('4503 without retry-after uses the usual backoff', async () => {
    const { start, lastState } = setup({}, ALMOST_ONE);
    (await start()).serverCloses(4503, 'draining');
    expect(lastState().retryInMs).toBe(500);
  });
});

describe('other codes', () => {
  it.each([1006, 1000, 1011, 4999])('%i: exponential backoff', async (code) => {
    const { factory, start, lastState } = setup({}, ALMOST_ONE);
    await start();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      factory.last.serverCloses(code);
      const delay = lastState().retryInMs!;
      delays.push(delay);
      expect(lastState()).toMatchObject({ state: 'reconnecting', closeCode: code });
      await advance(delay - 1);
      expect(factory.count).toBe(i + 1);
      await advance(1);
      expect(factory.count).toBe(i + 2);
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000]);
  });
});

describe('closePolicy overrides', () => {
  it('replaces one entry and keeps the others', async () => {
    const { factory, connected, lastState } = setup({ closePolicy: { 4000: { kind: 'fail' } } }, 0);
    (await connected()).serverCloses(1012, 'draining');
    expect(lastState().state).toBe('reconnecting');
    await advance(1);
    factory.last.establish();
    factory.last.serverCloses(4000, 'idle');
    expect(lastState()).toMatchObject({ state: 'failed', closeCode: 4000 });
    await advance(600_000);
    expect(factory.count).toBe(2);
  });

  it('can make an unknown code reconnect now with its own jitter', async () => {
    const { connected, lastState } = setup({ closePolicy: { 1006: { kind: 'reconnect-now', maxJitterMs: 50 } } }, ALMOST_ONE);
    (await connected()).serverCloses(1006);
    expect(lastState().retryInMs).toBe(50);
  });

  it('can lower the 4003 floor; the app is still told it sent too fast', async () => {
    const { connected, lastState, errors } = setup({ closePolicy: { 4003: { kind: 'backoff', floorMs: 1000 } } }, 0);
    (await connected()).serverCloses(4003);
    expect(lastState().retryInMs).toBe(1000);
    expect(errors.map((e) => e.kind)).toEqual(['too-fast']);
  });

  it('can retry 4403 instead of failing', async () => {
    const { factory, start, lastState } = setup({ closePolicy: { 4403: { kind: 'reconnect' } } }, ALMOST_ONE);
    (await start()).serverCloses(4403);
    expect(lastState()).toMatchObject({ state: 'reconnecting', retryInMs: 500 });
    await advance(500);
    expect(factory.count).toBe(2);
  });
});
