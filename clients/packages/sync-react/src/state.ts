// Current state on connect: what the hooks show before the next event. The domain services own the state
// (credit-service the balances, shoot-service the shoots) and answer it over HTTP with its position; live events
// keep it current; the KeyedStore's ordering rule decides between the two (docs/design.md, "Current state on
// connect").
import type { CreditUpdateData, ShootProgressData, SyncMessage } from '@kull/sync-client';
import type { SyncEvent } from './hooks.js';
import { tokenSubject } from './components.js';
import { KeyedStore, type Position } from './keyedStore.js';
import type { SyncClientLike } from './types.js';

/** The connected user's balance as the hooks show it. */
export interface CreditBalance {
  balance: number;
  /** credit-service numbers each user's balances 1, 2, 3...: the balance's position. */
  version?: number;
  /** The CREDIT_UPDATE that set it, when it came live (undefined when it was fetched). */
  update?: CreditUpdateData;
}

/** A state fetched from its owner, with its position. */
export interface Fetched<V> {
  value: V;
  position: Position;
}

/** Reads the current state from the domain services; each resolves null (or []) when the owner knows none. */
export interface StateFetchers {
  /** The connected user's balance: `GET {credits}/api/credits/{userId}/balance`, userId the token's `sub`. */
  balance: (signal: AbortSignal) => Promise<Fetched<CreditBalance> | null>;
  /** One shoot's latest progress: `GET {shoots}/api/shoots/{shootId}/progress`. */
  shootProgress: (shootId: string, signal: AbortSignal) => Promise<Fetched<ShootProgressData> | null>;
  /** The user's shoots in progress (and just finished), newest first: `GET {shoots}/api/users/{userId}/shoots/active`. */
  activeShoots: (userId: string | undefined, signal: AbortSignal) => Promise<Array<Fetched<ShootProgressData>>>;
  /**
   * An organization's current sync status from the backend that publishes its SYNC_* events (no default: that
   * backend is not part of this platform); null when there is none.
   */
  orgStatus?: (orgId: string, signal: AbortSignal) => Promise<SyncEvent | null>;
}

/** Base URLs of the services that own the state; '' (the default) is the app's own origin. */
export interface StateUrls {
  /** credit-service (or the app's backend that proxies `/api/credits`). */
  credits?: string;
  /** shoot-service (or the app's backend that proxies `/api/shoots`, `/api/users/{userId}/shoots`). */
  shoots?: string;
}

/** What the provider's stores hold; created once per client. */
export interface StateStores {
  /** Latest SHOOT_PROGRESS per shootId, by the event's timestamp. */
  shootProgress: KeyedStore<ShootProgressData>;
  /** The connected user's balance under OWN, by its version. */
  balance: KeyedStore<CreditBalance>;
  /** The ids of the user's shoots known so far (fetched active ones and any live SHOOT_PROGRESS), newest first, under OWN. */
  shootIds: KeyedStore<readonly string[]>;
  /** The latest SYNC_* event per organization, by its timestamp (while a component follows the org). */
  orgEvents: KeyedStore<SyncEvent>;
}

/** The key of the connected user's own values (a client is one user). */
export const OWN = 'own';

export function createStateStores(): StateStores {
  return { shootProgress: new KeyedStore(), balance: new KeyedStore(1), shootIds: new KeyedStore(1), orgEvents: new KeyedStore(100) };
}

