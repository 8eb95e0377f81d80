// Seed 004's context, hook and HOC: `WebSocketContext` (a test can provide its own value, as the seed's mock does),
// `useWebSocketContext()`, `withWebSocket(Component)` with `interface Props { websocket: WebSocketProps }`.
import { createContext, useCallback, useContext, useMemo, useRef, type ComponentType, type ReactNode } from 'react';
import { toTypeAndPayload, type ClientMessageObject, type Handler, type HandlerMap } from '@kull/sync-client';
import { useSyncContext } from './context.js';
import { useSyncSelector } from './hooks.js';
import type { ConnectionState, SyncClientLike } from './types.js';

/** Seed 004's context value: what `useWebSocketContext()` returns and `withWebSocket` injects as `websocket`. */
export interface WebSocketContextValue {
  isConnected: boolean;
  reconnectAttempts: number;
  /**
   * `send('UPDATE_PROGRESS', payload)`, `send({ type, payload })` (seed 001) or `send({ type, ...fields })`
   * (seed 004: the fields are the payload). False when the message was not queued.
   */
  send: {
    (type: string, payload?: unknown): boolean;
    (message: ClientMessageObject): boolean;
  };
  /** Sends GET_PENDING; resolves with the number of events replayed. */
  requestPending: () => Promise<number>;
  /** Registers handlers by message type; returns the unregister function (return it from useEffect). */
  registerHandlers: (handlers: HandlerMap) => () => void;
  /** Removes handlers registered with registerHandlers: each (type, function) pair of `handlers`. */
  unregisterHandlers: (handlers: HandlerMap) => void;
  /** The SDK's connection state (more than isConnected); absent from a test's own value. */
  state?: ConnectionState;
  /** The sync client behind the context; absent from a test's own value. */
  client?: SyncClientLike;
}

/** Seed 004's name for the value `withWebSocket` injects: `interface Props { websocket: WebSocketProps }`. */
export type WebSocketProps = WebSocketContextValue;

/**
 * Seed 004's context. `SyncProvider` provides it; a test may provide its own value instead:
 * `<WebSocketContext.Provider value={mockContext}>`.
 */
export const WebSocketContext = createContext<WebSocketContextValue | null>(null);
WebSocketContext.displayName = 'WebSocketContext';

/** Sends a message given in any of send()'s shapes through the client's `send(type, payload)`. */
export function sendMessage(client: SyncClientLike, typeOrMessage: string | ClientMessageObject, payload?: unknown): boolean {
  const message = toTypeAndPayload(typeOrMessage, payload);
  return client.send(message.type, message.payload);
}

/**
 * Provides WebSocketContext from the SyncProvider's client (rendered by SyncProvider). Function identities are
 * stable for the client's lifetime, so `useEffect(() => registerHandlers({...}), [registerHandlers])` registers once.
 */
export function WebSocketContextBridge({ children }: { children?: ReactNode }): JSX.Element {
  const { client } = useSyncContext();
  const state = useSyncSelector((s) => s.state);
  const reconnectAttempts = useSyncSelector((s) => s.reconnectAttempts);
  // What registerHandlers added, by type and function, so unregisterHandlers can remove exactly those.
  const registered = useRef(new Map<string, Map<Handler<any>, () => void>>());
  const send = useCallback(
    (typeOrMessage: string | ClientMessageObject, payload?: unknown) => sendMessage(client, typeOrMessage, payload),
    [client],
  ) as WebSocketContextValue['send'];
  const requestPending = useCallback(() => client.requestPending(), [client]);
  const unregisterHandlers = useCallback((handlers: HandlerMap) => {
    for (const [type, handler] of Object.entries(handlers) as Array<[string, Handler<any> | undefined]>) {
      const ofType = registered.current.get(type);
      if (!handler || !ofType) continue;
      ofType.get(handler)?.();
      ofType.delete(handler);
    }
  }, []);
  const registerHandlers = useCallback((handlers: HandlerMap) => {
    for (const [type, handler] of Object.entries(handlers) as Array<[string, Handler<any> | undefined]>) {
      if (typeof handler !== 'function') continue;
      let ofType = registered.current.get(type);
      if (!ofType) registered.current.set(type, (ofType = new Map()));
      ofType.get(handler)?.();
      ofType.set(handler, client.on(type, handler));
    }
    return () => unregisterHandlers(handlers);
  }, [client, unregisterHandlers]);
  const value = useMemo<WebSocketContextValue>(
    () => ({ isConnected: state === 'connected', reconnectAttempts, state, send, requestPending, registerHandlers, unregisterHandlers, client }),
    [state, reconnectAttempts, send, requestPending, registerHandlers, unregisterHandlers, client],
  );
  return <WebSocketContext.Provider value={value}>{children}</WebSocketContext.Provider>;
}

/** Seed 004's context hook; throws a helpful error outside a SyncProvider (or a test's WebSocketContext.Provider). */
export function useWebSocketContext(): WebSocketContextValue {
  const value = useContext(WebSocketContext);
  if (!value) {
    throw new Error(
      'useWebSocketContext must be used within a <SyncProvider> (or, in a test, a <WebSocketContext.Provider value={...}>). ' +
        'Wrap your app: <SyncProvider client={client}><App /></SyncProvider>, with the client created once outside render.',
    );
  }
  return value;
}

/** Seed 004's HOC: injects the context value as the `websocket` prop (for class components). */
export function withWebSocket<P extends { websocket: WebSocketProps }>(Component: ComponentType<P>): ComponentType<Omit<P, 'websocket'>> {
  function WithWebSocket(props: Omit<P, 'websocket'>): JSX.Element {
    const websocket = useWebSocketContext();
    return <Component {...(props as P)} websocket={websocket} />;
  }
  WithWebSocket.displayName = `withWebSocket(${Component.displayName ?? Component.name ?? 'Component'})`;
  return WithWebSocket;
}
