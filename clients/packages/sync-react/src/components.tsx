import { useEffect, useMemo, useReducer, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import { tokenIds, type DeviceConnectedData, type DeviceDisconnectedData } from '@kull/sync-client';
import { useSyncContext, type SyncProviderConfig } from './context.js';
import { useSyncSelector } from './hooks.js';
import { syncStatusColor, toSyncStatus } from './status.js';
import type { Device, DeviceFetcher, DeviceListResponse, SyncStatus } from './types.js';

// ---------------------------------------------------------------------------------------------
// SyncIndicator (seeds 000/001)

const COLORS = { green: '#16a34a', yellow: '#eab308', red: '#dc2626' } as const;

export const DEFAULT_STATUS_LABELS: Record<SyncStatus, string> = {
  connected: 'Synced',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  disconnected: 'Offline',
};

export interface SyncIndicatorProps {
  /** Show the text next to the dot (default true); the accessible label is always there. */
  showLabel?: boolean;
  labels?: Partial<Record<SyncStatus, string>>;
  className?: string;
  style?: CSSProperties;
}

/**
 * The seeds' status dot: green connected, yellow connecting/reconnecting, red disconnected. Renders
 * `role="status"`, an `aria-label`, and data attributes for tests and styling: `data-state` (the
 * SDK state), `data-status` (the seeds' state), `data-color`, `data-pod`, `data-close-code`,
 * `data-reconnect-attempts`. Re-renders only when one of those changes.
 */
export function SyncIndicator({ showLabel = true, labels, className, style }: SyncIndicatorProps): JSX.Element {
  const state = useSyncSelector((s) => s.state);
  const pod = useSyncSelector((s) => s.pod);
  const closeCode = useSyncSelector((s) => s.lastCloseCode);
  const attempts = useSyncSelector((s) => s.reconnectAttempts);
  const reason = useSyncSelector((s) => s.reason);
  const status = toSyncStatus(state);
  const color = syncStatusColor(status);
  const label = labels?.[status] ?? DEFAULT_STATUS_LABELS[status];
  const detail =
    status === 'reconnecting' && attempts > 0
      ? ` (attempt ${attempts})`
      : status === 'disconnected' && state !== 'idle' && state !== 'closed' && reason
        ? ` (${reason})`
        : '';
  return (
    <span
      role="status"
      aria-live="polite"
      aria-label={`Sync status: ${label}${detail}`}
      title={`${label}${detail}${pod ? ` — ${pod}` : ''}`}
      className={className}
      data-state={state}
      data-status={status}
      data-color={color}
      data-pod={pod ?? ''}
      data-close-code={closeCode ?? ''}
      data-reconnect-attempts={attempts}
      style={{ display: 'inline-flex', alignItems: 'center', gap: 6, ...style }}
    >
      <span
        aria-hidden="true"
        style={{
          width: 10,
          height: 10,
          borderRadius: '50%',
          background: COLORS[color],
          opacity: status === 'connecting' || status === 'reconnecting' ? 0.7 : 1,
        }}
      />
      {showLabel ? <span>{label}{detail}</span> : null}
    </span>
  );
}

// ---------------------------------------------------------------------------------------------
// DeviceList (seeds 000/001)

/** The user a token names, without verifying it (the server does): a JWT's `sub` or a dev token's `userId`. */
export function tokenSubject(token: string): string | undefined {
  return tokenIds(token).userId;
}

/** The default fetcher: `GET {apiBaseUrl}/api/users/{userId}/devices` with `Authorization: Bearer <token>`. */
export function gatewayDeviceFetcher(config: SyncProviderConfig): DeviceFetcher {
  return async (userId, signal) => {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = config.getToken ? await config.getToken() : undefined;
    if (token) headers.Authorization = `Bearer ${token}`;
    const base = (config.apiBaseUrl ?? '').replace(/\/$/, '');
    const response = await fetch(`${base}/api/users/${encodeURIComponent(userId)}/devices`, { headers, signal });
    if (!response.ok) throw new Error(`device list: HTTP ${response.status}`);
    return (await response.json()) as DeviceListResponse;
  };
}

type DeviceEvent = { kind: 'connected'; device: DeviceConnectedData } | { kind: 'disconnected'; device: DeviceDisconnectedData };

/** Applies one presence event; a DEVICE_DISCONNECTED older than the listed session (same device, reconnected elsewhere) is ignored. */
export function applyDeviceEvent(devices: readonly Device[], event: DeviceEvent): Device[] {
  const { device } = event;
  const index = devices.findIndex((d) => d.deviceId === device.deviceId);
  const existing = index >= 0 ? devices[index] : undefined;
  if (event.kind === 'connected') {
    if (existing && existing.connectedAt > device.connectedAt) return devices as Device[];
    const next: Device = { deviceId: device.deviceId, platform: device.platform, deviceName: device.deviceName, connectedAt: device.connectedAt, pod: device.pod };
    return existing ? devices.map((d, i) => (i === index ? next : d)) : [...devices, next];
  }
  if (!existing || existing.connectedAt > device.connectedAt) return devices as Device[];
  return devices.filter((_, i) => i !== index);
}

export interface UseDevicesResult {
  devices: Device[];
  loading: boolean;
  error: Error | null;
  refetch: () => void;
}

/**
 * The user's live device list: fetched from the device list endpoint on mount and again after every
 * (re)connection and RESYNC_REQUIRED (presence events missed while offline are not replayed as a list), then kept current
 * by DEVICE_CONNECTED / DEVICE_DISCONNECTED. Events that arrive while a fetch is in flight are applied
 * on top of its answer.
 *
 * The directory is eventually consistent (each pod learns of a session through the presence topic), and
 * a device gets no DEVICE_CONNECTED for itself: so after a connection the list is fetched at once and
 * once more `settleMs` later (default 1500), which picks up this device's new session.
 */
export function useDevices(options: { userId?: string; fetchDevices?: DeviceFetcher; settleMs?: number } = {}): UseDevicesResult {
  const { client, config } = useSyncContext();
  const connectionId = useSyncSelector((s) => s.connectionId);
  // RESYNC_REQUIRED: presence events may have been skipped too; the list is fetched again.
  const resyncs = useSyncSelector((s) => s.stats.resyncs);
  const [devices, setDevices] = useState<Device[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Error | null>(null);
  const [manual, refetch] = useReducer((n: number) => n + 1, 0);
  const settleMs = options.settleMs ?? 1500;
  // The second fetch after a connection (see above): a counter bumped by a timer per connection.
  const [settled, settle] = useReducer((n: number) => n + 1, 0);
  useEffect(() => {
    if (!connectionId || settleMs <= 0) return undefined;
    const timer = setTimeout(settle, settleMs);
    return () => clearTimeout(timer);
  }, [connectionId, settleMs]);
  const inFlight = useRef<DeviceEvent[] | null>(null);
  const fetcherOverride = useRef(options.fetchDevices);
  fetcherOverride.current = options.fetchDevices;

  useEffect(() => {
    const apply = (event: DeviceEvent) => {
      inFlight.current?.push(event);
      setDevices((current) => applyDeviceEvent(current, event));
    };
    return client.registerHandlers({
      DEVICE_CONNECTED: (device) => apply({ kind: 'connected', device }),
      DEVICE_DISCONNECTED: (device) => apply({ kind: 'disconnected', device }),
    });
  }, [client]);

  useEffect(() => {
    const abort = new AbortController();
    const events: DeviceEvent[] = [];
    inFlight.current = events;
    setLoading(true);
    void (async () => {
      try {
        let userId = options.userId;
        if (!userId && config.current.getToken) userId = tokenSubject(await config.current.getToken());
        if (!userId) throw new Error('DeviceList needs a userId (prop) or a JWT with a `sub` claim');
        const fetcher = fetcherOverride.current ?? config.current.fetchDevices ?? gatewayDeviceFetcher(config.current);
        const answer = await fetcher(userId, abort.signal);
        if (abort.signal.aborted) return;
        let list: Device[] = [...answer.devices];
        for (const event of events) list = applyDeviceEvent(list, event);
        setDevices(list.sort((a, b) => a.connectedAt - b.connectedAt));
        setError(null);
      } catch (e) {
        if (!abort.signal.aborted) setError(e instanceof Error ? e : new Error(String(e)));
      } finally {
        if (!abort.signal.aborted) {
          if (inFlight.current === events) inFlight.current = null;
          setLoading(false);
        }
      }
    })();
    return () => abort.abort();
  }, [connectionId, resyncs, options.userId, manual, settled, config]);

  return { devices, loading, error, refetch };
}

export interface DeviceListProps {
  /** The user whose devices to list; defaults to the `sub` of the provider's token. */
  userId?: string;
  /** Replaces the provider's fetcher for this list. */
  fetchDevices?: DeviceFetcher;
  /** The second fetch after each connection, in ms (default 1500; 0 turns it off). */
  settleMs?: number;
  /** Renders one device (default: name, platform, pod, since). */
  renderDevice?: (device: Device, isThisDevice: boolean) => ReactNode;
  emptyText?: ReactNode;
  className?: string;
}

/**
 * The device the client is connected as, while connected: listed even before the directory has it (it learns of a
 * session through Kafka) or when the list could not be loaded, since this device is connected whatever the list says.
 */
function useThisDevice(): Device | undefined {
  const deviceId = useSyncSelector((s) => (s.isConnected ? s.deviceId : undefined));
  const pod = useSyncSelector((s) => s.pod);
  const connectionId = useSyncSelector((s) => s.connectionId);
  // Read when the connection changes: a new connection is a new connect time.
  const since = useMemo(() => Date.now(), [connectionId]);
  return useMemo(
    () => (deviceId ? { deviceId, platform: '', deviceName: '', connectedAt: since, pod } : undefined),
    [deviceId, pod, since],
  );
}

/** The user's connected devices, live (seed 001's DeviceList). This device is marked, and listed while connected. */
export function DeviceList({ userId, fetchDevices, settleMs, renderDevice, emptyText = 'No devices connected', className }: DeviceListProps): JSX.Element {
  const { devices, loading, error } = useDevices({ userId, fetchDevices, settleMs });
  const self = useThisDevice();
  const thisDevice = self?.deviceId;
  const sorted = useMemo(() => {
    const listed = self && !devices.some((d) => d.deviceId === self.deviceId) ? [...devices, self] : devices;
    return [...listed].sort((a, b) => a.connectedAt - b.connectedAt);
  }, [devices, self]);
  return (
    <div className={className} data-testid="device-list" data-count={sorted.length} data-loading={loading} aria-busy={loading}>
      {error ? <p role="alert">Could not load devices: {error.message}</p> : null}
      {sorted.length === 0 && !loading && !error ? <p>{emptyText}</p> : null}
      <ul aria-label="Connected devices">
        {sorted.map((d) => (
          <li key={d.deviceId} data-device-id={d.deviceId} data-pod={d.pod ?? ''}>
            {renderDevice ? (
              renderDevice(d, d.deviceId === thisDevice)
            ) : (
              <>
                <strong>{d.deviceName || d.deviceId}</strong>{d.platform ? ` · ${d.platform}` : ''}
                {d.deviceId === thisDevice ? ' (this device)' : ''} · since {new Date(d.connectedAt).toLocaleTimeString()}
                {d.pod ? ` · ${d.pod}` : ''}
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
