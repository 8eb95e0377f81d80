import type { SocketFactory, SocketLike, SyncClientOptions } from './types.js';

/**
 * The default socket factory in a browser tab that can share one connection with the app's other tabs (Web Locks
 * and BroadcastChannel: Chrome and Edge 69+, Firefox 96+, Safari 15.4+, their Android and iOS versions): sockets
 * from tabs.ts, loaded on first use (a bundler makes it its own chunk). Undefined when the app passes createSocket,
 * sets `shareTabs: false`, or runs where tabs cannot share (Node, React Native, a worker, an older browser).
 */
export function tabSharing(options: SyncClientOptions): SocketFactory | undefined {
  const g = globalThis as {
    document?: unknown; BroadcastChannel?: unknown; navigator?: { locks?: unknown };
    WebSocket?: new (url: string) => SocketLike;
  };
  const WebSocketImpl = g.WebSocket;
  if (options.createSocket || options.shareTabs === false || !g.document || typeof g.BroadcastChannel !== 'function'
    || !g.navigator?.locks || !WebSocketImpl) return undefined;
  let loading: Promise<SocketFactory> | undefined;
  return (url) => {
    // Should the chunk fail to load (offline at first use), each tab keeps a socket of its own.
    loading ??= import('./tabs.js').then((tabs) => tabs.shareTabs(), () => (target: string) => new WebSocketImpl(target));
    return new LazySocket(loading, url);
  };
}

/** A socket that is created once its factory has loaded; until then CONNECTING. */
class LazySocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  private inner: SocketLike | undefined;
  private closed = false;

  constructor(loading: Promise<SocketFactory>, url: string) {
    void loading.then((create) => {
      if (this.closed) return;
      try {
        this.inner = create(url);
      } catch (failure) {
        this.closed = true;
        this.onclose?.({ code: 1006, reason: `socket not created: ${String(failure)}` });
        return;
      }
      this.inner.onopen = (event) => this.onopen?.(event);
      this.inner.onmessage = (event) => this.onmessage?.(event);
      this.inner.onclose = (event) => this.onclose?.(event);
      this.inner.onerror = (event) => this.onerror?.(event);
    });
  }

  get readyState(): number {
    return this.inner?.readyState ?? (this.closed ? 3 : 0);
  }

  send(data: string): void {
    this.inner?.send(data);
  }

  close(code?: number, reason?: string): void {
    this.closed = true;
    this.inner?.close(code, reason);
  }
}