/** An event's position: its timestamp in ms (a number, or ISO-8601 text). */
export function eventTime(message: SyncMessage): Position {
  const ts = message.timestamp;
  const ms = typeof ts === 'number' ? ts : typeof ts === 'string' ? Date.parse(ts) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Feeds the stores from live events (registered before the client connects, so no event is missed), and marks
 * their values stale when events may have been missed: a connection that did not resume, or RESYNC_REQUIRED.
 */
export function trackLiveState(client: SyncClientLike, stores: StateStores): () => void {
  let seen = client.getSnapshot();
  const stopWatching = client.onSnapshot(() => {
    const now = client.getSnapshot();
    const gap = (now.connectionId !== seen.connectionId && now.connectionId !== undefined && !now.resumed) || now.stats.resyncs !== seen.stats.resyncs;
    seen = now;
    if (gap) for (const store of [stores.shootProgress, stores.balance, stores.shootIds, stores.orgEvents]) store.markStale();
  });
  const unregister = client.registerHandlers({
    SHOOT_PROGRESS: (data, message) => {
      // shoot-service keeps the report with the latest timestamp; the store keeps the same one.
      stores.shootProgress.set(data.shootId, data, eventTime(message));
      addShootIds(stores, [data.shootId]);
    },
    CREDIT_UPDATE: (data) => {
      stores.balance.set(OWN, { balance: data.newBalance, version: data.version, update: data }, data.version);
    },
  });
  return () => {
    stopWatching();
    unregister();
  };
}

/** Adds shoot ids in front of the known ones (newest first), without repeating any. */
export function addShootIds(stores: StateStores, ids: readonly string[]): void {
  const known = stores.shootIds.get(OWN) ?? [];
  const fresh = ids.filter((id) => !known.includes(id));
  if (fresh.length > 0) stores.shootIds.set(OWN, [...fresh, ...known]);
}

interface StateConfig {
  getToken?: () => string | Promise<string>;
  stateUrls?: StateUrls;
  fetchState?: Partial<StateFetchers>;
}

/** Requests to a state endpoint give up after this long (the hooks then show what the stream says). */
const STATE_TIMEOUT_MS = 10_000;

/**
 * The default fetchers: the domain services' state endpoints with the user's Bearer token; config read at call time.
 * The paths name the user (the token's `sub`, or a dev token's `user`), so they answer a user's JWT and, in local
 * development, an anonymous call alike.
 */
export function httpStateFetchers(config: { readonly current: StateConfig }): StateFetchers {
  /** GETs `path(userId)`; null on 404 (the owner knows no state for it yet). */
  const getJson = async (base: string | undefined, path: (userId: string | undefined) => string, signal: AbortSignal): Promise<unknown> => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = config.current.getToken ? await config.current.getToken() : undefined;
    if (token) headers.Authorization = `Bearer ${token}`;
    const resolved = path(token ? tokenSubject(token) : undefined);
    const response = await fetch(`${(base ?? '').replace(/\/$/, '')}${resolved}`, { headers, signal: anySignal(signal, AbortSignal.timeout(STATE_TIMEOUT_MS)) });
    if (response.status === 404) {
      await response.body?.cancel();
      return null;
    }
    if (!response.ok) throw new Error(`${resolved}: HTTP ${response.status}`);
    return response.json();
  };
  const user = (userId: string | undefined) => {
    if (!userId) throw new Error('the state endpoints need a userId or a token with a `sub` claim');
    return encodeURIComponent(userId);
  };
  const defaults: StateFetchers = {
    balance: async (signal) => {
      const body = (await getJson(config.current.stateUrls?.credits, (userId) => `/api/credits/${user(userId)}/balance`, signal)) as BalanceView | null;
      return body ? { value: { balance: body.balance, version: body.version }, position: body.version } : null;
    },
    shootProgress: async (shootId, signal) => {
      const body = (await getJson(config.current.stateUrls?.shoots, () => `/api/shoots/${encodeURIComponent(shootId)}/progress`, signal)) as ShootView | null;
      return body ? fromShootView(body) : null;
    },
    activeShoots: async (userId, signal) => {
      const body = (await getJson(config.current.stateUrls?.shoots, (subject) => `/api/users/${user(userId ?? subject)}/shoots/active`, signal)) as ShootView[] | null;
      return (body ?? []).map(fromShootView);
    },
  };
  return {
    balance: (signal) => (config.current.fetchState?.balance ?? defaults.balance)(signal),
    shootProgress: (shootId, signal) => (config.current.fetchState?.shootProgress ?? defaults.shootProgress)(shootId, signal),
    activeShoots: (userId, signal) => (config.current.fetchState?.activeShoots ?? defaults.activeShoots)(userId, signal),
  };
}

/** credit-service's answer: `{userId, balance, version, eventId, updatedAt}`. */
interface BalanceView {
  balance: number;
  version?: number;
}

/** shoot-service's answer: the ShootProgress fields plus `updatedAt` (the event's timestamp) and `eventId`. */
interface ShootView extends ShootProgressData {
  updatedAt?: number;
  percentage?: number;
  userId?: string;
  eventId?: string;
  deviceId?: string;
}

function fromShootView(view: ShootView): Fetched<ShootProgressData> {
  const { updatedAt, percentage: _percentage, userId: _userId, eventId: _eventId, deviceId: _deviceId, ...progress } = view;
  return { value: progress, position: typeof updatedAt === 'number' ? updatedAt : undefined };
}

function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  const any = (AbortSignal as unknown as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (any) return any([a, b]);
  const controller = new AbortController();
  const abort = () => controller.abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return controller.signal;
}

/** The trigger of the last request started per store and key (forgotten when it fails, so a later mount retries). */
const started = new WeakMap<object, Map<string, string>>();
const MAX_TRIGGERS = 1_000;

/**
 * Fetches `key`'s state and hands the answer to `apply`, which offers it to the stores (the ordering rule keeps the
 * newer of it and what the stream said meanwhile). `trigger` names why (the connection and the resync count):
 * components asking for the same key for the same reason share one request, and none is sent when the last request
 * for the key was started for a trigger beginning with `coveredBy` (it answers for this one too). When it ends the
 * key is settled in `store` (no longer loading, even without a value). Failures go to `onError`; the hooks then show
 * what the stream says.
 */
export function refreshState<A>(
  store: Pick<KeyedStore<unknown>, 'settle'>,
  key: string,
  trigger: string,
  fetchState: (signal: AbortSignal) => Promise<A>,
  apply: (answer: A) => void,
  coveredBy?: string,
  onError: (error: unknown) => void = () => {},
): void {
  let keys = started.get(store);
  if (!keys) started.set(store, (keys = new Map()));
  const last = keys.get(key);
  if (last === trigger || (coveredBy !== undefined && last?.startsWith(coveredBy))) return;
  keys.delete(key);
  keys.set(key, trigger);
  if (keys.size > MAX_TRIGGERS) keys.delete(keys.keys().next().value as string);
  // Not aborted when the component unmounts: the answer still fills the provider's cache.
  fetchState(new AbortController().signal)
    .then(apply)
    .catch((error) => {
      if (keys.get(key) === trigger) keys.delete(key);
      onError(error);
    })
    .finally(() => store.settle(key));
}
