import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { advance, flush, setup, useClock } from './harness.js';

class FakeDocument extends EventTarget {
  visibilityState: 'visible' | 'hidden' = 'visible';
}

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

const event = (n: number) => ({ id: `e${n}`, type: 'CREDIT_UPDATE', data: { n }, cursor: `c-${n}` });

describe('automatic acknowledgements', () => {
  it('N events in an interval: one ACK frame, with the last cursor, after the handlers ran', async () => {
    const { client, connected } = setup();
    const socket = await connected({ cursor: 'c-0' });
    // The connection's first cursor is acknowledged at once (nothing was acked within the interval).
    expect(socket.acks).toEqual(['c-0']);
    const handled: number[] = [];
    client.on('CREDIT_UPDATE', (data) => {
      handled.push((data as { n: number }).n);
      // The ACK for this event is never written before its handler ran.
      expect(socket.acks).not.toContain(`c-${(data as { n: number }).n}`);
    });
    for (let n = 1; n <= 50; n++) socket.serverSends(event(n));
    expect(handled).toHaveLength(50);
    expect(socket.acks).toEqual(['c-0']);
    await advance(999);
    expect(socket.acks).toEqual(['c-0']);
    await advance(1);
    expect(socket.acks).toEqual(['c-0', 'c-50']);
    expect(socket.sent.filter((raw) => raw.includes('"ACK"'))).toEqual([
      JSON.stringify({ type: 'ACK', payload: { cursor: 'c-0' } }),
      JSON.stringify({ type: 'ACK', payload: { cursor: 'c-50' } }),
    ]);
    // Nothing new: no more ACK frames.
    await advance(10_000);
    expect(socket.acks).toHaveLength(2);
  });

  it('a steady stream: at most one ACK frame per ackIntervalMs', async () => {
    const { connected } = setup({ ackIntervalMs: 5000, pingIntervalMs: 1e9, livenessTimeoutMs: 1e12 });
    const socket = await connected({ cursor: 'c-0' });
    for (let n = 1; n <= 100; n++) {
      socket.serverSends(event(n));
      await advance(200); // 5 events a second for 20 s
    }
    expect(socket.acks).toHaveLength(1 + 4);
    await advance(5000);
    expect(socket.acks.at(-1)).toBe('c-100');
  });

  it('events held during a resync are acknowledged only once onResync is done', async () => {
    let refetched!: () => void;
    const { connected } = setup({ onResync: () => new Promise<void>((done) => { refetched = done; }) });
    const socket = await connected({ cursor: 'c-0' });
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'gap', cursor: 'fresh' } });
    socket.serverSends(event(1));
    await advance(5000);
    expect(socket.acks).toEqual(['c-0']);
    refetched();
    await advance(1000);
    expect(socket.acks).toEqual(['c-0', 'fresh', 'c-1']);
  });

  it('while disconnected the ACK waits; it is written on the next connection', async () => {
    const { factory, connected } = setup({}, 0);
    const socket = await connected({ cursor: 'c-0' });
    socket.serverSends(event(1));
    socket.serverCloses(1006);
    await advance(1000);
    expect(socket.acks).toEqual(['c-0']);
    factory.last.establish({ resumed: true, cursor: 'c-1' });
    expect(factory.last.acks).toEqual(['c-1']);
  });

  it('autoAck: false sends none; client.ack(cursor) acknowledges manually, batched too', async () => {
    const { client, connected } = setup({ autoAck: false });
    const socket = await connected({ cursor: 'c-0' });
    for (let n = 1; n <= 5; n++) socket.serverSends(event(n));
    await advance(5000);
    expect(socket.acks).toEqual([]);
    client.ack('c-3');
    client.ack('c-4');
    expect(socket.acks).toEqual(['c-3']);
    client.ack('c-5');
    await advance(1000);
    expect(socket.acks).toEqual(['c-3', 'c-5']);
    client.ack(); // the last processed cursor: already acknowledged
    await advance(1000);
    expect(socket.acks).toEqual(['c-3', 'c-5']);
  });

  it('close() writes the pending ACK before closing the socket', async () => {
    const { client, connected } = setup();
    const socket = await connected({ cursor: 'c-0' });
    socket.serverSends(event(1));
    client.close();
    expect(socket.acks).toEqual(['c-0', 'c-1']);
    expect(socket.sentWhileNotOpen).toEqual([]);
  });

  it('a tab going hidden, or pagehide, writes the pending ACK at once', async () => {
    const globals = globalThis as { window?: EventTarget; document?: FakeDocument };
    globals.window = new EventTarget();
    globals.document = new FakeDocument();
    try {
      const { connected } = setup();
      const socket = await connected({ cursor: 'c-0' });
      socket.serverSends(event(1));
      globals.document.visibilityState = 'hidden';
      globals.document.dispatchEvent(new Event('visibilitychange'));
      expect(socket.acks).toEqual(['c-0', 'c-1']);
      await advance(500);
      socket.serverSends(event(2));
      socket.serverSends(event(3));
      globals.window.dispatchEvent(new Event('pagehide'));
      expect(socket.acks).toEqual(['c-0', 'c-1', 'c-3']);
    } finally {
      delete globals.window;
      delete globals.document;
    }
  });

  it('a gateway from before acknowledgements (ERROR UNKNOWN_TYPE for ACK): no more ACKs on that connection, no error for the app', async () => {
    const { factory, connected, errors } = setup({}, 0);
    const socket = await connected({ cursor: 'c-0' });
    socket.serverSends({ type: 'ERROR', data: { code: 'UNKNOWN_TYPE', reason: "type: unknown type 'ACK'" } });
    for (let n = 1; n <= 5; n++) {
      socket.serverSends(event(n));
      await advance(1000);
    }
    expect(socket.acks).toEqual(['c-0']);
    expect(errors).toEqual([]);
    // Another pod may know ACK: the next connection tries again.
    socket.serverCloses(1012);
    await advance(1);
    factory.last.establish({ resumed: true, cursor: 'c-5' });
    expect(factory.last.acks).toEqual(['c-5']);
    // Other UNKNOWN_TYPE errors still reach the app.
    factory.last.serverSends({ type: 'ERROR', data: { code: 'UNKNOWN_TYPE', reason: "type: unknown type 'FOO'" } });
    await flush();
    expect(errors.map((e) => e.code)).toEqual(['UNKNOWN_TYPE']);
  });
});
