// The console's own logic, without a browser: what a token says, where the page connects, the event log's
// filters and bound, and the ops charts' series (rates from counters, restarts, the time window).
import { describe, expect, it } from 'vitest';
import type { Pod } from '../src/admin.js';
import { consoleConfig } from '../src/config.js';
import { EventLogStore, matches, messageEntry, stateEntry } from '../src/log.js';
import { addPoll, type History } from '../src/series.js';
import { parseToken } from '../src/token.js';

const jwt = (claims: Record<string, unknown>) =>
  `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

describe('parseToken', () => {
  it('splits the seeds\' dev tokens and never gives them roles', () => {
    expect(parseToken('user_123:iphone_456')).toMatchObject({ kind: 'dev', userId: 'user_123', deviceId: 'iphone_456', groups: [] });
    expect(parseToken('user_123')).toMatchObject({ kind: 'dev', userId: 'user_123', deviceId: undefined });
  });

  it('reads a JWT\'s claims for display', () => {
    expect(parseToken(jwt({ sub: 'u1', device: 'd1', groups: ['sync-admin'], exp: 100, orgs: ['org-rio'] }))).toEqual({
      kind: 'jwt', userId: 'u1', deviceId: 'd1', groups: ['sync-admin'], expiresAt: 100_000, orgs: ['org-rio'],
    });
    expect(parseToken('a.!!!.c')).toMatchObject({ kind: 'jwt', userId: undefined, groups: [] });
  });
});

describe('consoleConfig', () => {
  const at = (url: string) => {
    const u = new URL(url);
    return { protocol: u.protocol, host: u.host, hostname: u.hostname, search: u.search, origin: u.origin };
  };

  it('talks to the gateway that served it, and to the local services on loopback', () => {
    const config = consoleConfig(at('http://localhost:8080/console/'));
    expect(config.wsUrl).toBe('ws://localhost:8080/ws');
    expect(config.apiBase).toBe('http://localhost:8080');
    expect(config.services).toEqual({ credit: 'http://localhost:8081', shoot: 'http://localhost:8082', prompt: 'http://localhost:8083', publish: 'http://localhost:8084' });
    expect(config.devTools).toBe(true);
  });

  it('has no test commands on a real host unless service URLs are given', () => {
    expect(consoleConfig(at('https://sync.example.com/console/')).devTools).toBe(false);
    expect(consoleConfig(at('https://sync.example.com/console/')).wsUrl).toBe('wss://sync.example.com/ws');
    const given = consoleConfig(at('https://sync.example.com/console/?credit=https://credit.example.com/&poll=100'));
    expect(given.devTools).toBe(true);
    expect(given.services.credit).toBe('https://credit.example.com');
    expect(given.pollMs).toBe(2000); // below 500 ms is not accepted
  });
});

describe('event log', () => {
  const credit = { id: 'e1', type: 'CREDIT_UPDATE', data: { userId: 'u', newBalance: 1100, change: 100, reason: 'Test' }, cursor: 'c1', timestamp: 1 };

  it('describes events, control frames and connection changes', () => {
    expect(messageEntry(1, credit, 'pod-a', 5)).toEqual({
      seq: 1, at: 5, kind: 'event', type: 'CREDIT_UPDATE', eventId: 'e1', cursor: 'c1', pod: 'pod-a', summary: 'balance 1100 (+100) Test',
    });
    expect(messageEntry(2, { type: 'PONG', data: {} }, 'pod-a').kind).toBe('control');
    // Control types come from the contract: RECEIVED (the answer to a sent message) was missing from a list by hand.
    expect(messageEntry(2, { type: 'RECEIVED', data: { id: 'm1' } }, 'pod-a').kind).toBe('control');
    expect(messageEntry(2, { type: 'DEVICE_CONNECTED', data: { deviceId: 'd' } }, 'pod-a').kind).toBe('event');
    // Seed 003's flat org events are their own payload.
    expect(messageEntry(3, { type: 'SYNC_PROGRESS', jobId: 'j1', orgId: 'org-rio', message: 'half' } as never, undefined).summary).toBe('org-rio job j1 half');
    expect(stateEntry(4, { state: 'reconnecting', previous: 'connected', reason: 'closed 1012: draining', closeCode: 1012, retryInMs: 250 }, 'pod-a').summary)
      .toBe('closed 1012: draining (close 1012), retry in 250 ms');
  });

  it('filters by type, connection entries and text', () => {
    const event = messageEntry(1, credit, 'pod-a');
    const pong = messageEntry(2, { type: 'PONG', data: {} }, 'pod-a');
    const change = stateEntry(3, { state: 'connected', previous: 'connecting', reason: 'connected to pod pod-b' }, 'pod-b');
    const filter = { hiddenTypes: new Set(['PONG']), showConnection: true, text: '' };
    expect([event, pong, change].filter((e) => matches(e, filter))).toEqual([event, change]);
    expect(matches(change, { ...filter, showConnection: false })).toBe(false);
    expect(matches(event, { ...filter, text: 'E1' })).toBe(true);
    expect(matches(event, { ...filter, text: 'pod-b' })).toBe(false);
  });

  it('keeps the newest entries within its bound and says how many it dropped', () => {
    const store = new EventLogStore(3);
    let notified = 0;
    store.subscribe(() => notified++);
    for (let i = 0; i < 5; i++) store.add(messageEntry(store.nextSeq(), { ...credit, id: `e${i}` }, 'p'));
    expect(store.getEntries().map((e) => e.eventId)).toEqual(['e2', 'e3', 'e4']);
    expect(store.droppedCount).toBe(2);
    expect(notified).toBe(5);
  });
});

describe('ops series', () => {
  const pod = (podId: string, deliveriesTotal: number, sessions: number, startedAt = 1): Pod => ({
    podId, version: '1', startedAt, uptimeSeconds: 1, draining: false, sessions,
    replayWindow: { records: 0, bytes: 0, oldestAgeSeconds: 0 }, consumerLag: 0, deliveriesTotal, lastHeartbeatAt: 0,
  });

  it('turns each pod\'s deliveries counter into a rate between polls', () => {
    let h: History = new Map();
    h = addPoll(h, [pod('a', 100, 2), pod('b', 0, 1)], 10_000);
    h = addPoll(h, [pod('a', 300, 3), pod('b', 50, 1)], 12_000);
    expect(h.get('a')!.deliveriesPerSecond).toEqual([{ at: 12_000, value: 100 }]);
    expect(h.get('b')!.deliveriesPerSecond).toEqual([{ at: 12_000, value: 25 }]);
    expect(h.get('a')!.sessions.map((p) => p.value)).toEqual([2, 3]);
  });

  it('starts over for a restarted pod and forgets what left the window', () => {
    let h: History = new Map();
    h = addPoll(h, [pod('a', 500, 1, 1)], 0);
    h = addPoll(h, [pod('a', 10, 1, 2)], 1_000); // restarted: its counter began again
    expect(h.get('a')!.deliveriesPerSecond).toEqual([]);
    h = addPoll(h, [pod('a', 20, 1, 2)], 2_000);
    expect(h.get('a')!.deliveriesPerSecond).toEqual([{ at: 2_000, value: 10 }]);
    h = addPoll(h, [], 2_000 + 5 * 60_000 + 1); // the pod is gone and its points are older than the window
    expect(h.has('a')).toBe(false);
  });
});
