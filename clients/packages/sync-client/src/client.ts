import type { ClientPayloads, ServerPayloads } from './generated/contract.js';
import { type CursorStore, cursorKey, memoryCursorStore, webStorageCursorStore } from './cursor-store.js';
import { DEFAULTS, DRAIN_RATE_SHARE, UNANNOUNCED_GATEWAY_LIMITS } from './defaults.js';
import { type ClientMessageObject, messagePayload, toTypeAndPayload } from './message.js';
import { Outbox, type Receipt } from './outbox.js';
import {
  CloseCode, DEFAULT_CLOSE_POLICY, FALLBACK_ACTION, backoffDelay, retryAfterMs, tokenExpiry,
} from './policy.js';
import { tabSharing } from './share.js';
import { type TransportChoice, transportChoice } from './transport.js';
import { Throttle } from './throttle.js';
import {
  SyncError,
  type ClientMessageType, type ClientSnapshot, type CloseAction, type ClosePolicy, type ConnectionState,
  type Handler, type HandlerMap, type PayloadOf, type SocketFactory, type SocketLike, type StateChange,
  type SyncClientOptions, type SyncMessage, type SyncStats,
} from './types.js';

const OPEN = 1;
/** Refresh a JWT this long before its `exp`, so a reconnect never presents an expired token. */
const TOKEN_REFRESH_MARGIN_MS = 30_000;
/** A socket with no CONNECTION_ESTABLISHED after this long is given up and retried. */
const CONNECT_TIMEOUT_MS = 15_000;
/** The cursor in the store is rewritten at most this often (and when the page is hidden or closed). */
const CURSOR_SAVE_INTERVAL_MS = 1_000;
/**
 * A backlog (messages queued while offline, or written again) drains in batches, one per interval, of
 * DRAIN_RATE_SHARE of the frames the gateway allows per interval (its announced `inboundRate`), leaving room for
 * PING, ACK and SUBSCRIBE, so it is never rate limited.
 */
const DRAIN_INTERVAL_MS = 1_000;
/** After ERROR UNAVAILABLE naming a message's id (not stored), it is written again this much later. */
const RETRY_UNAVAILABLE_MS = 1_000;
/** Messages the SDK does not give an id: answered by their own reply, or sent again by the SDK itself. */
const CONTROL_TYPES: readonly string[] = ['PING', 'PONG', 'SUBSCRIBE', 'UNSUBSCRIBE', 'GET_PENDING'];
/** The upgrade's `cursor` that asks the gateway to resume from this device's acknowledged cursor. */
const ACKED_CURSOR = 'acked';

type Listener<T> = (value: T) => void;

/**
 * A connection to the sync gateway that keeps itself alive: resumes from the last cursor on any pod,
 * follows the close-code policy, backs off with full jitter, refreshes the token, and keeps handlers,
 * org subscriptions and unsent messages across reconnects. See docs/protocol.md for the protocol.
 */
export class SyncClient {
  private readonly options: SyncClientOptions;
  private readonly policy: ClosePolicy;
  private readonly random: () => number;
  private readonly store: CursorStore | undefined;
  private readonly log: ((...args: unknown[]) => void) | undefined;
  /** The app's createSocket, else one connection shared by the app's tabs (share.ts), else a WebSocket per client. */
  private readonly createSocket: SocketFactory;

  private readonly handlers = new Map<string, Set<Handler<any>>>();
  private readonly anyHandlers = new Set<Handler>();
  private readonly stateListeners = new Set<Listener<StateChange>>();
  private readonly errorListeners = new Set<Listener<SyncError>>();
  private readonly snapshotListeners = new Set<() => void>();
  private readonly orgs = new Set<string>();
  private readonly outbox: Outbox;
  private readonly transports: TransportChoice;
  private readonly idPrefix = randomId();
  private idSeq = 0;
  private readonly seenIds = new Set<string>();
  private readonly seenOrder: string[] = [];
  private readonly pendingRequests = new Set<(count: number) => void>();

  private socket: SocketLike | undefined;
  private snapshot: ClientSnapshot;
  private stats: SyncStats = { reconnects: 0, resumes: 0, replayed: 0, resyncs: 0, drops: 0, duplicates: 0 };
  private attempt = 0;
  private connections = 0;
  /** When the current outage began (undefined while connected): a long one turns `reconnecting` into `suspended`. */
  private outageSince: number | undefined;
  /** Bumped by every open() and close(), so an open() that awaited a token while the app closed does not go on. */
  private generation = 0;
  private lastHeardAt = 0;
  private token: string | undefined;
  private tokenRefusals = 0;
  /** While the app refetches state after RESYNC_REQUIRED, later events wait here so they are applied after it. */
  private heldDuringResync: SyncMessage[] | undefined;
  private resyncsPending = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private stableTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private tokenTimer: ReturnType<typeof setTimeout> | undefined;
  private detachBrowser: (() => void) | undefined;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private receiptTimer: ReturnType<typeof setTimeout> | undefined;

