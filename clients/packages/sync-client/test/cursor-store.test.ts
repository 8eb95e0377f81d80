import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  SyncClient, cursorKey, memoryCursorStore, webStorageCursorStore, type CursorStore, type SyncClientOptions,
} from '../src/index.js';
import { fakeSocketFactory, flush, jwt } from './fake-socket.js';
import { T0, URL_BASE, advance, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

const event = (id: string, cursor: string) => ({ id, type: 'CREDIT_UPDATE', data: { id }, cursor });
const KEY = `kull-sync-cursor:${URL_BASE}:user-1:phone`;
const token = jwt(T0 + 3_600_000, { sub: 'user-1', device: 'phone' });

/** A memory store whose calls are recorded. */
function recordingStore() {
  const inner = memoryCursorStore();
  const store = { load: vi.fn(inner.load), save: vi.fn(inner.save), clear: vi.fn(inner.clear) } satisfies CursorStore;
  return store;
}

/** A page load: a new client over the same store (and a fresh socket factory). */
async function reload(cursorStore: CursorStore, options: Partial<SyncClientOptions> = {}) {
  const factory = fakeSocketFactory();
  const client = new SyncClient({ url: URL_BASE, getToken: () => token, createSocket: factory.create, cursorStore, random: () => 0, ...options });
  client.connect();
  await flush();
  return { client, factory };
}

describe('cursorKey', () => {
  it('names the gateway, the user and the device of the token', () => {
    expect(cursorKey(`${URL_BASE}?x=1`, token)).toBe(KEY);
    expect(cursorKey(URL_BASE, 'user_123:iphone_456')).toBe(`kull-sync-cursor:${URL_BASE}:user_123:iphone_456`);
    expect(cursorKey(URL_BASE, jwt(T0, { sub: 'u' }))).toBe(`kull-sync-cursor:${URL_BASE}:u:-`);
    expect(cursorKey(URL_BASE, undefined)).toBe(`kull-sync-cursor:${URL_BASE}:-:-`);
  });
});

describe('cursor persistence', () => {
  it('a reload connects with the cursor of the last processed event, saved at most once a second', async () => {
    const store = recordingStore();
    const first = setup({ getToken: () => token, cursorStore: store });
    const socket = await first.connected({ cursor: 'c-0' });
    expect(store.load).toHaveBeenCalledWith(KEY);
    expect(store.save.mock.calls).toEqual([[KEY, 'c-0']]);
    for (let n = 1; n <= 30; n++) socket.serverSends(event(`e${n}`, `c-${n}`));
    expect(store.save).toHaveBeenCalledTimes(1);
    await advance(1000);
    expect(store.save.mock.calls).toEqual([[KEY, 'c-0'], [KEY, 'c-30']]);

    const second = await reload(store);
    expect(second.factory.last.params.get('cursor')).toBe('c-30');
    expect(second.client.getSnapshot().cursor).toBe('c-30');
    second.client.close();
  });

  it('close() saves the latest cursor at once', async () => {
    const store = recordingStore();
    const { client, connected } = setup({ getToken: () => token, cursorStore: store });
    const socket = await connected({ cursor: 'c-0' });
    socket.serverSends(event('e1', 'c-1'));
    client.close();
    expect(store.save).toHaveBeenLastCalledWith(KEY, 'c-1');
  });

  it('the cursor saved is the processed one: during a resync, the fresh cursor only once onResync is done', async () => {
    const store = recordingStore();
    let refetched!: () => void;
    const { connected } = setup({ getToken: () => token, cursorStore: store, onResync: () => new Promise<void>((done) => { refetched = done; }) });
    const socket = await connected({ cursor: 'c-0' });
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'gap', cursor: 'fresh' } });
    socket.serverSends(event('e1', 'c-after'));
    await advance(5000);
    expect(store.save.mock.calls.map((call) => call[1])).toEqual(['c-0']);
    refetched();
    await advance(1000);
    expect(store.save.mock.calls.map((call) => call[1])).toEqual(['c-0', 'fresh', 'c-after']);
  });

  it('an async store (React Native AsyncStorage): the load is awaited before connecting', async () => {
    const saved = new Map([[KEY, 'c-async']]);
    const store: CursorStore = {
      load: async (key) => saved.get(key),
      save: async (key, cursor) => void saved.set(key, cursor),
      clear: async (key) => void saved.delete(key),
    };
    const { client, factory } = await reload(store);
    expect(factory.last.params.get('cursor')).toBe('c-async');
    factory.last.establish({ resumed: true, cursor: 'c-async' });
    factory.last.serverSends(event('e1', 'c-next'));
    client.close();
    await flush();
    expect(saved.get(KEY)).toBe('c-next');
  });

  it('a store that fails to load: the client connects anyway (from the acknowledged cursor)', async () => {
    const store: CursorStore = { load: () => Promise.reject(new Error('disk')), save: () => undefined, clear: () => undefined };
    const { client, factory } = await reload(store);
    expect(factory.last.params.get('cursor')).toBe('acked');
    client.close();
  });

  it('another user or device (the token changed): that one\'s cursor, never the previous user\'s', async () => {
    const store = memoryCursorStore();
    // Expiring within the refresh margin: every connect asks getToken() again.
    let current = jwt(T0 + 10_000, { sub: 'user-1', device: 'phone' });
    const { client, factory, connected } = setup({ getToken: () => current, cursorStore: store }, 0);
    const socket = await connected({ cursor: 'alice-1' });
    socket.serverSends(event('e1', 'alice-2'));
    current = 'bob:laptop';
    client.close();
    client.connect();
    await flush();
    expect(factory.last.params.get('cursor')).toBe('acked');
    expect(store.load(KEY)).toBe('alice-2');
  });

  it('cursorStore: false keeps the cursor in memory only', async () => {
    const { client, connected } = setup({ cursorStore: false });
    (await connected({ cursor: 'c-1' })).serverSends(event('e1', 'c-2'));
    expect(client.getSnapshot().cursor).toBe('c-2');
  });

  it('storageKey overrides the key', async () => {
    const store = recordingStore();
    const { connected } = setup({ cursorStore: store, storageKey: 'my-key' });
    await connected({ cursor: 'c-1' });
    expect(store.save.mock.calls).toEqual([['my-key', 'c-1']]);
  });

  it('clearCursor() forgets it in memory and in the store (sign-out)', async () => {
    const store = recordingStore();
    const { client, factory, connected } = setup({ getToken: () => token, cursorStore: store }, 0);
    await connected({ cursor: 'c-1' });
    await client.clearCursor();
    expect(store.clear).toHaveBeenCalledWith(KEY);
    expect(client.getSnapshot().cursor).toBeUndefined();
    factory.last.serverCloses(1012);
    await advance(1);
    expect(factory.last.params.get('cursor')).toBe('acked');
  });
});

