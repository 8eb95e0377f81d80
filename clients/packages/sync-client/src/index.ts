export { SyncClient } from './client.js';
export { DEFAULTS } from './defaults.js';
export { toTypeAndPayload, type ClientMessageObject } from './message.js';
export { cursorKey, memoryCursorStore, webStorageCursorStore, type CursorStore } from './cursor-store.js';
export type { Receipt } from './outbox.js';
export { CloseCode, DEFAULT_CLOSE_POLICY, backoffDelay, retryAfterMs, tokenExpiry } from './policy.js';
export { SyncError } from './types.js';
export type {
  ClientMessageType, ClientSnapshot, CloseAction, ClosePolicy, ConnectionState, Handler, HandlerMap,
  PayloadOf, ServerMessageType, SocketFactory, SocketLike, StateChange, SyncClientOptions, SyncErrorKind, SyncMessage,
  SyncStats,
} from './types.js';
export * from './generated/contract.js';
