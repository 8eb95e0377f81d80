export { SyncProvider, SyncContext, useSyncContext, useSyncClient } from './context.js';
export type { SyncProviderProps, SyncProviderConfig, SyncContextValue } from './context.js';
export {
  useSyncSelector,
  useSyncSnapshot,
  useConnectionState,
  useSyncEvent,
  useWebSocket,
  useShootProgress,
  useActiveShoots,
  useCreditBalance,
  shootProgressPercentage,
  useSyncStatusUpdates,
  SYNC_EVENT_TYPES,
} from './hooks.js';
export type {
  UseWebSocketOptions,
  UseWebSocketResult,
  ShootProgressResult,
  ActiveShootsResult,
  CreditBalanceResult,
  SyncEvent,
  SyncEventType,
  UseSyncStatusUpdatesOptions,
} from './hooks.js';
export { WebSocketContext, useWebSocketContext, withWebSocket } from './websocket-context.js';
export type { WebSocketContextValue, WebSocketProps } from './websocket-context.js';
export {
  SyncIndicator,
  DEFAULT_STATUS_LABELS,
  DeviceList,
  useDevices,
  applyDeviceEvent,
  gatewayDeviceFetcher,
  tokenSubject,
} from './components.js';
export type { SyncIndicatorProps, DeviceListProps, UseDevicesResult } from './components.js';
export { toSyncStatus, syncStatusColor } from './status.js';
export type { SyncStatusColor } from './status.js';
export type { SyncClientLike, Device, DeviceListResponse, DeviceFetcher, SyncStatus, ClientSnapshot, ConnectionState } from './types.js';
export { KeyedStore } from './keyedStore.js';
export type { Position } from './keyedStore.js';
export { httpStateFetchers } from './state.js';
export type { CreditBalance, Fetched, StateFetchers, StateUrls } from './state.js';
