import type { SocketLike } from './types.js';

/**
 * The fallback where WebSocket is blocked (proxies and networks that break upgrades): the same protocol over
 * Server-Sent Events read with fetch streaming, client messages POSTed. See docs/protocol.md, "SSE fallback".
 * fetch rather than EventSource: the token goes in `Authorization` (EventSource can only put it in the URL, where
 * proxies log it), a refusal's status and close code are readable, and reconnecting stays the client's job.
 * Loaded by SyncClient only when it falls back (a dynamic import: bundlers put it in a chunk of its own).
 */
// CloseCode.ABNORMAL (RFC 6455's code for a connection that ended without a close frame), what a lost stream
// reports too. A literal rather than an import: any import from the core would split the core into two chunks;
// sse.test.ts checks it against CloseCode.
const LOST = 1006;

const OPEN = 1;
const CLOSED = 3;
/** A stream is dead after this many heartbeat intervals with nothing read. */
const SILENT_HEARTBEATS = 2.5;

/**
 * A SocketLike over SSE for SyncClient: `url` is the WebSocket URL it would have opened; its `token` travels in
 * `Authorization`, its `cursor` as `Last-Event-ID`. Messages are POSTed one at a time, in order; their answers
 * (RECEIVED, PONG, ERROR) come back in the POST's response and are delivered like the stream's messages.
 * (A closure rather than a class: its private names minify, and the core's bundle has a budget.)
 */
export function sseSocket(url: string, fetchImpl?: typeof fetch): SocketLike {
  // Called as a plain function, a browser's fetch throws "Illegal invocation": bind it to the global.
  const load = fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  // The SSE URL: http(s), the path's `ws` segment as `sse` (/ws -> /sse, /api/ws/sync/o -> /api/sse/sync/o).
  const target = new URL(url);
  target.protocol = target.protocol.replace('ws', 'http');
  target.pathname = target.pathname.replace(/\/ws(?=\/|$)/, '/sse');
  const params = target.searchParams;
  const token = params.get('token');
  const cursor = params.get('cursor');
  ['token', 'cursor', 'refusal'].forEach((name) => params.delete(name));
  const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const abort = new AbortController();
  const queue: string[] = [];
  let session: string | undefined;
  let posting = false;
  let lastRead = Date.now();
  let watchdog: ReturnType<typeof setInterval> | undefined;

  const socket: SocketLike = {
    readyState: 0,
    onopen: null,
    onmessage: null,
    onclose: null,
    onerror: null,
    send(data) {
      if (socket.readyState !== OPEN) return;
      queue.push(data);
      void post();
    },
    close: () => end(1000, ''),
  };

  const end = (code: number, reason: string): void => {
    if (socket.readyState === CLOSED) return;
    (socket as { readyState: number }).readyState = CLOSED;
    clearInterval(watchdog);
    queue.length = 0;
    abort.abort();
    socket.onclose?.({ code, reason });
  };
  /** Ends with the close in `text` (a close event, a refusal), else as lost with `reason`. */
  const closed = (text: string, reason: string): void => {
    let close: { code?: unknown; reason?: string } = {};
    try {
      close = JSON.parse(text);
    } catch {
      // not JSON: a proxy's error page
    }
    // An ERROR frame has no top-level code.
    if (typeof close.code === 'number') end(close.code, close.reason ?? '');
    else end(LOST, reason);
  };
  const deliver = (data: string): void => {
    if (socket.readyState === OPEN) socket.onmessage?.({ data });
  };

  const event = (name: string, data: string): void => {
    if (name === 'close') {
      closed(data, '');
      return;
    }
    if (data.includes('"CONNECTION_ESTABLISHED"')) session ??= /"connectionId":"([^"]+)"/.exec(data)?.[1];
    deliver(data);
    void post();
  };

  /** Writes queued messages one at a time: in order, as over a socket. */
  const post = async (): Promise<void> => {
    if (posting || !session || !queue.length || socket.readyState !== OPEN) return;
    posting = true;
    try {
      const response = await load(`${target.origin}/sse/sessions/${encodeURIComponent(session)}`, {
        method: 'POST', body: queue.shift(), signal: abort.signal, headers: { ...auth, 'content-type': 'application/json' },
      });
      const body = await response.text();
      if (!response.ok && !body.includes('"type":"ERROR"')) {
        // Not a protocol answer: the stream is gone (404), the token refused (4401), the message too big (1009),
        // or a proxy's error page: the message may be lost, so is the connection (unanswered ids are sent again).
        closed(body, `HTTP ${response.status}`);
      }
      body.split('\n').forEach((line) => line && deliver(line));
    } catch {
      end(LOST, 'POST failed');
    }
    posting = false;
    void post();
  };

  const read = async (): Promise<void> => {
    const headers = cursor ? { ...auth, 'last-event-id': cursor } : auth;
    const response = await load(target.toString(), { headers, signal: abort.signal });
    if (!response.ok || !response.body) {
      // Refused (401, 403, 429, 503): the body is the close a WebSocket would have got.
      closed(await response.text(), `HTTP ${response.status}`);
      return;
    }
    (socket as { readyState: number }).readyState = OPEN;
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    let data: string[] = [];
    let name = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      lastRead = Date.now();
      const lines = (buffer + decoder.decode(value, { stream: true })).split(/\r\n|\r|\n/);
      buffer = lines.pop()!;
      for (const line of lines) {
        const field = /^(\w*):? ?(.*)/.exec(line)!;
        if (!line) {
          if (data.length) event(name, data.join('\n'));
          data = [];
          name = '';
        } else if (field[1] === 'data') {
          data.push(field[2]!);
        } else if (field[1] === 'event') {
          name = field[2]!;
        } else if (line.startsWith(':heartbeat=') && !watchdog) {
          // The server writes at least this often: nothing for longer means the stream is dead.
          const every = Number(line.slice(11));
          watchdog = setInterval(() => Date.now() - lastRead > every * SILENT_HEARTBEATS && end(LOST, 'silent'), every);
        }
      }
    }
    end(LOST, 'ended');
  };
  read().catch(() => end(LOST, 'lost'));
  return socket;
}
