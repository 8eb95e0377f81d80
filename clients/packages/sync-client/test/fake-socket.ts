import type { SocketLike } from '../src/index.js';

/** WebSocket readyState values. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSING = 2;
export const CLOSED = 3;

export interface EstablishOptions {
  pod?: string;
  resumed?: boolean;
  cursor?: string;
  connectionId?: string;
  deviceId?: string;
  userId?: string;
  heartbeatIntervalMs?: number;
  /** The limits the gateway announces (omitted: a gateway from before it announced them). */
  maxMessageBytes?: number;
  inboundRate?: number;
  inboundBurst?: number;
}

/**
 * A scripted WebSocket: records what the client writes and closes, and lets the test play the gateway
 * (serverSends, serverCloses, establish). Nothing happens on its own: no timers, no async events.
 */
export class FakeSocket implements SocketLike {
  readyState = CONNECTING;
  /** Every frame the client wrote, raw, in order (also those written after close, see `sentAfterClose`). */
  readonly sent: string[] = [];
  /** Frames written while the socket was not OPEN (a real socket would throw or lose them). */
  readonly sentWhileNotOpen: string[] = [];
  /** Every close() call by the client. */
  readonly closeCalls: Array<{ code?: number; reason?: string }> = [];

  onopen: ((event: any) => void) | null = null;
  onmessage: ((event: { data: any }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null = null;
  onerror: ((event: any) => void) | null = null;

  constructor(readonly url: string) {}

  send(data: string): void {
    this.sent.push(data);
    if (this.readyState !== OPEN) this.sentWhileNotOpen.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    this.readyState = CLOSED;
  }

  // ---- the gateway's side --------------------------------------------------------------------

  /** The gateway sends a frame (an object is JSON-encoded; a string is sent as is). */
  serverSends(message: unknown): void {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  /** The gateway (or the network) closes the socket. */
  serverCloses(code: number, reason = ''): void {
    this.readyState = CLOSED;
    this.onclose?.({ code, reason, wasClean: code !== 1006 });
  }

  /** The socket opens and the gateway sends CONNECTION_ESTABLISHED. */
  establish(options: EstablishOptions = {}): void {
    this.readyState = OPEN;
    this.onopen?.({});
    this.serverSends({
      type: 'CONNECTION_ESTABLISHED',
      data: {
        connectionId: options.connectionId ?? 'conn-1',
        userId: options.userId ?? 'user-1',
        deviceId: options.deviceId ?? 'device-1',
        pod: options.pod ?? 'pod-a',
        heartbeatIntervalMs: options.heartbeatIntervalMs ?? 20_000,
        resumed: options.resumed ?? false,
        ...(options.cursor !== undefined ? { cursor: options.cursor } : {}),
        ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
        ...(options.inboundRate !== undefined ? { inboundRate: options.inboundRate } : {}),
        ...(options.inboundBurst !== undefined ? { inboundBurst: options.inboundBurst } : {}),
      },
    });
  }

  // ---- reading what the client did -----------------------------------------------------------

  get params(): URLSearchParams {
    return new URL(this.url).searchParams;
  }

  /** The frames the client wrote, parsed, except ACKs (see `acks`). */
  get frames(): Array<{ type: string; id?: string; payload?: unknown }> {
    return this.sent.map((raw) => JSON.parse(raw)).filter((frame) => frame.type !== 'ACK');
  }

  /** The types of the frames the client wrote, except ACKs. */
  get sentTypes(): string[] {
    return this.frames.map((frame) => frame.type);
  }

  /** The cursors of the ACK frames the client wrote, in order. */
  get acks(): string[] {
    return this.sent.map((raw) => JSON.parse(raw)).filter((frame) => frame.type === 'ACK').map((frame) => frame.payload.cursor);
  }

  /** The gateway confirms a message the client wrote (RECEIVED {id, duplicate}). */
  receives(id: string, duplicate = false): void {
    this.serverSends({ type: 'RECEIVED', data: { id, duplicate } });
  }

  get closed(): boolean {
    return this.closeCalls.length > 0;
  }
}

/** A SocketFactory that keeps every socket it created (with its URL). */
export function fakeSocketFactory() {
  const sockets: FakeSocket[] = [];
  const create = (url: string): FakeSocket => {
    const socket = new FakeSocket(url);
    sockets.push(socket);
    return socket;
  };
  return {
    create,
    sockets,
    get count(): number {
      return sockets.length;
    },
    get last(): FakeSocket {
      const socket = sockets[sockets.length - 1];
      if (!socket) throw new Error('no socket created yet');
      return socket;
    },
    urls: (): string[] => sockets.map((socket) => socket.url),
  };
}

export type FakeSocketFactory = ReturnType<typeof fakeSocketFactory>;

/** Lets pending promise callbacks run (the client opens sockets after awaiting the token). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A JWT (unsigned) whose `exp` is `expMs` (ms since the epoch, rounded down to seconds). */
export function jwt(expMs: number, claims: Record<string, unknown> = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'user-1', ...claims, exp: Math.floor(expMs / 1000) })}.c2lnbmF0dXJl`;
}