  /** The store key loaded last (from the token's user and device); a new one means another user or device. */
  private storeKey: string | undefined;
  /** The cursor of the last message whose handlers ran (RESYNC_REQUIRED's: once onResync is done). */
  private processed: string | undefined;
  private savedCursor: string | undefined;
  private readonly saveThrottle: Throttle;
  /** The cursor to acknowledge next, and the last one written in an ACK. */
  private ackCursor: string | undefined;
  private ackedCursor: string | undefined;
  private readonly ackThrottle: Throttle;
  /** This connection's gateway answered an ACK with ERROR UNKNOWN_TYPE: it predates acknowledgements. */
  private acksRefused = false;
  private ackWrittenOnConnection = false;
  /** Whether this connection's gateway answers RECEIVED: yes once it did, no once it proved it cannot. */
  private receipts: 'unknown' | 'yes' | 'no' = 'unknown';
  private resyncCursor: string | undefined;
  /** This connection's gateway's ping interval and limits (CONNECTION_ESTABLISHED), or the defaults before one. */
  private pingMs: number;
  private maxMessageBytes: number | undefined;
  private drainBatch = 1;

  constructor(options: SyncClientOptions) {
    this.options = options;
    this.policy = { ...DEFAULT_CLOSE_POLICY, ...(options.closePolicy as ClosePolicy | undefined) };
    this.random = options.random ?? Math.random;
    this.createSocket = options.createSocket ?? tabSharing(options) ?? defaultSocket;
    this.store = options.cursorStore === false ? undefined
      : options.cursorStore ?? webStorageCursorStore() ?? memoryCursorStore();
    this.saveThrottle = new Throttle(CURSOR_SAVE_INTERVAL_MS, () => this.saveCursor());
    this.ackThrottle = new Throttle(options.ackIntervalMs ?? DEFAULTS.ackIntervalMs, () => this.writeAck());
    this.pingMs = options.pingIntervalMs ?? DEFAULTS.pingIntervalMs;
    this.maxMessageBytes = options.maxMessageBytes;
    this.outbox = new Outbox(() => this.options.sendBufferSize ?? DEFAULTS.sendBufferSize, (error) => {
      this.countDrop();
      this.emitError(error);
    });
    this.log = debugLogger(options.debug);
    this.transports = transportChoice(options.transport ?? 'auto', options.fallbackAfter ?? 2, options.retryWebSocketMs ?? 600_000);
    this.snapshot = {
      state: 'idle', reason: 'created', isConnected: false, reconnectAttempts: 0, lastCloseCode: undefined,
      pod: undefined, connectionId: undefined, deviceId: undefined, resumed: false, transport: undefined,
      cursor: undefined, stats: { ...this.stats },
    };
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Starts connecting (again, after close() or `failed`). Does nothing while already active. */
  connect(): void {
    const { state } = this.snapshot;
    if (state !== 'idle' && state !== 'closed' && state !== 'failed') return;
    this.attempt = 0;
    this.tokenRefusals = 0;
    this.outageSince = Date.now();
    this.watchBrowser();
    this.setState('connecting', 'connect() called');
    void this.open();
  }

  /** Closes the connection for good (state `closed`); handlers stay registered for a later connect(). */
  close(): void {
    if (this.snapshot.state === 'closed') return;
    this.generation++;
    this.persistNow();
    this.stopTimers();
    this.detachBrowser?.();
    this.detachBrowser = undefined;
    this.dropSocket(CloseCode.NORMAL, 'closed by the app');
    this.setState('closed', 'close() called');
  }

  // ---- reading state -----------------------------------------------------------------------------

  /** The gateway endpoint this client connects to (`options.url`); the React provider derives the HTTP API from it. */
  get url(): string {
    return this.options.url;
  }

  /** An immutable view, replaced on every change: `useSyncExternalStore(client.onSnapshot, client.getSnapshot)`. */
  readonly getSnapshot = (): ClientSnapshot => this.snapshot;

  readonly onSnapshot = (listener: () => void): (() => void) => add(this.snapshotListeners, listener);

  readonly onStateChange = (listener: Listener<StateChange>): (() => void) => add(this.stateListeners, listener);

  readonly onError = (listener: Listener<SyncError>): (() => void) => add(this.errorListeners, listener);

  // ---- handlers ----------------------------------------------------------------------------------

  /** Calls `handler(data, message)` for every message of `type` (any string: other teams' types too). */
  readonly on = <T extends string>(type: T, handler: Handler<PayloadOf<T>>): (() => void) => {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const added = add(set, handler);
    return () => {
      added();
      if (set!.size === 0) this.handlers.delete(type);
    };
  };

  /** Every message the gateway sends, control messages included. */
  readonly onAny = (handler: Handler): (() => void) => add(this.anyHandlers, handler);

  /** Seed 004's `registerHandlers({ type: fn, ... })`; the returned function removes them all. */
  readonly registerHandlers = (map: HandlerMap): (() => void) => {
    const removers = Object.entries(map)
      .filter((entry): entry is [string, Handler<any>] => typeof entry[1] === 'function')
      .map(([type, handler]) => this.on(type, handler));
    return () => removers.forEach((remove) => remove());
  };

  // ---- sending -----------------------------------------------------------------------------------

  /**
   * Sends a client message now, or after the next (re)connect when disconnected (at most `sendBufferSize`
   * wait; beyond that the oldest is dropped with a `send-dropped` error). Messages other than PING, PONG,
   * SUBSCRIBE, UNSUBSCRIBE and GET_PENDING get an `id` and are kept until the gateway answers RECEIVED: one lost
   * with the connection is sent again, with the same id, after the reconnect (the gateway applies it once).
   * `send(type, payload)`, or one object: `send({ type, payload })` (seed 001's wire form) or
   * `send({ type, ...fields })` (seed 004: the fields are the payload).
   * @returns false when the message was dropped at once (too big for the gateway)
   */
  readonly send: {
    <T extends ClientMessageType>(type: T, payload: ClientPayloads[T]): boolean;
    <T extends ClientMessageType>(message: { type: T; payload: ClientPayloads[T] }): boolean;
    (message: ClientMessageObject): boolean;
  } = (typeOrMessage: string | ClientMessageObject, payload?: unknown): boolean => {
    const message = toTypeAndPayload(typeOrMessage, payload);
    return this.enqueue(message.type, message.payload, CONTROL_TYPES.includes(message.type) ? undefined : this.nextId());
  };

  /**
   * send() with the outcome: resolves once the gateway answered RECEIVED (`confirmed: true`; `duplicate` when it
   * had the id already), or once written to a gateway that does not confirm messages (`confirmed: false`);
   * rejects with a SyncError when the message is dropped (`message-too-big`, `send-dropped`). Pending while
   * disconnected, also across close() and a later connect(). `id` (1-64 of [A-Za-z0-9._:-]) lets the app
   * choose it, e.g. to send the same message again after a reload; default a fresh unique id.
   */
  readonly deliver = <T extends ClientMessageType>(type: T, payload: ClientPayloads[T], options: { id?: string } = {}): Promise<Receipt> =>
    new Promise<Receipt>((resolve, reject) => {
      this.enqueue(type, payload, options.id ?? this.nextId(), (outcome) => (outcome instanceof SyncError ? reject(outcome) : resolve(outcome)));
    });

  /**
   * Acknowledges that this device processed everything up to `cursor` (default: the last message whose handlers
   * ran). Batched: at most one ACK frame per `ackIntervalMs`. Automatic unless `autoAck: false`.
   */
  readonly ack = (cursor: string | undefined = this.processed): void => {
    if (!cursor) return;
    this.ackCursor = cursor;
    this.ackThrottle.request();
  };

  /** Forgets the cursor, in memory and in the store (e.g. at sign-out): the next connection starts afresh. */
  readonly clearCursor = async (): Promise<void> => {
    this.processed = this.savedCursor = this.ackCursor = undefined;
    this.snapshot = { ...this.snapshot, cursor: undefined };
    this.publishSnapshot();
    if (this.storeKey) await this.store?.clear(this.storeKey);
  };

  private enqueue(type: string, payload: unknown, id: string | undefined, settle?: (outcome: Receipt | SyncError) => void): boolean {
    const frame = JSON.stringify(id === undefined ? { type, payload } : { type, id, payload });
    const limit = this.maxMessageBytes;
    // A UTF-16 unit is at most 3 UTF-8 bytes: only long frames are encoded to be measured. Before the first
    // connection the gateway's limit is unknown: a message over it then closes the connection with 1009, and is
    // dropped (never sent again).
    if (limit !== undefined && frame.length * 3 > limit && byteLength(frame) > limit) {
      this.countDrop();
      const error = new SyncError('message-too-big', `${type} not sent: ${byteLength(frame)} bytes is over the gateway's limit`, CloseCode.MESSAGE_TOO_BIG);
      this.emitError(error);
      settle?.(error);
      return false;
    }
    this.outbox.add(frame, id, settle);
    // Written at once while connected, unless a backlog is draining: then after it, in order.
    if (!this.drainTimer) this.drain();
    return true;
  }

  private nextId(): string {
    return `${this.idPrefix}:${++this.idSeq}`;
  }

  /** Writes waiting messages, drainBatch at a time, and watches those with an id for their RECEIVED. */
  private drain(): void {
    this.drainTimer = undefined;
    if (!this.writable()) return;
    for (let n = 0; n < this.drainBatch; n++) {
      const entry = this.outbox.next();
      if (!entry) break;
      this.socket!.send(entry.frame);
      this.outbox.written(entry, Date.now(), this.receipts !== 'no');
    }
    if (this.outbox.hasWaiting()) this.drainTimer = setTimeout(() => this.drain(), DRAIN_INTERVAL_MS);
    if (!this.receiptTimer && this.outbox.unanswered().length > 0) {
      this.receiptTimer = setTimeout(() => this.receiptsOverdue(), this.options.receiptTimeoutMs ?? DEFAULTS.receiptTimeoutMs);
    }
  }

  /**
   * Messages unanswered for receiptTimeoutMs: a gateway that answered RECEIVED before gets them again (same id);
   * one that never did predates message ids, and they count as sent.
   */
  private receiptsOverdue(): void {
    this.receiptTimer = undefined;
    const due = Date.now() - (this.options.receiptTimeoutMs ?? DEFAULTS.receiptTimeoutMs);
    const overdue = this.outbox.unanswered().filter((entry) => entry.sentAt <= due);
    if (this.receipts === 'yes') {
      overdue.forEach((entry) => this.outbox.retry(entry));
    } else if (overdue.length > 0) {
      this.noReceipts('no RECEIVED in time');
    }
    if (!this.drainTimer) this.drain();
  }

  private noReceipts(why: string): void {
    this.log?.(`this gateway does not confirm messages (${why}): messages count as sent once written`);
    this.receipts = 'no';
    this.outbox.unconfirmable();
  }

  private writable(): boolean {
    return this.snapshot.isConnected && this.socket?.readyState === OPEN && this.alive();
  }

  /**
   * Asks the gateway for what this client missed since its cursor (seed 004's GET_PENDING).
   * @returns the number of events replayed (PENDING_CHECK_COMPLETE.delivered)
   */
  readonly requestPending = (): Promise<number> => new Promise<number>((resolve, reject) => {
    const timeout = setTimeout(() => {
      this.pendingRequests.delete(done);
      reject(new SyncError('timeout', 'no PENDING_CHECK_COMPLETE in time'));
    }, this.options.requestTimeoutMs ?? DEFAULTS.requestTimeoutMs);
    const done = (count: number) => {
      clearTimeout(timeout);
      resolve(count);
    };
    this.pendingRequests.add(done);
    this.send('GET_PENDING', this.snapshot.cursor ? { cursor: this.snapshot.cursor } : {});
  });

  /** Joins an organization's events (seed 003); kept across reconnects. The returned function leaves it. */
  readonly subscribe = (orgId: string): (() => void) => {
    if (!this.orgs.has(orgId)) {
      this.orgs.add(orgId);
      if (this.snapshot.isConnected) this.send('SUBSCRIBE', { orgId });
    }
    return () => this.unsubscribe(orgId);
  };

  readonly unsubscribe = (orgId: string): void => {
    if (this.orgs.delete(orgId) && this.snapshot.isConnected) this.send('UNSUBSCRIBE', { orgId });
  };

  // ---- connecting --------------------------------------------------------------------------------

  private async open(): Promise<void> {
    this.retryTimer = undefined;
    const generation = ++this.generation;
    let token: string | undefined;
    try {
      token = await this.currentToken();
    } catch (failure) {
      if (generation !== this.generation) return;
      this.emitError(new SyncError('auth', `getToken() failed: ${String(failure)}`, undefined, failure));
      this.scheduleRetry({ kind: 'reconnect' }, undefined, 'getToken() failed');
      return;
    }
    if (generation !== this.generation || !this.active()) return;
    await this.loadCursor(token);
    if (generation !== this.generation || !this.active()) return;
    const url = this.connectUrl(token);
    const transport = this.transports.next();
    this.log?.('connecting', this.options.url, this.snapshot.cursor ? 'with cursor' : 'fresh');
    let socket: SocketLike;
    try {
      // The SSE transport is loaded the first time it is needed: most clients never need it. An SSE stream is
      // this tab's own: tabs share only a WebSocket (share.ts).
      const sse = transport === 'sse' ? (await import('./sse.js')).sseSocket : undefined;
      if (generation !== this.generation || !this.active()) return;
      socket = sse ? sse(url, this.options.fetch) : this.createSocket(url);
    } catch (failure) {
      this.scheduleRetry({ kind: 'reconnect' }, undefined, `socket not created: ${String(failure)}`);
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => this.receive(socket, event.data);
    socket.onclose = (event) => this.closed(socket, event.code, event.reason);
    socket.onerror = () => this.log?.('socket error');
    this.connectTimer = setTimeout(() => this.giveUp(socket, 'no CONNECTION_ESTABLISHED in time', FALLBACK_ACTION),
      CONNECT_TIMEOUT_MS);
  }

  private connectUrl(token: string | undefined): string {
    const url = new URL(this.options.url);
    if (token) url.searchParams.set('token', token);
    const cursor = this.snapshot.cursor ?? (this.options.resumeFromAcknowledged === false ? undefined : ACKED_CURSOR);
    if (cursor) url.searchParams.set('cursor', cursor);
    // Refusals as close codes (4401/4403/4429/4503): a browser cannot read a refused upgrade's HTTP status.
    url.searchParams.set('refusal', 'close');
    return url.toString();
  }

  /**
   * Loads the stored cursor on the first connect, and when the token names another user or device: that one's
   * cursor (or none) replaces the one in memory.
   */
  private async loadCursor(token: string | undefined): Promise<void> {
    const key = this.options.storageKey ?? cursorKey(this.options.url, token);
    if (!this.store || key === this.storeKey) return;
    const switched = this.storeKey !== undefined;
    if (switched) this.persistNow();
    this.storeKey = key;
    let saved: string | undefined;
    try {
      saved = (await this.store.load(key)) ?? undefined;
    } catch (failure) {
      this.log?.('the cursor store failed to load', failure);
    }
    if (!saved && !switched) return;
    this.processed = this.savedCursor = saved;
    this.ackCursor = this.ackedCursor = undefined;
    this.snapshot = { ...this.snapshot, cursor: saved };
  }

  /** The token to connect with: fetched on the first connect, when it expires soon, and after a refusal. */
  private async currentToken(): Promise<string | undefined> {
    if (!this.options.getToken) return undefined;
    const expiry = this.token ? tokenExpiry(this.token) : undefined;
    if (!this.token || (expiry !== undefined && expiry - Date.now() < TOKEN_REFRESH_MARGIN_MS)) {
      this.token = await this.options.getToken();
    }
    return this.token;
  }

  /** Fetches the next token ahead of `exp`, so a reconnect after expiry does not wait for it. */
  private scheduleTokenRefresh(): void {
    clearTimeout(this.tokenTimer);
    const expiry = this.token ? tokenExpiry(this.token) : undefined;
    if (expiry === undefined || !this.options.getToken) return;
    const getToken = this.options.getToken;
    const left = expiry - Date.now();
    // Halfway for short-lived tokens, so they cannot cause a tight refresh loop.
    this.tokenTimer = setTimeout(() => {
      Promise.resolve().then(getToken).then((token) => {
        this.token = token;
        if ((tokenExpiry(token) ?? 0) > expiry) this.scheduleTokenRefresh();
      }, (failure) => this.emitError(new SyncError('auth', `getToken() failed: ${String(failure)}`, undefined, failure)));
    }, Math.max(left / 2, left - 2 * TOKEN_REFRESH_MARGIN_MS));
  }

  // ---- receiving ---------------------------------------------------------------------------------

  private receive(socket: SocketLike, raw: unknown): void {
    if (socket !== this.socket) return;
    this.lastHeardAt = Date.now();
    let message: SyncMessage;
    try {
      message = JSON.parse(String(raw)) as SyncMessage;
      if (typeof message?.type !== 'string') throw new Error('no type');
    } catch {
      this.log?.('ignored a frame that is not a message', raw);
      return;
    }
    const cursor = cursorOf(message);
    if (message.id !== undefined && this.isDuplicate(message.id)) {
      this.stats.duplicates++;
      this.updateCursor(cursor);
      if (!this.heldDuringResync) this.markProcessed(cursor);
      this.publishSnapshot();
      return;
    }
    switch (message.type) {
      case 'CONNECTION_ESTABLISHED':
        this.established(message.data as ServerPayloads['CONNECTION_ESTABLISHED']);
        break;
      case 'PENDING_CHECK_COMPLETE': {
        const delivered = (message.data as ServerPayloads['PENDING_CHECK_COMPLETE']).delivered ?? 0;
        this.stats.replayed += delivered;
        this.pendingRequests.forEach((done) => done(delivered));
        this.pendingRequests.clear();
        break;
      }
      case 'RESYNC_REQUIRED':
        this.updateCursor(cursor);
        this.resync((message.data as ServerPayloads['RESYNC_REQUIRED']).reason ?? 'resync required', message);
        return;
      case 'RECEIVED': {
        const { id, duplicate } = (message.data ?? {}) as { id?: unknown; duplicate?: unknown };
        this.receipts = 'yes';
        if (typeof id === 'string') this.outbox.received(id, duplicate === true);
        break;
      }
      case 'ERROR':
        this.serverError(message.data as ServerPayloads['ERROR']);
        break;
      case 'PING':
        this.send('PONG', (message.data ?? {}) as ClientPayloads['PONG']);
        break;
    }
    this.updateCursor(cursor);
    if (this.heldDuringResync) {
      this.heldDuringResync.push(message);
    } else {
      this.dispatch(message);
    }
  }

  private serverError(error: ServerPayloads['ERROR']): void {
    if (error.code === 'UNKNOWN_TYPE' && this.ackWrittenOnConnection && /\bACK\b/.test(error.reason)) {
      // A gateway from before acknowledgements (and message ids): stop acking on this connection; not the app's error.
      this.log?.('the gateway does not know ACK:', error.reason);
      this.acksRefused = true;
      if (this.receipts !== 'yes') this.noReceipts('it does not know ACK');
      return;
    }
    if (error.code === 'UNAVAILABLE') {
      // Not stored: write it again (same id) shortly.
      const failed = this.outbox.unanswered().filter((entry) => entry.id && error.reason.includes(entry.id));
      failed.forEach((entry) => this.outbox.retry(entry));
      if (failed.length > 0 && !this.drainTimer) this.drainTimer = setTimeout(() => this.drain(), RETRY_UNAVAILABLE_MS);
    }
    this.emitError(new SyncError('server', error.reason, error.code));
  }

  private established(data: ServerPayloads['CONNECTION_ESTABLISHED']): void {
    clearTimeout(this.connectTimer);
    this.connections++;
    if (this.connections > 1) this.stats.reconnects++;
    if (data.resumed) this.stats.resumes++;
    this.tokenRefusals = 0;
    this.outageSince = undefined;
    this.acksRefused = this.ackWrittenOnConnection = false;
    this.receipts = 'unknown';
    this.transports.connected();
    this.snapshot = {
      ...this.snapshot, pod: data.pod, connectionId: data.connectionId, deviceId: data.deviceId, resumed: data.resumed,
      transport: this.transports.current(),
    };
    this.followGateway(data);
    this.setState('connected', data.resumed ? `resumed on pod ${data.pod}` : `connected to pod ${data.pod}`);
    this.orgs.forEach((orgId) => this.send('SUBSCRIBE', { orgId }));
    this.drain();
    if (this.ackCursor !== this.ackedCursor) this.ackThrottle.request();
    this.scheduleTokenRefresh();
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (this.alive()) this.socket?.send('{"type":"PING"}');
    }, this.pingMs);
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => {
      this.attempt = 0;
      this.setState('connected', 'connection stable');
    }, this.options.backoff?.stableAfterMs ?? DEFAULTS.backoff.stableAfterMs);
  }

  /**
   * Takes this gateway's ping interval and limits from CONNECTION_ESTABLISHED (the app's options win), so the
   * client never holds a copy that a gateway configured otherwise would contradict.
   */
  private followGateway(data: ServerPayloads['CONNECTION_ESTABLISHED']): void {
    this.pingMs = this.options.pingIntervalMs ?? data.heartbeatIntervalMs ?? DEFAULTS.pingIntervalMs;
    this.maxMessageBytes = this.options.maxMessageBytes ?? data.maxMessageBytes ?? UNANNOUNCED_GATEWAY_LIMITS.maxMessageBytes;
    // A batch goes out at once: within the gateway's burst as well as its rate.
    const perInterval = (data.inboundRate ?? UNANNOUNCED_GATEWAY_LIMITS.inboundRate) * DRAIN_INTERVAL_MS / 1000;
    const burst = data.inboundBurst ?? UNANNOUNCED_GATEWAY_LIMITS.inboundBurst;
    this.drainBatch = Math.max(1, Math.floor(Math.min(perInterval, burst) * DRAIN_RATE_SHARE));
  }

  /** RESYNC_REQUIRED: the app refetches state; events after it are applied once that is done. */
  private resync(reason: string, message: SyncMessage): void {
    this.stats.resyncs++;
    this.log?.('resync required:', reason);
    const held: SyncMessage[] = this.heldDuringResync ?? [];
    this.heldDuringResync = held;
    this.resyncsPending++;
    this.resyncCursor = cursorOf(message) as string | undefined;
    this.dispatch(message);
    Promise.resolve()
      .then(() => this.options.onResync?.(reason))
      .catch((failure) => this.emitError(new SyncError('handler', `onResync failed: ${String(failure)}`, undefined, failure)))
      .finally(() => {
        // A second RESYNC_REQUIRED during the first refetch: hold on until its refetch is done too.
        if (--this.resyncsPending > 0 || this.heldDuringResync !== held) return;
        this.heldDuringResync = undefined;
        // The refetched state stands at the resync's cursor: processed (saved, acknowledged) only now.
        this.markProcessed(this.resyncCursor);
        held.forEach((next) => this.dispatch(next));
      });
  }

  private dispatch(message: SyncMessage): void {
    const data = messagePayload(message);
    for (const handler of [...(this.handlers.get(message.type) ?? []), ...this.anyHandlers]) {
      try {
        handler(data, message);
      } catch (failure) {
        this.emitError(new SyncError('handler', `a ${message.type} handler threw: ${String(failure)}`, undefined, failure));
      }
    }
    if (message.type !== 'RESYNC_REQUIRED') this.markProcessed(cursorOf(message));
    this.publishSnapshot();
  }

  private isDuplicate(id: string): boolean {
    if (this.seenIds.has(id)) return true;
    this.seenIds.add(id);
    this.seenOrder.push(id);
    if (this.seenOrder.length > (this.options.dedupeWindow ?? DEFAULTS.dedupeWindow)) this.seenIds.delete(this.seenOrder.shift()!);
    return false;
  }

  private updateCursor(cursor: unknown): void {
    if (typeof cursor !== 'string' || cursor === this.snapshot.cursor) return;
    this.snapshot = { ...this.snapshot, cursor };
  }

  /** The handlers ran for everything up to `cursor`: it is saved (throttled) and, with autoAck, acknowledged. */
  private markProcessed(cursor: unknown): void {
    if (typeof cursor !== 'string' || cursor === this.processed) return;
    this.processed = cursor;
    if (this.store) this.saveThrottle.request();
    if (this.options.autoAck !== false) this.ack(cursor);
  }

  private saveCursor(): boolean {
    const { processed, storeKey } = this;
    if (!this.store || !storeKey || !processed || processed === this.savedCursor) return false;
    this.savedCursor = processed;
    try {
      Promise.resolve(this.store.save(storeKey, processed)).catch((failure) => this.log?.('the cursor store failed to save', failure));
    } catch (failure) {
      this.log?.('the cursor store failed to save', failure);
    }
    return true;
  }

  /** One ACK frame with the latest cursor to acknowledge; kept for the next connection while there is none. */
  private writeAck(): boolean {
    const cursor = this.ackCursor;
    if (!cursor || cursor === this.ackedCursor || this.acksRefused || !this.writable()) return false;
    this.socket!.send(JSON.stringify({ type: 'ACK', payload: { cursor } }));
    this.ackedCursor = cursor;
    this.ackWrittenOnConnection = true;
    return true;
  }

  /** Saves the cursor and sends the pending ACK now: the page is being hidden or unloaded, or the app closes. */
  private persistNow(): void {
    this.ackThrottle.flush();
    this.saveThrottle.flush();
  }

  // ---- closing and retrying ----------------------------------------------------------------------

  private closed(socket: SocketLike, code: number, reason: string): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    if (this.transports.ended(code)) this.log?.('next attempt over', this.transports.current());
    const tooBig = code === CloseCode.MESSAGE_TOO_BIG
      ? new SyncError('message-too-big', `the gateway refused a message as too big; it is not sent again`, code) : undefined;
    if (tooBig) this.outbox.dropLargestUnanswered(tooBig);
    this.stopConnectionTimers();
    this.snapshot = { ...this.snapshot, lastCloseCode: code, isConnected: false };
    this.log?.('closed', code, reason);
    if (!this.active()) return;
    const action = this.policy[code] ?? FALLBACK_ACTION;
    const words = `closed ${code}${reason ? `: ${reason}` : ''}`;
    if (code === CloseCode.RATE_LIMITED) {
      this.emitError(new SyncError('too-fast', `the gateway closed the connection: this client sent too fast (${reason})`, code));
    } else if (tooBig) {
      this.emitError(tooBig);
    }
    if (action.kind === 'refresh-token') {
      this.token = undefined;
      this.tokenRefusals++;
      this.emitError(new SyncError('auth', `token refused (${words})`, code));
      if (this.tokenRefusals >= 2) {
        this.fail(`token refused twice (${words})`, code);
        return;
      }
    }
    if (action.kind === 'fail') {
      this.fail(words, code);
      return;
    }
    this.scheduleRetry(action, code, words, retryAfterMs(reason));
  }

  private scheduleRetry(action: CloseAction, code: number | undefined, words: string, notBeforeMs?: number): void {
    const backoff = { ...DEFAULTS.backoff, ...this.options.backoff };
    this.outageSince ??= Date.now();
    const suspended = Date.now() - this.outageSince > backoff.suspendAfterMs;
    const maxMs = suspended ? backoff.suspendedMaxMs : backoff.maxMs;
    const usual = backoffDelay(this.attempt, backoff.minMs, maxMs, this.random);
    let delay = action.kind === 'reconnect-now' || action.kind === 'refresh-token'
      ? Math.round(this.random() * ('maxJitterMs' in action ? action.maxJitterMs ?? 1000 : 1000))
      : action.kind === 'backoff' ? action.floorMs + usual : usual;
    if (notBeforeMs !== undefined) delay = Math.max(delay, notBeforeMs + Math.round(this.random() * 1000));
    this.attempt++;
    this.snapshot = { ...this.snapshot, reconnectAttempts: this.attempt };
    this.setState(suspended ? 'suspended' : 'reconnecting', words, code, delay);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.open(), delay);
  }

  /** Retries now instead of waiting out the backoff (the browser came online, or the tab became visible). */
  private retryNow(why: string): void {
    const { state } = this.snapshot;
    if (state === 'connected' && this.socket && !this.alive()) {
      this.giveUp(this.socket, `${why}; nothing heard for too long`);
    } else if ((state === 'reconnecting' || state === 'suspended') && this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.setState(state, why);
      void this.open();
    }
  }

  /** Treats a socket as dead without waiting for TCP to notice: closes it and reconnects as after 4000. */
  private giveUp(socket: SocketLike, why: string, action = this.policy[CloseCode.IDLE_TIMEOUT] ?? FALLBACK_ACTION): void {
    if (socket !== this.socket) return;
    if (this.transports.ended(undefined)) this.log?.('next attempt over', this.transports.current());
    this.dropSocket(CloseCode.NORMAL, why);
    this.stopConnectionTimers();
    this.snapshot = { ...this.snapshot, isConnected: false };
    this.scheduleRetry(action, undefined, why);
  }

  /**
   * Wall-clock liveness: background tabs throttle timers, so a deadline is checked before each write
   * instead of trusting an interval to have fired. Any frame counts as life.
   */
  private alive(): boolean {
    if (Date.now() - this.lastHeardAt <= (this.options.livenessTimeoutMs ?? this.pingMs * DEFAULTS.livenessIntervals)) return true;
    if (this.socket) queueMicrotask(() => this.socket && this.giveUp(this.socket, 'nothing heard within the liveness timeout'));
    return false;
  }

  private fail(why: string, code: number | undefined): void {
    this.stopTimers();
    this.setState('failed', why, code);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code, reason.slice(0, 120));
    } catch {
      // already closed
    }
  }

  private active(): boolean {
    const { state } = this.snapshot;
    return state !== 'closed' && state !== 'failed' && state !== 'idle';
  }

  /** The connection is over (or never was): its timers stop; messages awaiting RECEIVED wait to be written again. */
  private stopConnectionTimers(): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.stableTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.drainTimer);
    clearTimeout(this.receiptTimer);
    this.drainTimer = this.receiptTimer = undefined;
    this.outbox.connectionLost();
  }

  private stopTimers(): void {
    this.stopConnectionTimers();
    clearTimeout(this.retryTimer);
    clearTimeout(this.tokenTimer);
    this.ackThrottle.cancel();
    this.saveThrottle.cancel();
    this.retryTimer = undefined;
  }

  private watchBrowser(): void {
    if (this.detachBrowser || this.options.watchBrowser === false) return;
    const win = (globalThis as { window?: Window }).window;
    const doc = (globalThis as { document?: Document }).document;
    if (!win?.addEventListener || !doc) return;
    const online = () => this.retryNow('browser online');
    // Hidden may be the last moment the page runs (mobile browsers kill hidden tabs): save and ack then.
    const visible = () => (doc.visibilityState === 'visible' ? this.retryNow('tab visible') : this.persistNow());
    const hide = () => this.persistNow();
    win.addEventListener('online', online);
    win.addEventListener('pagehide', hide);
    doc.addEventListener('visibilitychange', visible);
    this.detachBrowser = () => {
      win.removeEventListener('online', online);
      win.removeEventListener('pagehide', hide);
      doc.removeEventListener('visibilitychange', visible);
    };
  }

  // ---- notifying ---------------------------------------------------------------------------------

  private setState(state: ConnectionState, reason: string, closeCode?: number, retryInMs?: number): void {
    const previous = this.snapshot.state;
    this.snapshot = { ...this.snapshot, state, reason, isConnected: state === 'connected' };
    if (state === 'connected') this.snapshot.reconnectAttempts = this.attempt;
    this.log?.(`${previous} -> ${state}: ${reason}`);
    const change: StateChange = { state, previous, reason, closeCode, retryInMs };
    this.stateListeners.forEach((listener) => guard(() => listener(change)));
    this.publishSnapshot();
  }

  private countDrop(): void {
    this.stats.drops++;
    this.publishSnapshot();
  }

  private emitError(error: SyncError): void {
    this.log?.('error', error.kind, error.code, error.message);
    this.errorListeners.forEach((listener) => guard(() => listener(error)));
  }

  private publishSnapshot(): void {
    if (!sameStats(this.snapshot.stats, this.stats)) this.snapshot = { ...this.snapshot, stats: { ...this.stats } };
    this.snapshotListeners.forEach((listener) => guard(listener));
  }
}

