import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncClient, memoryCursorStore } from '../src/index.js';
import { fakeSocketFactory } from './fake-socket.js';
import { URL_BASE, advance, flush, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

describe('connecting', () => {
  it('builds the URL with the token and refusal=close; with no cursor of its own it asks for the acknowledged one', async () => {
    const getToken = vi.fn(() => 'tok-1');
    const { sockets, start } = setup({ getToken });
    const socket = await start();
    expect(sockets).toHaveLength(1);
    const url = new URL(socket.url);
    expect(url.origin + url.pathname).toBe(URL_BASE);
    expect(url.searchParams.get('token')).toBe('tok-1');
    expect(url.searchParams.get('refusal')).toBe('close');
    expect(url.searchParams.get('cursor')).toBe('acked');
    expect([...url.searchParams.keys()].sort()).toEqual(['cursor', 'refusal', 'token']);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('resumeFromAcknowledged: false connects without a cursor the first time', async () => {
    const { start } = setup({ resumeFromAcknowledged: false });
    const socket = await start();
    expect(socket.params.has('cursor')).toBe(false);
  });

  it('omits the token without getToken, and keeps the path and existing query of the url', async () => {
    const { start } = setup({ url: 'wss://sync.example.com/api/ws/sync/org-7?x=1' });
    const socket = await start();
    const url = new URL(socket.url);
    expect(url.pathname).toBe('/api/ws/sync/org-7');
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.has('token')).toBe(false);
    expect(url.searchParams.get('refusal')).toBe('close');
  });

  it('passes the known cursor (URL-encoded) on connect', async () => {
    const cursorStore = memoryCursorStore();
    cursorStore.save(`kull-sync-cursor:${URL_BASE}:-:-`, 'p0:17/p1:4+x');
    const { start } = setup({ cursorStore });
    const socket = await start();
    expect(socket.params.get('cursor')).toBe('p0:17/p1:4+x');
  });

  it('goes idle -> connecting -> connected with reasons and fills the snapshot', async () => {
    const { client, states, start } = setup({ getToken: () => 'tok' });
    expect(client.getSnapshot()).toMatchObject({
      state: 'idle', reason: 'created', isConnected: false, reconnectAttempts: 0, pod: undefined,
      connectionId: undefined, deviceId: undefined, resumed: false, cursor: undefined, lastCloseCode: undefined,
    });
    const socket = await start();
    expect(states).toEqual([
      { state: 'connecting', previous: 'idle', reason: 'connect() called', closeCode: undefined, retryInMs: undefined },
    ]);
    expect(client.getSnapshot().isConnected).toBe(false);

    socket.establish({ pod: 'pod-a', connectionId: 'c-42', deviceId: 'd-9', cursor: 'cur-1' });
    expect(states.map((s) => [s.previous, s.state, s.reason])).toEqual([
      ['idle', 'connecting', 'connect() called'],
      ['connecting', 'connected', 'connected to pod pod-a'],
    ]);
    expect(client.getSnapshot()).toMatchObject({
      state: 'connected', reason: 'connected to pod pod-a', isConnected: true, pod: 'pod-a', connectionId: 'c-42',
      deviceId: 'd-9', resumed: false, cursor: 'cur-1', reconnectAttempts: 0,
    });
    expect(client.getSnapshot().stats).toEqual({ reconnects: 0, resumes: 0, replayed: 0, resyncs: 0, drops: 0, duplicates: 0 });
  });

  it('reports a resumed connection on another pod (reason, resumed, stats)', async () => {
    const { client, factory, connected, lastState } = setup({}, 0);
    await connected({ pod: 'pod-a', cursor: 'c1' });
    factory.last.serverCloses(1012, 'draining');
    await advance(1);
    expect(factory.count).toBe(2);
    factory.last.establish({ pod: 'pod-b', resumed: true, connectionId: 'c-2' });
    expect(lastState()).toMatchObject({ state: 'connected', previous: 'reconnecting', reason: 'resumed on pod pod-b' });
    expect(client.getSnapshot()).toMatchObject({ pod: 'pod-b', connectionId: 'c-2', resumed: true, isConnected: true });
    expect(client.getSnapshot().stats).toMatchObject({ reconnects: 1, resumes: 1 });
  });

  it('connect() while active does not open a second socket', async () => {
    const { client, factory, connected } = setup();
    await connected();
    client.connect();
    await flush();
    expect(factory.count).toBe(1);
    expect(client.getSnapshot().state).toBe('connected');
  });

  it('replaces the snapshot object on every change and notifies onSnapshot', async () => {
    const { client, start } = setup();
    const listener = vi.fn();
    client.onSnapshot(listener);
    const before = client.getSnapshot();
    const socket = await start();
    const connecting = client.getSnapshot();
    expect(connecting).not.toBe(before);
    expect(before.state).toBe('idle');
    socket.establish();
    expect(client.getSnapshot()).not.toBe(connecting);
    expect(listener.mock.calls.length).toBeGreaterThanOrEqual(2);
  });

  it('gives up a socket with no CONNECTION_ESTABLISHED after 15 s and retries with backoff', async () => {
    const { factory, start, lastState } = setup({}, 0);
    const socket = await start();
    await advance(14_999);
    expect(socket.closed).toBe(false);
    await advance(1);
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'no CONNECTION_ESTABLISHED in time' }]);
    expect(lastState()).toMatchObject({ state: 'reconnecting', reason: 'no CONNECTION_ESTABLISHED in time', retryInMs: 0 });
    // Node (and its fake timers) run a 0 ms timeout after 1 ms.
    await advance(1);
    expect(factory.count).toBe(2);
  });
});

