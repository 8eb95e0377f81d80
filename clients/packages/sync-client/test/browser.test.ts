import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { T0, advance, flush, setup, useClock } from './harness.js';

class FakeDocument extends EventTarget {
  visibilityState: 'visible' | 'hidden' = 'hidden';
}

const globals = globalThis as { window?: EventTarget; document?: FakeDocument };
let win: EventTarget;
let doc: FakeDocument;

beforeEach(() => {
  useClock();
  win = new EventTarget();
  doc = new FakeDocument();
  globals.window = win;
  globals.document = doc;
});
afterEach(() => {
  delete globals.window;
  delete globals.document;
  vi.useRealTimers();
});

/** A client waiting 60+ s to retry (4503 retry-after=60). */
async function waitingLong(options = {}) {
  const harness = setup({ livenessTimeoutMs: 1e12, ...options }, 0);
  (await harness.connected()).serverCloses(4503, 'retry-after=60; draining');
  expect(harness.lastState()).toMatchObject({ state: 'reconnecting', retryInMs: 60_000 });
  return harness;
}

describe('browser events', () => {
  it('an `online` event while reconnecting opens a socket at once', async () => {
    const harness = await waitingLong();
    win.dispatchEvent(new Event('online'));
    await flush();
    expect(harness.factory.count).toBe(2);
    expect(Date.now()).toBe(T0);
    expect(harness.lastState()).toMatchObject({ state: 'reconnecting', reason: 'browser online' });
    // The old retry timer is gone: no third socket when it would have fired.
    harness.factory.last.establish({ resumed: true });
    await advance(61_000);
    expect(harness.factory.count).toBe(2);
  });

  it('visibilitychange to visible while reconnecting opens a socket at once; to hidden does nothing', async () => {
    const harness = await waitingLong();
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    await flush();
    expect(harness.factory.count).toBe(1);
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    await flush();
    expect(harness.factory.count).toBe(2);
    expect(harness.lastState()).toMatchObject({ state: 'reconnecting', reason: 'tab visible' });
  });

  it('`online` while suspended retries at once and stays suspended', async () => {
    const harness = setup({ backoff: { suspendAfterMs: 1000, suspendedMaxMs: 100_000, minMs: 100_000 } }, 0.5);
    await harness.start();
    vi.setSystemTime(T0 + 2000);
    harness.factory.last.serverCloses(1006);
    expect(harness.lastState()).toMatchObject({ state: 'suspended', retryInMs: 50_000 });
    win.dispatchEvent(new Event('online'));
    await flush();
    expect(harness.factory.count).toBe(2);
    expect(harness.lastState()).toMatchObject({ state: 'suspended', reason: 'browser online' });
  });

  it('`online` while connected and alive changes nothing', async () => {
    const harness = setup();
    const socket = await harness.connected();
    const changes = harness.states.length;
    win.dispatchEvent(new Event('online'));
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    await flush();
    expect(socket.closed).toBe(false);
    expect(harness.factory.count).toBe(1);
    expect(harness.states).toHaveLength(changes);
  });

  it('`online` while connected but silent past the liveness timeout drops the socket and reconnects', async () => {
    const harness = setup({ pingIntervalMs: 1000, livenessTimeoutMs: 2500 }, 0);
    const socket = await harness.connected();
    vi.setSystemTime(T0 + 2501);
    win.dispatchEvent(new Event('online'));
    await flush();
    expect(socket.closeCalls).toHaveLength(1);
    expect(socket.closeCalls[0]!.code).toBe(1000);
    expect(harness.lastState()).toMatchObject({ state: 'reconnecting', reason: 'browser online; nothing heard for too long' });
    await advance(1);
    expect(harness.factory.count).toBe(2);
  });

  it('`online` while the first socket is still connecting opens no second socket', async () => {
    const harness = setup();
    await harness.start();
    win.dispatchEvent(new Event('online'));
    await flush();
    expect(harness.factory.count).toBe(1);
  });

  it('close() removes the listeners; connect() adds them again, once', async () => {
    const addWin = vi.spyOn(win, 'addEventListener');
    const removeWin = vi.spyOn(win, 'removeEventListener');
    const addDoc = vi.spyOn(doc, 'addEventListener');
    const removeDoc = vi.spyOn(doc, 'removeEventListener');
    const harness = setup({}, 0);
    await harness.connected();
    expect(addWin.mock.calls.map((c) => c[0])).toEqual(['online', 'pagehide']);
    expect(addDoc.mock.calls.map((c) => c[0])).toEqual(['visibilitychange']);

    harness.client.close();
    expect(removeWin).toHaveBeenCalledTimes(2);
    expect(removeWin).toHaveBeenCalledWith('online', addWin.mock.calls[0]![1]);
    expect(removeWin).toHaveBeenCalledWith('pagehide', addWin.mock.calls[1]![1]);
    expect(removeDoc).toHaveBeenCalledTimes(1);
    expect(removeDoc).toHaveBeenCalledWith('visibilitychange', addDoc.mock.calls[0]![1]);

    // Closed: the events do nothing.
    win.dispatchEvent(new Event('online'));
    await flush();
    expect(harness.factory.count).toBe(1);

    harness.client.connect();
    await flush();
    expect(addWin).toHaveBeenCalledTimes(4);
    expect(addDoc).toHaveBeenCalledTimes(2);
    // A reconnect cycle does not add more.
    harness.factory.last.establish();
    harness.factory.last.serverCloses(1012);
    await advance(1);
    harness.factory.last.establish();
    expect(addWin).toHaveBeenCalledTimes(4);
  });

  it('watchBrowser: false adds no listeners', async () => {
    const addWin = vi.spyOn(win, 'addEventListener');
    const addDoc = vi.spyOn(doc, 'addEventListener');
    const harness = await waitingLong({ watchBrowser: false });
    win.dispatchEvent(new Event('online'));
    await flush();
    expect(addWin).not.toHaveBeenCalled();
    expect(addDoc).not.toHaveBeenCalled();
    expect(harness.factory.count).toBe(1);
  });
});