function add<T>(set: Set<T>, item: T): () => void {
  set.add(item);
  return () => {
    set.delete(item);
  };
}

function guard(fn: () => void): void {
  try {
    fn();
  } catch (failure) {
    console.error('a sync listener threw', failure);
  }
}

function sameStats(a: SyncStats, b: SyncStats): boolean {
  return a.reconnects === b.reconnects && a.resumes === b.resumes && a.replayed === b.replayed
    && a.resyncs === b.resyncs && a.drops === b.drops && a.duplicates === b.duplicates;
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length;
}

function defaultSocket(url: string): SocketLike {
  const WebSocketImpl = (globalThis as { WebSocket?: new (url: string) => SocketLike }).WebSocket;
  if (!WebSocketImpl) throw new Error('no global WebSocket: pass createSocket (e.g. from the ws package)');
  return new WebSocketImpl(url);
}

/** The cursor a message carries: the envelope's, or in `data` (CONNECTION_ESTABLISHED, PONG, RESYNC_REQUIRED, ...). */
function cursorOf(message: SyncMessage): unknown {
  return message.cursor ?? (message.data as { cursor?: unknown } | undefined)?.cursor;
}

/** A prefix for message ids unique to this client instance (so ids never repeat across page loads). */
function randomId(): string {
  const uuid = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto?.randomUUID?.();
  return uuid ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** On with `debug: true`, or in a browser where `localStorage.debug` matches `ws:*` (as the seeds do). */
function debugLogger(debug: SyncClientOptions['debug']): ((...args: unknown[]) => void) | undefined {
  if (typeof debug === 'function') return debug;
  let enabled = debug === true;
  if (debug === undefined) {
    try {
      const pattern = (globalThis as { localStorage?: Storage }).localStorage?.getItem('debug') ?? '';
      enabled = /(^|,)\s*ws:(\*|sync)/.test(pattern);
    } catch {
      enabled = false;
    }
  }
  return enabled ? (...args: unknown[]) => console.debug('ws:sync', ...args) : undefined;
}
