/**
 * Where a value stands among the values of its key: a number that grows with each newer value (a credit
 * balance's `version`, a shoot report's event timestamp). Undefined when the source gave none.
 */
export type Position = number | undefined;

/**
 * The latest value per key, with per-key listeners, for useSyncExternalStore: an update for one key
 * wakes only that key's components (a SHOOT_PROGRESS for shoot A does not re-render shoot B's bar).
 * Bounded: the oldest keys are forgotten beyond `maxKeys`.
 *
 * Values come from two sources that may cross: live events (`set`) and state fetched over HTTP (`offer`), which
 * may have been read before a live event that arrived while the request was out. Each value carries its
 * position, and the ordering rule is:
 * - a live event replaces the current value unless the current value is newer (a higher position): live events
 *   come in stream order, so an equal position or none is taken as later;
 * - a fetched state replaces the current value only when nothing is known for the key or the state is newer
 *   (a strictly higher position): an equal position is the same event (or, for two reports in the same
 *   millisecond, not known to be newer), and without a position a fetched state never overrides what the stream said.
 */
export class KeyedStore<V> {
  private readonly values = new Map<string, { value: V; position: Position; generation: number }>();
  /** Bumped by markStale(): a value set or confirmed in an earlier generation may miss what happened since. */
  private generation = 0;
  private readonly listeners = new Map<string, Set<() => void>>();
  /**
   * Keys whose first fetch has ended (answered or failed). Until then a key with no value is loading: the hooks
   * show a placeholder, not "nothing yet", from the very first render (before the fetch has even started).
   */
  private readonly settled = new Set<string>();

  constructor(private readonly maxKeys = 500) {}

  get = (key: string): V | undefined => this.values.get(key)?.value;

  positionOf = (key: string): Position => this.values.get(key)?.position;

  has = (key: string): boolean => this.values.has(key);

  /** A value is known and nothing since it was set or confirmed can have been missed (see markStale). */
  isCurrent = (key: string): boolean => this.values.get(key)?.generation === this.generation;

  /**
   * Events may have been missed (a connection that did not resume, RESYNC_REQUIRED): every value is kept, but is
   * no longer current until a live event sets it or a read confirms it, so a component mounted later reads it again.
   */
  markStale = (): void => {
    this.generation++;
  };

  isLoading = (key: string): boolean => !this.values.has(key) && !this.settled.has(key);

  /** A live event. Returns whether it replaced the current value. */
  set = (key: string, value: V, position?: Position): boolean => {
    const current = this.values.get(key);
    if (current && isAbove(current.position, position)) return false;
    this.put(key, value, position);
    return true;
  };

  /**
   * A state fetched from its owner (a domain service). Returns whether it replaced the current value; when it did
   * not, the value held is at least as new as the owner's, and so confirmed current.
   */
  offer = (key: string, value: V, position: Position): boolean => {
    const current = this.values.get(key);
    if (current && !isAbove(position, current.position)) {
      current.generation = this.generation;
      return false;
    }
    this.put(key, value, position);
    return true;
  };

  /** A read found nothing newer than the value held (or answered for the key without a value of this store's). */
  confirm = (key: string): void => {
    const current = this.values.get(key);
    if (current) current.generation = this.generation;
  };

  /** A fetch for `key` ended (answered or failed): with no value now, the key is known to have none. */
  settle = (key: string): void => {
    if (this.settled.has(key)) return;
    this.settled.add(key);
    if (this.settled.size > this.maxKeys) this.settled.delete(this.settled.values().next().value as string);
    this.notify(key);
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

  private put(key: string, value: V, position: Position): void {
    this.values.delete(key); // re-insert: most recent last
    this.values.set(key, { value, position, generation: this.generation });
    if (this.values.size > this.maxKeys) {
      const oldest = this.values.keys().next().value;
      if (oldest !== undefined && !this.listeners.has(oldest)) this.values.delete(oldest);
    }
    this.notify(key);
  }

  private notify(key: string): void {
    const set = this.listeners.get(key);
    if (set) for (const listener of [...set]) listener();
  }
}

/** a is known to be newer than b: both positions known and a higher. */
function isAbove(a: Position, b: Position): boolean {
  return a !== undefined && b !== undefined && a > b;
}