describe('cursor', () => {
  it('keeps the cursor of the last delivered event and of PONG / CONNECTION_ESTABLISHED / PENDING_CHECK_COMPLETE / SUBSCRIBED', async () => {
    const { client, connected } = setup();
    const socket = await connected({ cursor: 'c-est' });
    expect(client.getSnapshot().cursor).toBe('c-est');

    socket.serverSends({ id: 'e1', type: 'CREDIT_UPDATE', data: { userId: 'u', newBalance: 5, change: 1, reason: 'r' }, cursor: 'c-event' });
    expect(client.getSnapshot().cursor).toBe('c-event');

    socket.serverSends({ type: 'PONG', data: { timestamp: 1, cursor: 'c-pong' } });
    expect(client.getSnapshot().cursor).toBe('c-pong');

    socket.serverSends({ type: 'PENDING_CHECK_COMPLETE', data: { delivered: 0, cursor: 'c-pending' } });
    expect(client.getSnapshot().cursor).toBe('c-pending');

    socket.serverSends({ type: 'SUBSCRIBED', data: { orgId: 'o1', cursor: 'c-sub' } });
    expect(client.getSnapshot().cursor).toBe('c-sub');

    // A flat org event carries its cursor at the top level.
    socket.serverSends({ type: 'SYNC_STARTED', jobId: 'j', timestamp: '2026-01-01T00:00:00Z', cursor: 'c-flat' });
    expect(client.getSnapshot().cursor).toBe('c-flat');

    // A message without a cursor keeps the last one.
    socket.serverSends({ type: 'PONG', data: { timestamp: 2 } });
    socket.serverSends({ id: 'e2', type: 'custom_type', data: { x: 1 } });
    expect(client.getSnapshot().cursor).toBe('c-flat');
  });

  it('reconnects with the latest cursor', async () => {
    const { factory, connected } = setup({}, 0);
    const socket = await connected({ cursor: 'c-1' });
    socket.serverSends({ id: 'e1', type: 'CREDIT_UPDATE', data: {}, cursor: 'c-2' });
    socket.serverSends({ type: 'PONG', data: { timestamp: 1, cursor: 'c-3' } });
    socket.serverCloses(1006);
    await advance(1);
    expect(factory.count).toBe(2);
    expect(factory.last.params.get('cursor')).toBe('c-3');
    expect(factory.last.params.get('refusal')).toBe('close');

    // The next connection's cursor is carried over again.
    factory.last.establish({ resumed: true, cursor: 'c-4' });
    factory.last.serverCloses(4000);
    await advance(1);
    expect(factory.count).toBe(3);
    expect(factory.last.params.get('cursor')).toBe('c-4');
  });
});

describe('dedupe', () => {
  it('does not dispatch an event replayed after a reconnect, and counts it', async () => {
    const { client, factory, connected } = setup({}, 0);
    const seen: string[] = [];
    client.on('CREDIT_UPDATE', (_data, message) => seen.push(message.id!));
    const first = await connected({ cursor: 'c0' });
    first.serverSends({ id: 'e1', type: 'CREDIT_UPDATE', data: { newBalance: 1 }, cursor: 'c1' });
    first.serverCloses(1006);
    await advance(1);
    const second = factory.last;
    expect(second.params.get('cursor')).toBe('c1');
    second.establish({ resumed: true });
    second.serverSends({ id: 'e1', type: 'CREDIT_UPDATE', data: { newBalance: 1 }, cursor: 'c1' });
    second.serverSends({ id: 'e2', type: 'CREDIT_UPDATE', data: { newBalance: 2 }, cursor: 'c2' });
    expect(seen).toEqual(['e1', 'e2']);
    expect(client.getSnapshot().stats.duplicates).toBe(1);
    expect(client.getSnapshot().cursor).toBe('c2');
  });

  it('publishes stats.duplicates in the snapshot as soon as a duplicate is skipped', async () => {
    const { client, connected } = setup();
    const socket = await connected();
    socket.serverSends({ id: 'e1', type: 'CREDIT_UPDATE', data: {} });
    const listener = vi.fn();
    client.onSnapshot(listener);
    socket.serverSends({ id: 'e1', type: 'CREDIT_UPDATE', data: {} });
    // The duplicate is the last thing that happened: the snapshot must show it (useSyncExternalStore reads only it).
    expect(client.getSnapshot().stats.duplicates).toBe(1);
    expect(listener).toHaveBeenCalled();
  });

  it('remembers only the last dedupeWindow ids', async () => {
    const { client, connected } = setup({ dedupeWindow: 2 });
    const handler = vi.fn();
    client.on('X', handler);
    const socket = await connected();
    for (const id of ['a', 'b', 'c', 'a', 'c']) socket.serverSends({ id, type: 'X', data: id });
    // 'a' fell out of the window when 'c' arrived; 'c' is still remembered.
    expect(handler.mock.calls.map((call) => call[0])).toEqual(['a', 'b', 'c', 'a']);
  });
});

