import type { ClientSnapshot, Handler, HandlerMap, SyncError } from '@kull/sync-client';
import type { SyncClientLike } from '../src/index.js';

/** A client without a socket: tests push snapshots and messages and count (un)registrations. */
export class FakeClient implements SyncClientLike {
  snapshot: ClientSnapshot = {
    state: 'idle', reason: 'created', isConnected: false, reconnectAttempts: 0, lastCloseCode: undefined,
    pod: undefined, connectionId: undefined, deviceId: undefined, resumed: false, cursor: undefined,
    stats: { reconnects: 0, resumes: 0, replayed: 0, resyncs: 0, drops: 0, duplicates: 0 },
  };
  readonly handlers = new Map<string, Set<Handler<any>>>();
  readonly snapshotListeners = new Set<() => void>();
  readonly subscribed: string[] = [];
  readonly unsubscribed: string[] = [];
  readonly sent: Array<{ type: string; payload: unknown }> = [];
  connects = 0;
  closes = 0;
  registerCalls = 0;
  onCalls = 0;

  connect = (): void => {
    this.connects++;
    this.update({ state: 'connecting', reason: 'connect() called' });
  };
  close = (): void => {
    this.closes++;
    this.update({ state: 'closed', isConnected: false });
  };
  getSnapshot = (): ClientSnapshot => this.snapshot;
  onSnapshot = (listener: () => void): (() => void) => {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  };
  onError = (_listener: (e: SyncError) => void): (() => void) => () => {};
  on = (type: string, handler: Handler<any>): (() => void) => {
    this.onCalls++;
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(handler);
    return () => set!.delete(handler);
  };
  registerHandlers = (map: HandlerMap): (() => void) => {
    this.registerCalls++;
    const offs = Object.entries(map).filter(([, h]) => typeof h === 'function').map(([t, h]) => this.on(t, h!));
    this.onCalls -= offs.length;
    return () => offs.forEach((off) => off());
  };
  send = (type: string, payload?: unknown): boolean => {
    this.sent.push({ type, payload });
    return true;
  };
  requestPending = async (): Promise<number> => 0;
  subscribe = (orgId: string): (() => void) => {
    this.subscribed.push(orgId);
    return () => this.unsubscribed.push(orgId);
  };

  handlerCount(type: string): number {
    return this.handlers.get(type)?.size ?? 0;
  }
  update(change: Partial<ClientSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    this.snapshot.isConnected = this.snapshot.state === 'connected';
    for (const l of [...this.snapshotListeners]) l();
  }
  connected(pod = 'gw-1', connectionId = `c-${Math.random()}`): void {
    this.update({ state: 'connected', pod, connectionId, deviceId: 'web-1', reconnectAttempts: 0 });
  }
  /** Delivers a message as the core does: handlers get (data, message); the cursor moves (a new snapshot). */
  emit(type: string, data: unknown, cursor = `cur-${Math.random()}`): void {
    const message = { type, data, cursor };
    for (const h of [...(this.handlers.get(type) ?? [])]) h(data, message);
    this.update({ cursor });
  }
}
