import { CloseCode } from './generated/close-codes.js';

/** Which transport a connection runs over: WebSocket, or where that is blocked, SSE (./sse.ts). */
export type Transport = 'websocket' | 'sse';

/**
 * Which transport the next connection uses. `auto`: WebSocket; SSE once `fallbackAfter` WebSocket attempts in a
 * row ended before CONNECTION_ESTABLISHED without a close code (a refused or broken upgrade, or no answer in time;
 * a refusal such as 4401 proves WebSocket works); WebSocket again at the first reconnect `retryWebSocketMs` after
 * falling back (one more failure returns to SSE at once). An SSE attempt lost the same way alternates back to
 * WebSocket: the network may be down rather than WebSocket blocked.
 */
export interface TransportChoice {
  /** The transport of the current (or last) attempt. */
  current(): Transport;
  /** A new attempt: the transport to use. */
  next(): Transport;
  /** The attempt got CONNECTION_ESTABLISHED. */
  connected(): void;
  /** The attempt ended; `code` undefined when the client gave up waiting. @returns whether it switched transport */
  ended(code: number | undefined): boolean;
}

export function transportChoice(mode: 'auto' | Transport, fallbackAfter: number, retryWebSocketMs: number): TransportChoice {
  let current: Transport = mode === 'sse' ? 'sse' : 'websocket';
  let failures = 0;
  let sseSince = 0;
  let established = false;
  const use = (next: Transport): true => {
    current = next;
    // Back on WebSocket: one more failure returns to SSE.
    failures = fallbackAfter - 1;
    sseSince = Date.now();
    return true;
  };
  return {
    current: () => current,
    next() {
      established = false;
      if (mode === 'auto' && current === 'sse' && Date.now() - sseSince >= retryWebSocketMs) use('websocket');
      return current;
    },
    connected() {
      established = true;
      if (current === 'websocket') failures = 0;
    },
    ended(code) {
      if (mode !== 'auto' || established || (code !== undefined && code !== CloseCode.ABNORMAL && code !== 1015)) return false;
      if (current === 'sse') return use('websocket');
      return ++failures >= fallbackAfter && use('sse');
    },
  };
}
