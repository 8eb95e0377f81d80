import type { ClientPayloads, ServerPayloads } from './generated/contract.js';

/**
 * The client's connection state. One state machine; every change comes with a reason.
 * - idle: created, connect() not called yet
 * - connecting: the first attempt (or the first after connect() following close())
 * - connected: CONNECTION_ESTABLISHED received
 * - reconnecting: the connection was lost; retrying with backoff
 * - suspended: retrying slowly after a long outage (never a silent give-up)
 * - failed: terminal until connect() is called again (token refused twice, forbidden)
 * - closed: closed by the app (close())
 */
export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'suspended' | 'failed' | 'closed';

/** Known server message types (from the contract); other teams' types are plain strings. */
export type ServerMessageType = keyof ServerPayloads;
export type ClientMessageType = keyof ClientPayloads;

/** A message as the gateway sends it: an envelope, or (org events) a flat event. */
export interface SyncMessage<T extends string = string, D = unknown> {
  id?: string;
  type: T;
  data?: D;
  timestamp?: number | string;
  userId?: string;
  deviceId?: string;
  cursor?: string;
  [field: string]: unknown;
}

/** What a handler receives: the payload (the envelope's `data`; the whole event for flat org events) and the message. */
export type Handler<D = unknown> = (data: D, message: SyncMessage) => void;
export type PayloadOf<T extends string> = T extends ServerMessageType ? ServerPayloads[T] : unknown;
/** Handlers by message type, as seed 004's `registerHandlers({ message_generate: ... })`. */
export type HandlerMap = { [T in ServerMessageType]?: Handler<ServerPayloads[T]> } & { [type: string]: Handler<any> | undefined };

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** Why, in words (e.g. "closed 1012: draining", "online event", "token refused twice"). */
  reason: string;
  /** The close code that caused it, when one did. */
  closeCode?: number;
  /** When a retry is scheduled: its delay. */
  retryInMs?: number;
}

/** What the client does after a close code (or a refusal); the app may override entries. */
export type CloseAction =
  /** Reconnect after a small jitter and resume (drain, idle timeout, lifetime). */
  | { kind: 'reconnect-now'; maxJitterMs?: number }
  /** Reconnect with the usual exponential backoff and resume. */
  | { kind: 'reconnect' }
  /** Reconnect after at least floorMs (plus backoff); also tells the app (e.g. it sent too fast). */
  | { kind: 'backoff'; floorMs: number }
  /** Get a new token, then reconnect; a second refusal in a row makes the client `failed`. */
  | { kind: 'refresh-token' }
  /** Stop: state `failed` until the app calls connect() again. */
  | { kind: 'fail' };

export type ClosePolicy = Record<number, CloseAction>;

import type { CursorStore } from './cursor-store.js';

export type SyncErrorKind =
  /** An ERROR frame from the gateway (code from the contract, e.g. RATE_LIMITED, INVALID_FIELD, FORBIDDEN). */
  | 'server'
  /** Closed 4003: the app sent too fast. */
  | 'too-fast'
  /** Closed 1009: the message was too big; it is not sent again. */
  | 'message-too-big'
  /** A message given to send() was dropped (buffer full while disconnected). */
  | 'send-dropped'
  /** A handler threw; the other handlers still ran. */
  | 'handler'
  /** The token was refused (4401 / 1008) or getToken() failed. */
  | 'auth'
  /** A request (requestPending) timed out. */
  | 'timeout';

export class SyncError extends Error {
  constructor(
    readonly kind: SyncErrorKind,
    message: string,
    /** The ERROR frame's code, or the close code. */
    readonly code?: string | number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'SyncError';
  }
}

/** Counters for debugging and dashboards. */
export interface SyncStats {
  /** Connections opened (CONNECTION_ESTABLISHED) after the first. */
  reconnects: number;
  /** Connections that resumed from a cursor (resumed: true). */
  resumes: number;
  /** Events replayed by the gateway on resume (sum of PENDING_CHECK_COMPLETE.delivered). */
  replayed: number;
  /** RESYNC_REQUIRED received. */
  resyncs: number;
  /** Messages dropped by send() and duplicate events skipped. */
  drops: number;
  duplicates: number;
}

/** An immutable view of the client, replaced on every change (for React's useSyncExternalStore). */
export interface ClientSnapshot {
  state: ConnectionState;
  reason: string;
  isConnected: boolean;
  /** Attempts since the last stable connection (0 when connected and stable). */
  reconnectAttempts: number;
  lastCloseCode: number | undefined;
  /** The pod serving this connection (CONNECTION_ESTABLISHED.pod). */
  pod: string | undefined;
  connectionId: string | undefined;
  deviceId: string | undefined;
  /** Whether the current connection resumed from a cursor. */
  resumed: boolean;
  /** What the current (or last) connection runs over: `sse` where WebSocket is blocked (option `transport`). */
  transport: 'websocket' | 'sse' | undefined;
  cursor: string | undefined;
  stats: SyncStats;
}

/** The subset of the WebSocket API the client uses (browsers' WebSocket, Node's, or the `ws` package). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null;
  onerror: ((event: any) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

/**
 * The client's options. Every default is in one constant, `DEFAULTS` (defaults.ts), named below as
 * `DEFAULTS.<name>`; what the gateway announces in CONNECTION_ESTABLISHED (ping interval, message size and rate
 * limits) is followed unless an option here overrides it.
 */
