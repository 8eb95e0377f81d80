export { SyncClient } from './client.js';
export { cursorKey, memoryCursorStore, webStorageCursorStore, type CursorStore } from './cursor-store.js';
export type { Receipt } from './outbox.js';
export { CloseCode, DEFAULT_CLOSE_POLICY, backoffDelay, retryAfterMs, tokenExpiry } from './policy.js';
export { SyncError } from './types.js';
// Tab sharing (on by default in browsers, see SyncClientOptions.shareTabs) loads tabs.ts as its own chunk on first
// use; `@kull/sync-client/tabs` exports it for apps that share a socket of their own (shareTabs(createSocket)).
export type { ChannelLike, LockManagerLike, TabHubOptions } from './tabs.js';
export type {
  ClientMessageType, ClientSnapshot, CloseAction, ClosePolicy, ConnectionState, Handler, HandlerMap,
  PayloadOf, ServerMessageType, SocketFactory, SocketLike, StateChange, SyncClientOptions, SyncErrorKind, SyncMessage,
  SyncStats,
} from './types.js';
export * from './generated/contract.js';