describe('debug', () => {
  it('sends log lines to a debug function', async () => {
    const debug = vi.fn();
    const { connected } = setup({ debug });
    const socket = await connected({ pod: 'pod-z' });
    socket.serverCloses(1012, 'draining');
    const lines = debug.mock.calls.map((args) => args.map(String).join(' '));
    expect(lines).toContain('idle -> connecting: connect() called');
    expect(lines).toContain(`connecting ${URL_BASE} fresh`);
    expect(lines).toContain('connecting -> connected: connected to pod pod-z');
    expect(lines).toContain('closed 1012 draining');
    expect(lines.some((line) => line.startsWith('connected -> reconnecting: closed 1012: draining'))).toBe(true);
  });

  it('logs nothing to the console without debug', async () => {
    const spy = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const { connected } = setup();
    await connected();
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('debug: true logs to console.debug with the ws:sync prefix', async () => {
    const spy = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const { connected } = setup({ debug: true });
    await connected();
    expect(spy).toHaveBeenCalledWith('ws:sync', 'idle -> connecting: connect() called');
    spy.mockRestore();
  });
});

describe('close()', () => {
  it('closes the socket with 1000, becomes closed and does not reconnect', async () => {
    const { client, factory, states, connected } = setup();
    const socket = await connected();
    client.close();
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'closed by the app' }]);
    expect(client.getSnapshot()).toMatchObject({ state: 'closed', reason: 'close() called', isConnected: false });
    expect(states[states.length - 1]).toMatchObject({ state: 'closed', previous: 'connected' });
    // The socket's late close event (handlers detached) and any timer change nothing.
    socket.serverCloses(1000);
    await advance(600_000);
    expect(factory.count).toBe(1);
    expect(client.getSnapshot().state).toBe('closed');
    // No PING is written after close.
    expect(socket.sentTypes).not.toContain('PING');
  });

  it('cancels a scheduled retry', async () => {
    const { client, factory, connected } = setup({}, 0.5);
    const socket = await connected();
    socket.serverCloses(1006);
    expect(client.getSnapshot().state).toBe('reconnecting');
    client.close();
    await advance(600_000);
    expect(factory.count).toBe(1);
  });

  it('close() twice is harmless; connect() afterwards works again and keeps handlers and cursor', async () => {
    const { client, factory, states, connected } = setup();
    const handler = vi.fn();
    client.on('CREDIT_UPDATE', handler);
    await connected({ cursor: 'c-9' });
    client.close();
    client.close();
    expect(states.filter((s) => s.state === 'closed')).toHaveLength(1);

    client.connect();
    await flush();
    expect(factory.count).toBe(2);
    expect(client.getSnapshot().state).toBe('connecting');
    expect(factory.last.params.get('cursor')).toBe('c-9');
    factory.last.establish({ resumed: true });
    expect(client.getSnapshot().state).toBe('connected');
    factory.last.serverSends({ id: 'e1', type: 'CREDIT_UPDATE', data: { n: 1 } });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('close() while connecting closes the socket and ignores its CONNECTION_ESTABLISHED', async () => {
    const { client, factory, start } = setup();
    const socket = await start();
    client.close();
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'closed by the app' }]);
    socket.establish();
    expect(client.getSnapshot().state).toBe('closed');
    await advance(60_000);
    expect(factory.count).toBe(1);
  });

  it('close() while getToken is pending opens no socket', async () => {
    let resolveToken!: (token: string) => void;
    const factory = fakeSocketFactory();
    const client = new SyncClient({
      url: URL_BASE, createSocket: factory.create, random: () => 0,
      getToken: () => new Promise<string>((resolve) => { resolveToken = resolve; }),
    });
    client.connect();
    await flush();
    client.close();
    resolveToken('tok');
    await advance(60_000);
    expect(factory.count).toBe(0);
    expect(client.getSnapshot().state).toBe('closed');
  });
});
