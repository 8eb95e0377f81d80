import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
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
  /** The latest SHOOT_PROGRESS for the shoot, or null before the first. */
  progress: ShootProgressData | null;
  /** queued or processing. */
  isProcessing: boolean;
  /** 0-100: from the event's `progress` (a fraction, 0 to 1) when present, else processedCount / totalCount. */
  progressPercentage: number;
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
 * Seed 001's hook: the live progress of one shoot. Only components watching this shootId re-render on
 * its events; the latest event is cached per shoot by the provider, so a component mounted later
 * shows it at once.
 */
export function useShootProgress(shootId: string | null | undefined): ShootProgressResult {
  const { shootProgress } = useSyncContext();
  const key = shootId ?? '';
  const subscribe = useCallback((listener: () => void) => shootProgress.subscribe(key, listener), [shootProgress, key]);
  const get = useCallback(() => (key ? shootProgress.get(key) : undefined), [shootProgress, key]);
  const progress = useSyncExternalStore(subscribe, get, get) ?? null;
  return useMemo(
    () => ({
      progress,
      isProcessing: progress?.status === 'processing' || progress?.status === 'queued',
      progressPercentage: shootProgressPercentage(progress),
    }),
    [progress],
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
}

function toSyncEvent(raw: Record<string, unknown>): SyncEvent {
  const ts = raw.timestamp;
  return { ...(raw as unknown as Omit<SyncEvent, 'timestamp'>), timestamp: ts instanceof Date ? ts : new Date(ts as string | number) };
}

/** Seed 003's hook: an organization's sync job events. Subscribes the org while mounted and enabled. */
export function useSyncStatusUpdates(options: UseSyncStatusUpdatesOptions): { isConnected: boolean; lastEvent: SyncEvent | null } {
  const { organizationId, enabled = true } = options;
  const { client, subscribeOrg } = useSyncContext();
  const onEvent = useRef(options.onEvent);
  onEvent.current = options.onEvent;
  const [lastEvent, setLastEvent] = useState<SyncEvent | null>(null);

  useEffect(() => {
    if (!enabled || !organizationId) return undefined;
    const handle = (data: unknown) => {
      const raw = data as Record<string, unknown>;
      // Another org's event (the session may have several subscriptions): not ours.
      if (typeof raw.orgId === 'string' && raw.orgId !== organizationId) return;
      const event = toSyncEvent(raw);
      setLastEvent(event);
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
  }, [client, subscribeOrg, organizationId, enabled]);

  useEffect(() => setLastEvent(null), [organizationId]);

  const isConnected = useSyncSelector((s) => s.isConnected);
  return { isConnected: isConnected && enabled && !!organizationId, lastEvent };
}
