/**
 * The latest value per key, with per-key listeners, for useSyncExternalStore: an update for one key
 * wakes only that key's components (a SHOOT_PROGRESS for shoot A does not re-render shoot B's bar).
 * Bounded: the oldest keys are forgotten beyond `maxKeys`.
 */
export class KeyedStore<V> {
  private readonly values = new Map<string, V>();
  private readonly listeners = new Map<string, Set<() => void>>();

  constructor(private readonly maxKeys = 500) {}

  get = (key: string): V | undefined => this.values.get(key);

  set = (key: string, value: V): void => {
    this.values.delete(key); // re-insert: most recent last
    this.values.set(key, value);
    if (this.values.size > this.maxKeys) {
      const oldest = this.values.keys().next().value;
      if (oldest !== undefined && !this.listeners.has(oldest)) this.values.delete(oldest);
    }
    const set = this.listeners.get(key);
    if (set) for (const listener of [...set]) listener();
  };

  subscribe = (key: string, listener: () => void): (() => void) => {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(key);
    };
  };
}
