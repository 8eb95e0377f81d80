export { SyncClient } from './client.js';
export { DEFAULTS } from './defaults.js';
export { toTypeAndPayload, type ClientMessageObject } from './message.js';
export { cursorKey, memoryCursorStore, webStorageCursorStore, type CursorStore } from './cursor-store.js';
export type { Receipt } from './outbox.js';
export { CloseCode, DEFAULT_CLOSE_POLICY, backoffDelay, retryAfterMs, tokenExpiry } from './policy.js';
export { SyncError } from './types.js';
// Tab sharing, on by default in browsers (SyncClientOptions.shareTabs): shareTabs(createSocket) shares a socket
// factory of the app's own. Its code (tabs.ts) is loaded with import() on first use, a chunk of its own.
export { shareTabs } from './share.js';
export type {
  ClientMessageType, ClientSnapshot, CloseAction, ClosePolicy, ConnectionState, Handler, HandlerMap,
  PayloadOf, ServerMessageType, SocketFactory, SocketLike, StateChange, SyncClientOptions, SyncErrorKind, SyncMessage,
  SyncStats,
} from './types.js';
export * from './generated/contract.js';
