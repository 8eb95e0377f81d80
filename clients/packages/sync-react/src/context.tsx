import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { SyncClient, type SyncClientOptions } from '@kull/sync-client';
import { createStateStores, trackLiveState, type StateFetchers, type StateStores, type StateUrls } from './state.js';
import { KeyedStore } from './keyedStore.js';
import { WebSocketContextBridge } from './websocket-context.js';
import type { DeviceFetcher, SyncClientLike } from './types.js';

/** Settings read at call time (kept in a ref, so an inline `getToken` does not re-render consumers). */
export interface SyncProviderConfig {
  /** The user's JWT for HTTP calls (the device list); defaults to the client options' getToken. */
  getToken?: () => string | Promise<string>;
  /**
   * Base URL of the gateway's HTTP API (the device list), e.g. `https://sync.example.com`. Default: the origin of the
   * gateway the client connects to (its `url`, wss -> https); `""` for the page's own origin (a proxy in front).
   * Another origin than the page's must be allowed by the gateway (`GATEWAY_CORS_ORIGINS`).
   */
  apiBaseUrl?: string;
  /** Replaces the default device-list fetcher. */
  fetchDevices?: DeviceFetcher;
  /** Where the hooks read the current state on connect (balance, shoots); default '' (this origin). */
  stateUrls?: StateUrls;
  /** Replaces some of the default state fetchers (e.g. through your own API client). */
  fetchState?: Partial<StateFetchers>;
}

export interface SyncContextValue extends StateStores {
  client: SyncClientLike;
  config: { readonly current: SyncProviderConfig };
  /**
   * Joins an org's events, counted: two components watching the same org share one SUBSCRIBE, and
   * the org is left when the last one unmounts.
   */
  subscribeOrg: (orgId: string) => () => void;
}

function orgCounter(client: SyncClientLike): (orgId: string) => () => void {
  const counts = new Map<string, { n: number; leave: () => void }>();
  return (orgId) => {
    let entry = counts.get(orgId);
    if (entry) entry.n++;
    else counts.set(orgId, (entry = { n: 1, leave: client.subscribe(orgId) }));
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const current = counts.get(orgId);
      if (current && --current.n === 0) {
        counts.delete(orgId);
        current.leave();
      }
    };
  };
}

export const SyncContext = createContext<SyncContextValue | null>(null);
SyncContext.displayName = 'SyncContext';

export type SyncProviderProps = SyncProviderConfig & {
  children?: ReactNode;
  /**
   * Connect on mount when the client is idle (default true). A client passed in is connected but
   * never closed by the provider (the app owns it); a client created from `options` is closed when
   * the provider unmounts.
   */
  autoConnect?: boolean;
} & (
    | {
        /**
         * Recommended: a client the app creates once, outside React (module scope or app bootstrap),
         * e.g. `const client = new SyncClient({ url, getToken })`. The provider never closes it.
         */
        client: SyncClientLike;
        options?: undefined;
      }
    | {
        /**
         * Alternative: the provider creates ONE client from these options on first render, connects
         * it in an effect and closes it on unmount. Later changes to `options` are ignored; change the
         * provider's `key` to start over with a new client.
         */
        options: SyncClientOptions;
        client?: undefined;
      }
  );

function httpOrigin(wsUrl: string | undefined): string | undefined {
  if (!wsUrl) return undefined;
  try {
    const base = typeof location !== 'undefined' ? location.href : undefined;
    const url = new URL(wsUrl, base);
    url.protocol = url.protocol === 'wss:' ? 'https:' : url.protocol === 'ws:' ? 'http:' : url.protocol;
    return url.origin;
  } catch {
    return undefined;
  }
}

/**
 * Holds one sync client for the app and makes it available to the hooks and components.
 *
 * React 18 StrictMode mounts effects twice (mount, cleanup, mount). For a client the provider owns,
 * the cleanup does not close at once: it schedules close() on a timer, and the second mount cancels
 * it, so StrictMode opens exactly one socket; a real unmount closes the client one tick later.
 */
export function SyncProvider(props: SyncProviderProps): JSX.Element {
  const { children, autoConnect = true, client: clientProp, options } = props;

  const owned = useRef<SyncClientLike | null>(null);
  if (!clientProp && !owned.current) {
    if (!options) throw new Error('SyncProvider needs a `client` (recommended) or `options` prop.');
    // Construction has no side effects (no socket until connect()), so StrictMode's discarded
    // double render costs an unused object, never a connection.
    owned.current = new SyncClient(options);
  }
  const client = (clientProp ?? owned.current) as SyncClientLike;
  const ownsClient = !clientProp;

  const config = useRef<SyncProviderConfig>({});
  config.current = {
    getToken: props.getToken ?? options?.getToken,
    apiBaseUrl: props.apiBaseUrl ?? httpOrigin(options?.url ?? client.url),
    fetchDevices: props.fetchDevices,
    stateUrls: props.stateUrls,
    fetchState: props.fetchState,
  };

  const value = useMemo<SyncContextValue>(
    () => ({ client, ...createStateStores(), config, subscribeOrg: orgCounter(client) }),
    [client],
  );

  // Follow the live state (shoot progress, balance) from before connecting, so no event is missed (state.ts).
  useEffect(() => trackLiveState(value.client, value), [value]);

  const pendingClose = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (pendingClose.current !== null) {
      // StrictMode's re-mount (or a fast remount): keep the connection we already have.
      clearTimeout(pendingClose.current);
      pendingClose.current = null;
    }
    if (autoConnect && client.getSnapshot().state === 'idle') client.connect();
    if (!ownsClient) return undefined;
    return () => {
      pendingClose.current = setTimeout(() => {
        pendingClose.current = null;
        client.close();
      }, 0);
    };
  }, [client, ownsClient, autoConnect]);

  return (
    <SyncContext.Provider value={value}>
      <WebSocketContextBridge>{children}</WebSocketContextBridge>
    </SyncContext.Provider>
  );
}

/** The provider's value; throws a helpful error outside a SyncProvider (as seed 004's context hook). */
export function useSyncContext(): SyncContextValue {
  const value = useContext(SyncContext);
  if (!value) {
    throw new Error(
      'Sync hooks must be used within a <SyncProvider>. Wrap your app: ' +
        '<SyncProvider client={client}><App /></SyncProvider>, with the client created once outside render.',
    );
  }
  return value;
}

/** The app's sync client. */
export function useSyncClient(): SyncClientLike {
  return useSyncContext().client;
}
