import { CloseCode } from './generated/close-codes.js';
import { cursorKey } from './cursor-store.js';
import { UNANNOUNCED_GATEWAY_LIMITS } from './defaults.js';
import type { SocketFactory, SocketLike, SyncClientOptions } from './types.js';

type Globals = {
  document?: unknown; BroadcastChannel?: unknown; navigator?: { locks?: unknown };
  WebSocket?: new (url: string) => SocketLike;
};

/** Web Locks and BroadcastChannel in a page: Chrome and Edge 69+, Firefox 96+, Safari 15.4+ (and on Android, iOS). */
function canShare(): boolean {
  const g = globalThis as Globals;
  return !!g.document && typeof g.BroadcastChannel === 'function' && !!g.navigator?.locks;
}

/**
 * A socket factory whose sockets share one connection with the app's other tabs (same gateway URL, user and
 * device; see tabs.ts, loaded with import() on first use, so a bundler makes it a chunk of its own). `connect` opens
 * the connection in the tab that holds it (default: a WebSocket). Where tabs cannot share (Node, React Native, a
 * worker, an older browser) it is `connect` itself.
 */
export function shareTabs(connect: SocketFactory = (url) => new (globalThis as Globals).WebSocket!(url)): SocketFactory {
  if (!canShare()) return connect;
  let loading: Promise<SocketFactory> | undefined;
  return (url) => {
    // Should the chunk fail to load (offline at first use), each tab keeps a connection of its own.
    loading ??= import('./tabs.js').then(
      (tabs) => (target: string) => tabs.sharedSocket(target, connectionName(target), connect, UNANNOUNCED_GATEWAY_LIMITS),
      () => connect,
    );
    return new LazySocket(loading, url);
  };
}

/** SyncClient's default in a browser: shared by the tabs, unless the app passes createSocket or `shareTabs: false`. */
export function tabSharing(options: SyncClientOptions): SocketFactory | undefined {
  const off = options.createSocket || options.shareTabs === false || !(globalThis as Globals).WebSocket;
  return off || !canShare() ? undefined : shareTabs();
}

/** The lock's and channel's name for a connect URL: `kull-sync-tabs:<url without query>:<userId>:<deviceId>`. */
export function connectionName(url: string): string {
  return cursorKey(url, new URL(url).searchParams.get('token') ?? undefined).replace(/^kull-sync-cursor:/, 'kull-sync-tabs:');
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
        this.onclose?.({ code: CloseCode.ABNORMAL, reason: `socket not created: ${String(failure)}` });
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