export interface SyncClientOptions {
  /** The gateway endpoint, e.g. `wss://sync.example.com/ws` (or `/ws/user/{userId}`, `/api/ws/sync/{orgId}`). */
  url: string;
  /** Returns a JWT; called on connect, before the token's `exp`, and once after a refusal. */
  getToken?: () => string | Promise<string>;
  /** Creates the socket; defaults to `new globalThis.WebSocket(url)` (shared by the app's tabs, see shareTabs). */
  createSocket?: SocketFactory;
  /**
   * In a browser, the app's tabs that connect to the same gateway URL as the same user and device share one
   * connection: one tab holds the WebSocket (elected with Web Locks), the others send and receive through it
   * (BroadcastChannel); when that tab closes or freezes, another takes over and resumes from the last cursor
   * delivered. Handlers, send, deliver, requestPending, ACKs and the state behave as with a socket per tab.
   * Default true where the browser has both (Chrome 69+, Firefox 96+, Safari 15.4+); ignored with createSocket
   * (`createSocket: shareTabs(yourFactory)` shares a socket of your own). false: a socket per tab.
   */
  shareTabs?: boolean;
  /**
   * Full-jitter exponential backoff: delay = random(0, min(maxMs, minMs * 2^attempt)). Each field defaults to
   * `DEFAULTS.backoff`'s.
   */
  backoff?: {
    minMs?: number;
    maxMs?: number;
    /** A connection that lasted this long resets the attempt count. */
    stableAfterMs?: number;
    /** After this long without a connection the state becomes `suspended` and retries slow down to suspendedMaxMs. */
    suspendAfterMs?: number;
    suspendedMaxMs?: number;
  };
  /** Overrides of the close-code policy, by code (see DEFAULT_CLOSE_POLICY). */
  closePolicy?: Partial<ClosePolicy>;
  /**
   * How often the client sends PING (ms). Default: the gateway's `heartbeatIntervalMs` from CONNECTION_ESTABLISHED
   * (`DEFAULTS.pingIntervalMs` for a gateway that does not announce one).
   */
  pingIntervalMs?: number;
  /** No frame for this long (ms) means the connection is dead; default `DEFAULTS.livenessIntervals` ping intervals. */
  livenessTimeoutMs?: number;
  /**
   * Where the cursor of the last processed event is kept across page loads and app launches, loaded on connect and
   * saved as events are processed (at most once a second, and when the page is hidden or the client closed).
   * Default: web storage in browsers (webStorageCursorStore: this tab's sessionStorage, else the device's
   * localStorage), else memory (memoryCursorStore). `false`: keep it in memory only.
   */
  cursorStore?: CursorStore | false;
  /** The store key of the cursor; default `kull-sync-cursor:<url>:<userId>:<deviceId>` from the token (cursorKey). */
  storageKey?: string;
  /**
   * With no cursor of its own, connect with `cursor=acked`: resume from this device's cursor acknowledged to the
   * cluster (or RESYNC_REQUIRED "no acknowledged cursor for this device", handled like any resync). Default true.
   */
  resumeFromAcknowledged?: boolean;
  /** Acknowledge each event's cursor to the cluster once its handlers ran (batched); default true. See ack(). */
  autoAck?: boolean;
  /** At most one ACK frame per this many ms (plus one when the page is hidden or the client closed); default `DEFAULTS.ackIntervalMs`. */
  ackIntervalMs?: number;
  /**
   * A message with an id unanswered (no RECEIVED) this long is written again with the same id, if this gateway
   * answered RECEIVED before; if it never did, it predates message ids and messages count as sent. Default
   * `DEFAULTS.receiptTimeoutMs`.
   */
  receiptTimeoutMs?: number;
  /** Called on RESYNC_REQUIRED: refetch state from the domain services; events after it continue from the fresh cursor. */
  onResync?: (reason: string) => void | Promise<void>;
  /**
   * Messages queued by send() while disconnected (and those unanswered when the connection was lost); default
   * `DEFAULTS.sendBufferSize`.
   * The oldest beyond it are dropped (a `send-dropped` error event).
   */
  sendBufferSize?: number;
  /**
   * Messages larger than this (UTF-8 bytes of the frame) are not sent: the gateway would close with 1009. Default: the
   * `maxMessageBytes` the gateway announced in CONNECTION_ESTABLISHED (before the first connection nothing is checked).
   */
  maxMessageBytes?: number;
  /** requestPending() answer timeout (ms); default `DEFAULTS.requestTimeoutMs`. */
  requestTimeoutMs?: number;
  /** Event ids remembered to skip duplicates across a reconnect; default `DEFAULTS.dedupeWindow`. */
  dedupeWindow?: number;
  /** Log to the console (or to a function); also on when localStorage.debug matches `ws:*`. */
  debug?: boolean | ((...args: unknown[]) => void);
  /** Listen to the browser's `online` and `visibilitychange` events; default true where they exist. */
  watchBrowser?: boolean;
  /** Random source in [0,1) for jitter (tests). */
  random?: () => number;
  /**
   * `auto` (default): WebSocket, and where it is blocked (`fallbackAfter` attempts in a row end before
   * CONNECTION_ESTABLISHED with no close code, or time out) Server-Sent Events with messages POSTed, the same
   * protocol; WebSocket is tried again at the first reconnect `retryWebSocketMs` later. `websocket` or `sse`: only that.
   */
  transport?: 'auto' | 'websocket' | 'sse';
  /** WebSocket attempts failed in a row before falling back to SSE; default 2. */
  fallbackAfter?: number;
  /** How long (ms) the client stays on SSE before trying WebSocket again (at its next reconnect); default 600000. */
  retryWebSocketMs?: number;
  /** fetch for the SSE fallback; default globalThis.fetch. */
  fetch?: typeof fetch;
}
