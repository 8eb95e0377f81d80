import type {
  ClientSnapshot,
  ConnectionState,
  Handler,
  HandlerMap,
  PayloadOf,
  SyncError,
} from '@kull/sync-client';

/**
 * What the bindings need from a client: the public surface of `SyncClient` from @kull/sync-client.
 * `SyncClient` satisfies it structurally; tests may pass a fake.
 */
export interface SyncClientLike {
  /** The gateway's WebSocket URL (SyncClient has it): the default base of the HTTP API. */
  readonly url?: string;
  connect(): void;
  close(): void;
  getSnapshot(): ClientSnapshot;
  onSnapshot(listener: () => void): () => void;
  onError(listener: (error: SyncError) => void): () => void;
  on<T extends string>(type: T, handler: Handler<PayloadOf<T>>): () => void;
  registerHandlers(handlers: HandlerMap): () => void;
  send(type: string, payload?: unknown): boolean;
  requestPending(): Promise<number>;
  subscribe(orgId: string): () => void;
}

/** One device as `GET /api/users/{userId}/devices` lists it (and as DEVICE_CONNECTED carries it). */
export interface Device {
  deviceId: string;
  platform: string;
  deviceName: string;
  connectedAt: number;
  pod?: string;
}

/** The body of `GET /api/users/{userId}/devices`. */
export interface DeviceListResponse {
  userId: string;
  devices: Device[];
}

/** Fetches a user's device list (the default calls the gateway's endpoint with the user's Bearer token). */
export type DeviceFetcher = (userId: string, signal: AbortSignal) => Promise<DeviceListResponse>;

/** The seeds' four indicator states (seed 000/001: green connected, yellow connecting/reconnecting, red disconnected). */
export type SyncStatus = 'connected' | 'connecting' | 'reconnecting' | 'disconnected';

export type { ClientSnapshot, ConnectionState };
