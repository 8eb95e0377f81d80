import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react';
import type {
  ClientSnapshot,
  CreditUpdateData,
  DeviceConnectedData,
  DeviceDisconnectedData,
  Handler,
  HandlerMap,
  PayloadOf,
  PromptChangeData,
  ShootProgressData,
  SyncMessage,
} from '@kull/sync-client';
import type { ClientMessageObject } from '@kull/sync-client';
import { useSyncContext } from './context.js';
import type { KeyedStore, Position } from './keyedStore.js';
import { addShootIds, httpStateFetchers, OWN, refreshState, type StateFetchers } from './state.js';
import { sendMessage, type WebSocketContextValue } from './websocket-context.js';
import type { ConnectionState, SyncClientLike } from './types.js';

/**
 * Selects a value from the client's snapshot. The component re-renders only when the selected value
 * changes (by Object.is, or `isEqual`): a component that selects `s.state` does not re-render when a
 * CREDIT_UPDATE moves the cursor.
 */
export function useSyncSelector<T>(
  selector: (snapshot: ClientSnapshot) => T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const { client } = useSyncContext();
  const latest = useRef({ selector, isEqual });
  latest.current = { selector, isEqual };
  // One memo per client: the last snapshot and what was selected from it. A new selector function
  // per render is fine: it is read from the ref, and a snapshot that did not change is not re-selected.
  const memo = useRef<{ client: SyncClientLike; snapshot: ClientSnapshot; selected: T; selector: unknown } | null>(null);
  const getSelection = useCallback((): T => {
    const snapshot = client.getSnapshot();
    const m = memo.current;
    const { selector: select, isEqual: equal } = latest.current;
    if (m && m.client === client && m.snapshot === snapshot && m.selector === select) return m.selected;
    const selected = select(snapshot);
    if (m && m.client === client && equal(m.selected, selected)) {
      memo.current = { client, snapshot, selected: m.selected, selector: select };
      return m.selected;
    }
    memo.current = { client, snapshot, selected, selector: select };
    return selected;
  }, [client]);
  return useSyncExternalStore(client.onSnapshot, getSelection, getSelection);
}

/** The whole snapshot (re-renders on every change; prefer useSyncSelector). */
export function useSyncSnapshot(): ClientSnapshot {
  const { client } = useSyncContext();
  return useSyncExternalStore(client.onSnapshot, client.getSnapshot, client.getSnapshot);
}

/** The SDK's connection state. */
export function useConnectionState(): ConnectionState {
  return useSyncSelector((s) => s.state);
}

/**
 * Calls `handler` for every message of `type` while mounted. The handler is kept in a ref: a new
 * function each render does not re-register.
 */
export function useSyncEvent<T extends string>(type: T, handler: Handler<PayloadOf<T>>, enabled = true): void {
  const { client } = useSyncContext();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => {
    if (!enabled) return undefined;
    return client.on(type, (data, message) => ref.current(data, message));
  }, [client, type, enabled]);
}

// ---------------------------------------------------------------------------------------------
// Seed 000/001: useWebSocket, useShootProgress

export interface UseWebSocketOptions {
  onShootProgress?: (data: ShootProgressData, message: SyncMessage) => void;
  onCreditUpdate?: (data: CreditUpdateData, message: SyncMessage) => void;
  onPromptChange?: (data: PromptChangeData, message: SyncMessage) => void;
  onDeviceConnected?: (data: DeviceConnectedData, message: SyncMessage) => void;
  onDeviceDisconnected?: (data: DeviceDisconnectedData, message: SyncMessage) => void;
}

export interface UseWebSocketResult {
  isConnected: boolean;
  state: ConnectionState;
  reconnectAttempts: number;
  /** Sends a client message: `send('UPDATE_PROGRESS', {...})` or `send({ type, payload })`; false when it was not queued. */
  send: WebSocketContextValue['send'];
}

/**
 * Seed 001's hook: listen to the user's sync events. Callbacks are read from a ref, so passing new
 * arrow functions on every render neither resubscribes nor misses events; handlers are registered
 * once per client.
 */
