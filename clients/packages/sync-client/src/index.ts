export { SyncClient } from './client.js';
export { DEFAULTS } from './defaults.js';
export { messagePayload, toTypeAndPayload, type ClientMessageObject } from './message.js';
export { cursorKey, memoryCursorStore, tokenIds, webStorageCursorStore, type CursorStore } from './cursor-store.js';
export type { Receipt } from './outbox.js';
export { CloseCode, DEFAULT_CLOSE_POLICY, backoffDelay, jwtClaims, retryAfterMs, tokenExpiry } from './policy.js';
export { SyncError } from './types.js';
// Tab sharing, on by default in browsers (SyncClientOptions.shareTabs): shareTabs(createSocket) shares a socket
// factory of the app's own. Its code (tabs.ts) is loaded with import() on first use, a chunk of its own.
export { shareTabs } from './share.js';
export type {
  ClientMessageType, ClientSnapshot, CloseAction, ClosePolicy, ConnectionState, Handler, HandlerMap,
  PayloadOf, ServerMessageType, SocketFactory, SocketLike, StateChange, SyncClientOptions, SyncErrorKind, SyncMessage,
  SyncStats,
} from './types.js';
// The contract's types; of its values only FLAT_TYPES, which the core uses. The others (CONTROL_TYPES) are at
// '@kull/sync-client/contract', so the core bundle does not carry them.
export type * from './generated/contract.js';
export { FLAT_TYPES } from './generated/contract.js';
