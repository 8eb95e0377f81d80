import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ALMOST_ONE, T0, advance, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

/** Fails the current socket with 1006 `times` times, each retry waited out; returns the delays and states. */
async function failRepeatedly(harness: ReturnType<typeof setup>, times: number) {
  const delays: number[] = [];
  const states: string[] = [];
  for (let i = 0; i < times; i++) {
    const before = harness.factory.count;
    harness.factory.last.serverCloses(1006);
    const { retryInMs, state } = harness.lastState();
    delays.push(retryInMs!);
    states.push(state);
    await advance(retryInMs! - 1);
    expect(harness.factory.count).toBe(before);
    await advance(1);
    expect(harness.factory.count).toBe(before + 1);
  }
  return { delays, states };
}

describe('full-jitter exponential backoff', () => {
  it('with random ~1 the delays are min * 2^n, capped at max (defaults 500 ms / 30 s)', async () => {
    const harness = setup({ backoff: { suspendAfterMs: 10_000_000 } }, ALMOST_ONE);
    await harness.start();
    const { delays, states } = await failRepeatedly(harness, 10);
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000, 30_000]);
    expect(new Set(states)).toEqual(new Set(['reconnecting']));
    expect(harness.client.getSnapshot().reconnectAttempts).toBe(10);
  });

  it('uses minMs / maxMs from the options', async () => {
    const harness = setup({ backoff: { minMs: 100, maxMs: 1000, suspendAfterMs: 10_000_000 } }, ALMOST_ONE);
    await harness.start();
    const { delays } = await failRepeatedly(harness, 6);
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('with random 0.5 the delays are half the ceiling (full jitter, not equal jitter)', async () => {
    const harness = setup({ backoff: { suspendAfterMs: 10_000_000 } }, 0.5);
    await harness.start();
    const { delays } = await failRepeatedly(harness, 4);
    expect(delays).toEqual([250, 500, 1000, 2000]);
  });

  it('a connection shorter than stableAfterMs keeps the attempt count', async () => {
    const harness = setup({ backoff: { stableAfterMs: 10_000, suspendAfterMs: 10_000_000 } }, ALMOST_ONE);
    await harness.start();
    await failRepeatedly(harness, 3);
    harness.factory.last.establish();
    expect(harness.client.getSnapshot().reconnectAttempts).toBe(3);
    await advance(9_999);
    expect(harness.client.getSnapshot().reconnectAttempts).toBe(3);
    harness.factory.last.serverCloses(1006);
    expect(harness.lastState().retryInMs).toBe(4000);
  });

  it('attempts reset after stableAfterMs of a stable connection', async () => {
    const harness = setup({ backoff: { stableAfterMs: 10_000, suspendAfterMs: 10_000_000 } }, ALMOST_ONE);
    await harness.start();
    await failRepeatedly(harness, 3);
    harness.factory.last.establish();
    await advance(10_000);
    expect(harness.client.getSnapshot().reconnectAttempts).toBe(0);
    expect(harness.lastState()).toMatchObject({ state: 'connected', previous: 'connected', reason: 'connection stable' });
    harness.factory.last.serverCloses(1006);
    expect(harness.lastState().retryInMs).toBe(500);
  });

  it('becomes suspended after suspendAfterMs without a connection; delays are capped by suspendedMaxMs', async () => {
    const harness = setup({ backoff: { minMs: 100, maxMs: 1000, suspendAfterMs: 5000, suspendedMaxMs: 3000 } }, ALMOST_ONE);
    await harness.start();
    const { delays, states } = await failRepeatedly(harness, 11);
    // Closes at t = 0, 100, 300, 700, 1500, 2500, 3500, 4500 are within 5 s of connect(); 5500 on are not.
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000, 1000, 1000, 3000, 3000, 3000]);
    expect(states).toEqual([...Array(8).fill('reconnecting'), 'suspended', 'suspended', 'suspended']);
    expect(harness.states.find((s) => s.state === 'suspended')).toMatchObject({ previous: 'reconnecting', closeCode: 1006 });
    expect(harness.client.getSnapshot().state).toBe('suspended');

    // A connection ends the outage: the next loss is `reconnecting` again.
    harness.factory.last.establish();
    expect(harness.client.getSnapshot().state).toBe('connected');
    harness.factory.last.serverCloses(1006);
    expect(harness.lastState().state).toBe('reconnecting');
  });

  it('losing a long-lived connection is `reconnecting`, not `suspended`', async () => {
    const harness = setup({ livenessTimeoutMs: 1e12 }, ALMOST_ONE);
    await harness.connected();
    await advance(10 * 60_000);
    harness.factory.last.serverCloses(1006);
    expect(harness.lastState()).toMatchObject({ state: 'reconnecting', retryInMs: 500 });
  });

  it('the default suspends after 2 minutes and retries at most every 2 minutes, and never gives up', async () => {
    const harness = setup({}, ALMOST_ONE);
    await harness.start();
    const { delays, states } = await failRepeatedly(harness, 50);
    expect(harness.factory.count).toBe(51);
    // 500 .. 16000 (61.5 s), 30 s x 2 (121.5 s): the 10th close is past 2 minutes.
    expect(delays.slice(0, 9)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(states.slice(0, 9).every((s) => s === 'reconnecting')).toBe(true);
    expect(delays.slice(9).every((d) => d === 120_000)).toBe(true);
    expect(states.slice(9).every((s) => s === 'suspended')).toBe(true);
    // The 51st failure still schedules a retry.
    harness.factory.last.serverCloses(1006);
    expect(harness.lastState()).toMatchObject({ state: 'suspended', retryInMs: 120_000 });
    await advance(120_000);
    expect(harness.factory.count).toBe(52);
    expect(harness.client.getSnapshot().reconnectAttempts).toBe(51);
    expect(Date.now() - T0).toBeGreaterThan(50 * 60_000);
  });

  it('a throwing createSocket is retried with backoff', async () => {
    let fail = true;
    const harness = setup({ backoff: { suspendAfterMs: 10_000_000 } }, ALMOST_ONE);
    const create = harness.factory.create;
    const { SyncClient } = await import('../src/index.js');
    const client = new SyncClient({
      url: 'wss://sync.example.com/ws', random: () => ALMOST_ONE, transport: 'websocket',
      createSocket: (url) => {
        if (fail) throw new Error('network down');
        return create(url);
      },
    });
    const states: string[] = [];
    client.onStateChange((s) => states.push(`${s.state}:${s.retryInMs}`));
    client.connect();
    await advance(0);
    expect(states).toEqual(['connecting:undefined', 'reconnecting:500']);
    fail = false;
    await advance(500);
    expect(harness.factory.count).toBe(1);
    client.close();
  });
});