export function useWebSocket(options: UseWebSocketOptions = {}): UseWebSocketResult {
  const { client } = useSyncContext();
  const callbacks = useRef(options);
  callbacks.current = options;
  useEffect(
    () =>
      client.registerHandlers({
        SHOOT_PROGRESS: (d, m) => callbacks.current.onShootProgress?.(d, m),
        CREDIT_UPDATE: (d, m) => callbacks.current.onCreditUpdate?.(d, m),
        PROMPT_CHANGE: (d, m) => callbacks.current.onPromptChange?.(d, m),
        DEVICE_CONNECTED: (d, m) => callbacks.current.onDeviceConnected?.(d, m),
        DEVICE_DISCONNECTED: (d, m) => callbacks.current.onDeviceDisconnected?.(d, m),
      }),
    [client],
  );
  const state = useSyncSelector((s) => s.state);
  const reconnectAttempts = useSyncSelector((s) => s.reconnectAttempts);
  const send = useCallback((type: string | ClientMessageObject, payload?: unknown) => sendMessage(client, type, payload), [client]);
  return { isConnected: state === 'connected', state, reconnectAttempts, send };
}

export interface ShootProgressResult {
  /** The shoot's latest progress (fetched from shoot-service on connect, then each SHOOT_PROGRESS), or null while none is known. */
  progress: ShootProgressData | null;
  /** queued or processing. */
  isProcessing: boolean;
  /** 0-100: from the event's `progress` (a fraction, 0 to 1) when present, else processedCount / totalCount. */
  progressPercentage: number;
  /** Nothing known yet and the current state is being fetched: show a placeholder, not "no progress yet". */
  loading: boolean;
}

export function shootProgressPercentage(p: ShootProgressData | null | undefined): number {
  if (!p) return 0;
  if (p.status === 'completed') return 100;
  // The contract's `progress` is the fraction done (0 to 1), not a percentage (SYNC_PROGRESS's is 0-100).
  const fraction = typeof p.progress === 'number' ? p.progress : p.totalCount > 0 ? p.processedCount / p.totalCount : 0;
  const raw = fraction * 100;
  return Math.max(0, Math.min(100, Math.round(raw)));
}

/**
 * Fetches a key's current state from its owner when the stream alone cannot be trusted to have it: at mount when
 * nothing current is known (nothing, or a value from before a gap that no component read again), on a connection
 * that did not resume (what happened before it is not replayed), and after RESYNC_REQUIRED. A resumed connection
 * replays what was missed, so a known value stays current without a request; the provider's stores follow live
 * events from before the first connection. The answer goes through the store's ordering rule, so a state read
 * before a live event never hides it.
 *
 * On a connection that did not resume, the live events are complete from its attach, so the request made for the
 * connection (read after its CONNECTION_ESTABLISHED) also answers a RESYNC_REQUIRED on it: the one that follows at
 * once (a cursor too old, unreadable, or none acknowledged) costs no second request.
 */
function useStateRefresh<A>(
  store: Pick<KeyedStore<unknown>, 'isCurrent' | 'settle'>,
  key: string,
  fetchState: (signal: AbortSignal) => Promise<A>,
  apply: (answer: A) => void,
): void {
  const { client } = useSyncContext();
  const connectionId = useSyncSelector((s) => s.connectionId);
  const resyncs = useSyncSelector((s) => s.stats.resyncs);
  const latest = useRef({ fetchState, apply });
  latest.current = { fetchState, apply };
  const seen = useRef<{ store: unknown; key: string; connectionId: string | undefined; resyncs: number } | null>(null);
  useEffect(() => {
    if (!key) return;
    const before = seen.current;
    const resumed = client.getSnapshot().resumed;
    seen.current = { store, key, connectionId, resyncs };
    const fresh = !before || before.key !== key || before.store !== store;
    const newConnection = !fresh && connectionId !== before.connectionId && connectionId !== undefined;
    const resynced = !fresh && resyncs !== before.resyncs;
    const needed = fresh ? !store.isCurrent(key) : (newConnection && !resumed) || resynced;
    if (!needed) return;
    const coveredBy = resynced && !resumed && connectionId !== undefined ? `${connectionId}|` : undefined;
    refreshState(store, key, `${connectionId ?? ''}|${resyncs}`, (signal) => latest.current.fetchState(signal), (answer) => latest.current.apply(answer), coveredBy);
  }, [client, store, key, connectionId, resyncs]);
}