describe('webStorageCursorStore', () => {
  const globals = globalThis as { sessionStorage?: unknown; localStorage?: unknown };
  const fakeStorage = () => {
    const map = new Map<string, string>();
    return {
      map,
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    };
  };
  let tab: ReturnType<typeof fakeStorage>;
  let device: ReturnType<typeof fakeStorage>;
  beforeEach(() => {
    tab = fakeStorage();
    device = fakeStorage();
    globals.sessionStorage = tab;
    globals.localStorage = device;
  });
  afterEach(() => {
    delete globals.sessionStorage;
    delete globals.localStorage;
  });

  it('is the default in browsers: saves to this tab and to the device; loads this tab\'s first', async () => {
    const { connected } = setup({ getToken: () => token });
    (await connected({ cursor: 'c-1' })).serverSends(event('e1', 'c-2'));
    await advance(1000);
    expect(tab.map.get(KEY)).toBe('c-2');
    expect(device.map.get(KEY)).toBe('c-2');

    // Another tab of the device went further; this tab reloads: its own cursor.
    device.map.set(KEY, 'c-other-tab');
    const store = webStorageCursorStore()!;
    expect(store.load(KEY)).toBe('c-2');
    // A new tab (no session storage entry yet): the device's.
    tab.map.clear();
    expect(store.load(KEY)).toBe('c-other-tab');
    store.clear(KEY);
    expect(device.map.size).toBe(0);
  });

  it('a full or blocked storage is ignored', () => {
    globals.sessionStorage = { getItem: () => { throw new Error('blocked'); }, setItem: () => { throw new Error('quota'); }, removeItem: () => undefined };
    const store = webStorageCursorStore()!;
    expect(() => store.save(KEY, 'c')).not.toThrow();
    expect(device.map.get(KEY)).toBe('c');
    expect(store.load(KEY)).toBeUndefined();
  });

  it('is undefined without web storage (Node): the client then keeps the cursor in memory', () => {
    delete globals.sessionStorage;
    delete globals.localStorage;
    expect(webStorageCursorStore()).toBeUndefined();
  });
});

describe('no cursor of its own: resume from the acknowledged cursor', () => {
  it('connects with cursor=acked; "no acknowledged cursor for this device" is a normal resync, then it goes on from the fresh cursor', async () => {
    const onResync = vi.fn(async () => undefined);
    const { client, factory, connected } = setup({ onResync }, 0);
    const seen: string[] = [];
    client.on('CREDIT_UPDATE', (_data, message) => seen.push(message.id!));
    const socket = await connected({ cursor: 'head-1' });
    expect(socket.params.get('cursor')).toBe('acked');
    socket.serverSends({ type: 'RESYNC_REQUIRED', data: { reason: 'no acknowledged cursor for this device', cursor: 'fresh-1' } });
    socket.serverSends(event('e1', 'c-e1'));
    await flush();
    expect(onResync).toHaveBeenCalledWith('no acknowledged cursor for this device');
    expect(seen).toEqual(['e1']);
    expect(client.getSnapshot().stats.resyncs).toBe(1);
    socket.serverCloses(1012);
    await advance(1);
    expect(factory.last.params.get('cursor')).toBe('c-e1');
  });

  it('resumed from the acknowledged cursor: the replay follows as after any resume', async () => {
    const { client, connected } = setup();
    const socket = await connected({ resumed: true, cursor: 'acked-at-7' });
    socket.serverSends(event('e8', 'c-8'));
    socket.serverSends({ type: 'PENDING_CHECK_COMPLETE', data: { delivered: 1, cursor: 'c-8' } });
    expect(client.getSnapshot()).toMatchObject({ resumed: true, cursor: 'c-8', stats: { resumes: 1, replayed: 1, resyncs: 0 } });
  });
});
