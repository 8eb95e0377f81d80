import type { SocketLike } from './types.js';

/**
 * The fallback where WebSocket is blocked (proxies and networks that break upgrades): the same protocol over
 * Server-Sent Events read with fetch streaming, client messages POSTed. See docs/protocol.md, "SSE fallback".
 * fetch rather than EventSource: the token goes in `Authorization` (EventSource can only put it in the URL, where
 * proxies log it), a refusal's status and close code are readable, and reconnecting stays the client's job.
 */
export type Transport = 'websocket' | 'sse';

const OPEN = 1;
const CLOSED = 3;
/** What a lost stream or POST reports, as a WebSocket reports a connection lost without a close frame. */
const LOST = 1006;
/** A stream is dead after this many heartbeat intervals with nothing read. */
const SILENT_HEARTBEATS = 2.5;

/** The SSE URL of a gateway WebSocket URL: http(s), the path's `ws` segment as `sse` (/ws -> /sse). */
export function sseUrl(wsUrl: string): URL {
  const url = new URL(wsUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol;
  url.pathname = url.pathname.replace(/\/ws(?=\/|$)/, '/sse');
  return url;
}

/**
 * A SocketLike over SSE for SyncClient: `url` is the WebSocket URL it would have opened; its `token` travels in
 * `Authorization`, its `cursor` as `Last-Event-ID`. Messages are POSTed one at a time, in order; their answers
 * (RECEIVED, PONG, ERROR) come back in the POST's response and are delivered like the stream's messages.
 */
export function sseSocket(url: string, fetchImpl?: typeof fetch): SocketLike {
  // Called as a plain function, a browser's fetch throws "Illegal invocation": bind it to the global.
  return new SseSocket(url, fetchImpl ?? ((input, init) => globalThis.fetch(input, init)));
}

class SseSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  private readonly abort = new AbortController();
  private readonly auth: Record<string, string> = {};
  private readonly origin: string;
  private session: string | undefined;
  private readonly queue: string[] = [];
  private posting = false;
  private lastRead = Date.now();
  private watchdog: ReturnType<typeof setInterval> | undefined;

  constructor(url: string, private readonly fetchImpl: typeof fetch) {
    const target = sseUrl(url);
    const token = target.searchParams.get('token');
    const cursor = target.searchParams.get('cursor');
    ['token', 'cursor', 'refusal'].forEach((name) => target.searchParams.delete(name));
    if (token) this.auth.authorization = `Bearer ${token}`;
    this.origin = target.origin;
    const headers: Record<string, string> = { ...this.auth, accept: 'text/event-stream' };
    if (cursor) headers['last-event-id'] = cursor;
    void this.read(target.toString(), headers);
  }

  send(data: string): void {
    if (this.readyState !== OPEN) return;
    this.queue.push(data);
    void this.post();
  }

  close(): void {
    if (this.readyState === CLOSED) return;
    this.end(1000, 'closed by the client');
  }

  private async read(url: string, headers: Record<string, string>): Promise<void> {
    let response: Response;
    try {
      response = await this.fetchImpl(url, { headers, signal: this.abort.signal, cache: 'no-store' });
    } catch (failure) {
      this.end(LOST, `stream failed: ${String(failure)}`);
      return;
    }
    if (!response.ok || !response.body) {
      // Refused (401, 403, 429, 503): the body is the close a WebSocket would have got.
      const refusal = await response.text().then(closeOf, () => undefined);
      this.end(refusal?.code ?? LOST, refusal?.reason ?? `stream refused with HTTP ${response.status}`);
      return;
    }
    this.readyState = OPEN;
    this.onopen?.({});
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let data: string[] = [];
    let event = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.lastRead = Date.now();
        buffer += decoder.decode(value, { stream: true });
        const lines = buffer.split(/\r\n|\r|\n/);
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          if (line === '') {
            if (data.length > 0) this.event(event, data.join('\n'));
            data = [];
            event = '';
          } else if (line.startsWith(':heartbeat=')) {
            this.watch(Number(line.slice(11)));
          } else if (line.startsWith('data:')) {
            data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
          } else if (line.startsWith('event:')) {
            event = line.slice(6).trim();
          }
        }
      }
      this.end(LOST, 'stream ended');
    } catch (failure) {
      this.end(LOST, `stream lost: ${String(failure)}`);
    }
  }

  private event(name: string, data: string): void {
    if (this.readyState !== OPEN) return;
    if (name === 'close') {
      const close = closeOf(data);
      this.end(close?.code ?? LOST, close?.reason ?? '');
      return;
    }
    if (data.includes('"CONNECTION_ESTABLISHED"')) this.session ??= /"connectionId":"([^"]+)"/.exec(data)?.[1];
    this.onmessage?.({ data });
    if (this.session) void this.post();
  }

  /** The server sends a comment at least this often: nothing for longer means the stream is dead. */
  private watch(heartbeatMs: number): void {
    if (!(heartbeatMs > 0) || this.watchdog) return;
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastRead > heartbeatMs * SILENT_HEARTBEATS) this.end(LOST, 'stream silent');
    }, heartbeatMs);
  }

  /** Writes queued messages one at a time: in order, as over a socket. */
  private async post(): Promise<void> {
    if (this.posting || !this.session || this.queue.length === 0 || this.readyState !== OPEN) return;
    this.posting = true;
    const frame = this.queue.shift()!;
    try {
      const response = await this.fetchImpl(`${this.origin}/sse/sessions/${encodeURIComponent(this.session)}`, {
        method: 'POST', body: frame, signal: this.abort.signal,
        headers: { ...this.auth, 'content-type': 'application/json' },
      });
      const body = await response.text();
      if (!response.ok && !body.includes('"type":"ERROR"')) {
        // Not a protocol answer: the stream is gone (404), the token refused (4401), the message too big (1009),
        // or a proxy's error page: the message may be lost, so is the connection (unanswered ids are sent again).
        const close = closeOf(body);
        this.end(close?.code ?? LOST, close?.reason ?? `message answered HTTP ${response.status}`);
        return;
      }
      for (const line of body.split('\n')) {
        if (line && this.readyState === OPEN) this.onmessage?.({ data: line });
      }
    } catch (failure) {
      this.end(LOST, `message not sent: ${String(failure)}`);
      return;
    } finally {
      this.posting = false;
    }
    void this.post();
  }

  private end(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    clearInterval(this.watchdog);
    this.queue.length = 0;
    this.abort.abort();
    this.onclose?.({ code, reason, wasClean: code !== LOST });
  }
}