/** A store's value and loading flag for one key. */
function useKeyed<V>(store: KeyedStore<V>, key: string): { value: V | undefined; loading: boolean } {
  const subscribe = useCallback((listener: () => void) => store.subscribe(key, listener), [store, key]);
  const get = useCallback(() => (key ? store.get(key) : undefined), [store, key]);
  const isLoading = useCallback(() => (key ? store.isLoading(key) : false), [store, key]);
  return { value: useSyncExternalStore(subscribe, get, get), loading: useSyncExternalStore(subscribe, isLoading, isLoading) };
}

function useStateFetchers(): StateFetchers {
  const { config } = useSyncContext();
  return useMemo(() => httpStateFetchers(config), [config]);
}

/**
 * Seed 001's hook: the progress of one shoot. Shows the current progress at once: the provider's cache, else
 * shoot-service's `GET /api/shoots/{shootId}/progress` (on mount, on a connection that did not resume, after
 * RESYNC_REQUIRED); then each SHOOT_PROGRESS. Ordered by the event's timestamp, as shoot-service orders them: a
 * state read before a newer live event never replaces it. Only components watching this shootId re-render.
 */
export function useShootProgress(shootId: string | null | undefined): ShootProgressResult {
  const { shootProgress } = useSyncContext();
  const fetchers = useStateFetchers();
  const key = shootId ?? '';
  useStateRefresh(
    shootProgress,
    key,
    (signal) => fetchers.shootProgress(key, signal),
    (answer) => answer && shootProgress.offer(key, answer.value, answer.position),
  );
  const { value, loading } = useKeyed(shootProgress, key);
  const progress = value ?? null;
  return useMemo(
    () => ({
      progress,
      isProcessing: progress?.status === 'processing' || progress?.status === 'queued',
      progressPercentage: shootProgressPercentage(progress),
      loading,
    }),
    [progress, loading],
  );
}

export interface ActiveShootsResult {
  /** The user's shoots in progress (and finished within shoot-service's grace period), then any seen live; newest first. */
  shootIds: readonly string[];
  loading: boolean;
}

/**
 * The user's shoots, for a list of progress bars (`useShootProgress(id)` each): shoot-service's
 * `GET /api/users/{userId}/shoots/active` (fetched as useShootProgress fetches; it also fills each shoot's
 * progress), plus every shoot a SHOOT_PROGRESS names. `userId` defaults to the token's `sub`.
 */
export function useActiveShoots(userId?: string): ActiveShootsResult {
  const stores = useSyncContext();
  const fetchers = useStateFetchers();
  useStateRefresh(
    stores.shootIds,
    OWN,
    (signal) => fetchers.activeShoots(userId, signal),
    (answer) => {
      for (const shoot of answer) stores.shootProgress.offer(shoot.value.shootId, shoot.value, shoot.position);
      addShootIds(stores, answer.map((shoot) => shoot.value.shootId));
      stores.shootIds.confirm(OWN);
    },
  );
  const { value, loading } = useKeyed(stores.shootIds, OWN);
  return useMemo(() => ({ shootIds: value ?? NO_IDS, loading }), [value, loading]);
}

const NO_IDS: readonly string[] = [];

export interface CreditBalanceResult {
  /** The connected user's balance (credit-service's on connect, then each CREDIT_UPDATE), or null while none is known. */
  balance: number | null;
  /** Its version (credit-service numbers a user's balances): a fetched balance replaces a live one only when higher. */
  version: number | undefined;
  /** The CREDIT_UPDATE that set it, when it came live. */
  lastUpdate: CreditUpdateData | null;
  loading: boolean;
}

/**
 * The connected user's credit balance (seed 002's `creditBalance`, seed 001's `/api/credits/balance`): credit-service's
 * `GET /api/credits/balance` at once (on mount, on a connection that did not resume, after RESYNC_REQUIRED), then
 * each CREDIT_UPDATE, ordered by the balance's version.
 */
export function useCreditBalance(): CreditBalanceResult {
  const { balance: store } = useSyncContext();
  const fetchers = useStateFetchers();
  useStateRefresh(
    store,
    OWN,
    (signal) => fetchers.balance(signal),
    (answer) => answer && store.offer(OWN, answer.value, answer.position),
  );
  const { value, loading } = useKeyed(store, OWN);
  return useMemo(
    () => ({ balance: value?.balance ?? null, version: value?.version, lastUpdate: value?.update ?? null, loading }),
    [value, loading],
  );
}

