// What the gateway says about itself in CONNECTION_ESTABLISHED (heartbeatIntervalMs, maxMessageBytes, inboundRate,
// inboundBurst) is what the client follows; the app's options win; the seeds' object forms of send().
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULTS } from '../src/index.js';
import { T0, advance, flush, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

const progress = (n: number, currentImage = `IMG_${n}.jpg`) =>
  ({ shootId: 's1', status: 'processing' as const, processedCount: n, totalCount: 100, provider: 'p', currentImage });
const pings = (sent: string[]) => sent.filter((raw) => JSON.parse(raw).type === 'PING').length;

describe('the ping interval is the gateway\'s heartbeatIntervalMs', () => {
  it('PINGs every heartbeatIntervalMs the gateway announced, not the SDK default', async () => {
    const harness = setup();
    const socket = await harness.connected({ heartbeatIntervalMs: 5_000 });
    await advance(4_999);
    expect(pings(socket.sent)).toBe(0);
    socket.serverSends({ type: 'PONG', data: {} });
    await advance(1);
    expect(pings(socket.sent)).toBe(1);
    await advance(5_000);
    expect(pings(socket.sent)).toBe(2);
  });

  it('the liveness timeout is 2.5 announced intervals: 12.5 s of silence with a 5 s heartbeat is dead', async () => {
    const harness = setup();
    const socket = await harness.connected({ heartbeatIntervalMs: 5_000 });
    vi.setSystemTime(T0 + 12_501);
    harness.client.send('UPDATE_PROGRESS', progress(1));
    await flush();
    expect(socket.sentTypes).toEqual([]);
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'nothing heard within the liveness timeout' }]);
  });

  it('the app\'s pingIntervalMs wins over the announced interval', async () => {
    const harness = setup({ pingIntervalMs: 2_000 });
    const socket = await harness.connected({ heartbeatIntervalMs: 30_000 });
    socket.serverSends({ type: 'PONG', data: {} });
    await advance(2_000);
    expect(pings(socket.sent)).toBe(1);
  });

  it('a gateway that announces nothing gets DEFAULTS.pingIntervalMs', async () => {
    const harness = setup();
    const socket = await harness.start();
    socket.readyState = 1;
    socket.serverSends({ type: 'CONNECTION_ESTABLISHED', data: { connectionId: 'c', userId: 'u', deviceId: 'd', pod: 'p', resumed: false } });
    await advance(DEFAULTS.pingIntervalMs - 1);
    expect(pings(socket.sent)).toBe(0);
    socket.serverSends({ type: 'PONG', data: {} });
    await advance(1);
    expect(pings(socket.sent)).toBe(1);
  });
});

describe('the message size limit is the gateway\'s maxMessageBytes', () => {
  it('a message over the announced limit is refused before sending (message-too-big); one within it goes out', async () => {
    const harness = setup();
    const socket = await harness.connected({ maxMessageBytes: 1_000 });
    expect(harness.client.send('UPDATE_PROGRESS', progress(1, 'x'.repeat(1_000)))).toBe(false);
    expect(harness.errors.map((e) => e.kind)).toEqual(['message-too-big']);
    expect(harness.client.send('UPDATE_PROGRESS', progress(2, 'x'.repeat(500)))).toBe(true);
    expect(socket.frames.map((f) => (f.payload as { processedCount: number }).processedCount)).toEqual([2]);
  });

  it('a gateway configured for larger messages gets them (no SDK copy of 64 KiB in the way)', async () => {
    const harness = setup();
    const socket = await harness.connected({ maxMessageBytes: 1_048_576 });
    expect(harness.client.send('UPDATE_PROGRESS', progress(1, 'x'.repeat(100_000)))).toBe(true);
    expect(socket.frames).toHaveLength(1);
    expect(harness.errors).toEqual([]);
  });
});

describe('a backlog drains at the gateway\'s announced rate', () => {
  it('inboundRate 4/s: 3 a second (three quarters, room left for PING and ACK)', async () => {
    const harness = setup();
    for (let n = 1; n <= 7; n++) harness.client.send('UPDATE_PROGRESS', progress(n));
    const socket = await harness.start();
    socket.establish({ inboundRate: 4, inboundBurst: 8 });
    expect(socket.frames).toHaveLength(3);
    await advance(1_000);
    expect(socket.frames).toHaveLength(6);
    await advance(1_000);
    expect(socket.frames).toHaveLength(7);
  });

  it('a burst smaller than the rate bounds a batch too: inboundRate 100, inboundBurst 8 -> 6 at once', async () => {
    const harness = setup();
    for (let n = 1; n <= 20; n++) harness.client.send('UPDATE_PROGRESS', progress(n));
    const socket = await harness.start();
    socket.establish({ inboundRate: 100, inboundBurst: 8 });
    expect(socket.frames).toHaveLength(6);
  });
});

describe('send() takes the seeds\' object forms', () => {
  it('seed 001: send({ type, payload }) sends that payload, not { payload: {...} }', async () => {
    const harness = setup();
    const socket = await harness.connected();
    const payload = progress(15);
    harness.client.send({ type: 'UPDATE_PROGRESS', payload });
    expect(socket.frames).toEqual([{ type: 'UPDATE_PROGRESS', id: expect.any(String), payload }]);
  });

  it('seed 004: send({ type, ...fields }) sends the fields as the payload', async () => {
    const harness = setup();
    const socket = await harness.connected();
    harness.client.send({ type: 'message_generate', message: 'Hello, AI!', timestamp: '2026-01-01T00:00:00Z' });
    expect(socket.frames).toEqual([
      { type: 'message_generate', id: expect.any(String), payload: { message: 'Hello, AI!', timestamp: '2026-01-01T00:00:00Z' } },
    ]);
  });

  it('an object with a payload and other fields is refused with a reason (which one is the payload?)', async () => {
    const harness = setup();
    const socket = await harness.connected();
    expect(() => harness.client.send({ type: 'UPDATE_PROGRESS', payload: progress(1), timestamp: 1 })).toThrow(
      /takes no other fields \(got timestamp\)/,
    );
    expect(socket.frames).toEqual([]);
  });
});
