import { describe, expect, it } from 'vitest';
import { KeyedStore } from '../src/keyedStore.js';

describe('KeyedStore: the ordering rule between live events and fetched state', () => {
  it('a fetched state older than a live event that arrived while the request was out does not replace it', () => {
    const store = new KeyedStore<string>();
    store.set('s', 'live 30%', 2_000); // arrived while the GET was out
    expect(store.offer('s', 'fetched 20%', 1_000)).toBe(false);
    expect(store.get('s')).toBe('live 30%');
  });

  it('a fetched state newer than the known value replaces it', () => {
    const store = new KeyedStore<string>();
    store.set('s', 'live 20%', 1_000);
    expect(store.offer('s', 'fetched 40%', 3_000)).toBe(true);
    expect(store.get('s')).toBe('fetched 40%');
    expect(store.positionOf('s')).toBe(3_000);
  });

  it('a fetched state at the same position is the same event: the known value stays', () => {
    const store = new KeyedStore<{ p: number }>();
    const live = { p: 20 };
    store.set('s', live, 1_000);
    expect(store.offer('s', { p: 20 }, 1_000)).toBe(false);
    expect(store.get('s')).toBe(live); // same object: no re-render
  });

  it('a fetched state fills an unknown key, with or without a position', () => {
    const store = new KeyedStore<string>();
    expect(store.offer('a', 'fetched', 5)).toBe(true);
    expect(store.offer('b', 'fetched', undefined)).toBe(true);
    expect([store.get('a'), store.get('b')]).toEqual(['fetched', 'fetched']);
  });

  it('a fetched state without a position never replaces what the stream said', () => {
    const store = new KeyedStore<string>();
    store.set('s', 'live', undefined);
    expect(store.offer('s', 'fetched', undefined)).toBe(false);
    store.set('t', 'live', 7);
    expect(store.offer('t', 'fetched', undefined)).toBe(false);
    expect([store.get('s'), store.get('t')]).toEqual(['live', 'live']);
  });

  it('live events come in stream order: equal or unknown positions replace, an older one (a replay behind a fetched state) does not', () => {
    const store = new KeyedStore<string>();
    store.offer('s', 'fetched at 50', 50);
    expect(store.set('s', 'replayed from 40', 40)).toBe(false);
    expect(store.get('s')).toBe('fetched at 50');
    expect(store.set('s', 'same millisecond, later in the stream', 50)).toBe(true);
    expect(store.set('s', 'no position', undefined)).toBe(true);
    expect(store.set('s', 'next', 60)).toBe(true);
    expect(store.get('s')).toBe('next');
  });

  it('after markStale a value is kept but not current until a live event sets it or a read confirms it', () => {
    const store = new KeyedStore<string>();
    store.set('a', 'live', 5);
    store.set('b', 'live', 5);
    expect(store.isCurrent('a')).toBe(true);
    store.markStale();
    expect([store.get('a'), store.isCurrent('a'), store.isCurrent('b')]).toEqual(['live', false, false]);
    store.set('a', 'next', 6);
    expect(store.offer('b', 'older', 4)).toBe(false); // not newer, but the read confirms what is held
    expect([store.isCurrent('a'), store.isCurrent('b'), store.get('b')]).toEqual([true, true, 'live']);
    expect(store.isCurrent('unknown')).toBe(false);
  });

  it('wakes only the key that changed; a key is loading until a value is known or its first fetch ended', () => {
    const store = new KeyedStore<string>();
    const woken: string[] = [];
    store.subscribe('a', () => woken.push('a'));
    store.subscribe('b', () => woken.push('b'));
    expect(store.isLoading('a')).toBe(true); // before the fetch even started: no "nothing yet" flash
    store.set('a', 'x', 1);
    expect(store.isLoading('a')).toBe(false);
    store.offer('a', 'stale', 0); // refused: nobody woken
    expect(woken).toEqual(['a']);
    store.settle('b'); // answered "none" (404) or failed: known to be empty
    expect(store.isLoading('b')).toBe(false);
    expect(woken).toEqual(['a', 'b']);
  });
});