// ---------------------------------------------------------------------------------------------
// Seed 003: useSyncStatusUpdates

export const SYNC_EVENT_TYPES = ['SYNC_STARTED', 'SYNC_PROGRESS', 'SYNC_SUCCESS', 'SYNC_CONFLICT', 'SYNC_FAILED'] as const;
export type SyncEventType = (typeof SYNC_EVENT_TYPES)[number];

/** Seed 003's SyncEvent (timestamp parsed into a Date), plus the org and cursor the gateway adds. */
export interface SyncEvent {
  type: SyncEventType;
  jobId: string;
  pfaId?: string;
  /** 0-100 */
  progress?: number;
  message?: string;
  timestamp: Date;
  data?: Record<string, unknown>;
  orgId?: string;
  cursor?: string;
}

export interface UseSyncStatusUpdatesOptions {
  organizationId: string | null | undefined;
  /** Default true; the org is subscribed only while enabled and mounted. */
  enabled?: boolean;
  onEvent?: (event: SyncEvent) => void;
  /**
   * The org's current sync status from its owner (the backend that publishes its SYNC_* events), read as
   * useShootProgress reads a shoot's: at mount when nothing is known, on a connection that did not resume, after
   * RESYNC_REQUIRED; null when there is none. Ordered against live events by `timestamp`. Defaults to the
   * provider's `fetchState.orgStatus`; without either, `lastEvent` starts with the last event this app saw.
   */
  fetchLatest?: (organizationId: string, signal: AbortSignal) => Promise<SyncEvent | null>;
}

function toSyncEvent(raw: Record<string, unknown>): SyncEvent {
  const ts = raw.timestamp;
  return { ...(raw as unknown as Omit<SyncEvent, 'timestamp'>), timestamp: ts instanceof Date ? ts : new Date(ts as string | number) };
}

const timeOf = (event: SyncEvent): Position => (Number.isFinite(event.timestamp.getTime()) ? event.timestamp.getTime() : undefined);

/**
 * Seed 003's hook: an organization's sync job events. Subscribes the org while mounted and enabled. `lastEvent`
 * is the org's latest event known to the provider (so a component mounted later, or the org switched back, shows
 * it at once), or the owner's current status when `fetchLatest` is given; `loading` while that is read.
 */
export function useSyncStatusUpdates(options: UseSyncStatusUpdatesOptions): { isConnected: boolean; lastEvent: SyncEvent | null; loading: boolean } {
  const { organizationId, enabled = true } = options;
  const { client, subscribeOrg, orgEvents, config } = useSyncContext();
  const onEvent = useRef(options.onEvent);
  onEvent.current = options.onEvent;
  const key = enabled && organizationId ? organizationId : '';

  useEffect(() => {
    if (!enabled || !organizationId) return undefined;
    const handle = (data: unknown) => {
      const raw = data as Record<string, unknown>;
      // Another org's event (the session may have several subscriptions): not ours.
      if (typeof raw.orgId === 'string' && raw.orgId !== organizationId) return;
      const event = toSyncEvent(raw);
      orgEvents.set(organizationId, event, timeOf(event));
      onEvent.current?.(event);
    };
    const handlers: HandlerMap = {};
    for (const type of SYNC_EVENT_TYPES) handlers[type] = handle;
    const unregister = client.registerHandlers(handlers);
    const unsubscribe = subscribeOrg(organizationId);
    return () => {
      unsubscribe();
      unregister();
    };
  }, [client, subscribeOrg, orgEvents, organizationId, enabled]);

  const fetchLatest = options.fetchLatest ?? config.current.fetchState?.orgStatus;
  useStateRefresh(
    orgEvents,
    fetchLatest ? key : '',
    (signal) => (fetchLatest ? fetchLatest(key, signal) : Promise.resolve(null)),
    (event) => event && orgEvents.offer(key, event, timeOf(event)),
  );
  const { value, loading } = useKeyed(orgEvents, key);
  const isConnected = useSyncSelector((s) => s.isConnected);
  return { isConnected: isConnected && enabled && !!organizationId, lastEvent: value ?? null, loading: !!fetchLatest && loading };
}