/** A refusal's or close event's `{"code":4401,"reason":"..."}`; undefined for anything else (e.g. an ERROR frame). */
function closeOf(text: string): { code: number; reason: string } | undefined {
  try {
    const close = JSON.parse(text) as { code?: unknown; reason?: unknown; type?: unknown };
    return typeof close.code === 'number' && close.type === undefined ? { code: close.code, reason: String(close.reason ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Which transport the next connection uses. `auto`: WebSocket; SSE once `fallbackAfter` WebSocket attempts in a
 * row ended before CONNECTION_ESTABLISHED without a close code (a refused or broken upgrade, or no answer in time;
 * a refusal such as 4401 proves WebSocket works); WebSocket again at the first reconnect `retryWebSocketMs` after
 * falling back (one more failure returns to SSE at once). An SSE attempt lost the same way alternates back to
 * WebSocket: the network may be down rather than WebSocket blocked.
 */
export class TransportChoice {
  current: Transport;
  private failures = 0;
  private sseSince = 0;
  private established = false;

  constructor(private readonly mode: 'auto' | Transport, private readonly fallbackAfter: number,
    private readonly retryWebSocketMs: number) {
    this.current = mode === 'sse' ? 'sse' : 'websocket';
  }

  next(): Transport {
    this.established = false;
    if (this.mode === 'auto' && this.current === 'sse' && Date.now() - this.sseSince >= this.retryWebSocketMs) {
      this.current = 'websocket';
      this.failures = this.fallbackAfter - 1;
    }
    return this.current;
  }

  connected(): void {
    this.established = true;
    if (this.current === 'websocket') this.failures = 0;
  }

  /** The attempt ended; `code` undefined when the client gave up waiting. @returns whether it switched transport */
  ended(code: number | undefined): boolean {
    if (this.mode !== 'auto' || this.established || (code !== undefined && code !== LOST && code !== 1015)) return false;
    if (this.current === 'sse') {
      this.current = 'websocket';
      this.failures = this.fallbackAfter - 1;
      return true;
    }
    if (++this.failures < this.fallbackAfter) return false;
    this.current = 'sse';
    this.sseSince = Date.now();
    return true;
  }
}
