// Current state on connect against the real stack: broker, a gateway, credit-service and shoot-service as processes.
// A client that connects while a shoot is at 20% must have 20% at once, from shoot-service's state endpoint, not
// wait for the next event; a state read before a newer live event must not replace it. These are the functions the
// React hooks run (the provider's stores, the live handlers, the default HTTP fetchers); the hooks' own triggers and
// the first render are checked in Chromium (browser/run.mjs, step 8). Prints the cost of the reads per connect.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SyncClient, type SocketLike } from '@kull/sync-client';
import { createStateStores, httpStateFetchers, OWN, trackLiveState, type StateStores } from '../packages/sync-react/src/state.js';
import { type Stack, startStack } from './stack.js';
import { waitFor } from './waiting.js';

let stack: Stack;
const clients: SyncClient[] = [];

beforeAll(async () => {
  const started = Date.now();
  stack = await startStack({ name: 'state', gateways: 1, shoot: true });
  console.log(`state stack (broker, 1 gateway, credit-service, shoot-service) ready in ${Date.now() - started} ms`);
});

afterAll(async () => {
  clients.splice(0).forEach((client) => client.close());
  await stack?.stop();
});

/** A client as a new tab has it: no cursor of its own, the provider's stores fed by live events, the default fetchers. */
function newTab(userId: string, deviceId: string): { client: SyncClient; stores: StateStores; fetchers: ReturnType<typeof httpStateFetchers> } {
  const getToken = () => stack.token(userId, deviceId);
  const client = new SyncClient({
    url: stack.balancerUrl,
    getToken,
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    cursorStore: false,
  });
  clients.push(client);
  const stores = createStateStores();
  trackLiveState(client, stores);
  const fetchers = httpStateFetchers({ current: { getToken, stateUrls: { credits: stack.creditUrl, shoots: stack.shootUrl } } });
  return { client, stores, fetchers };
}

describe('current state on connect', () => {
  it('a client connecting while a shoot is at 20% has 20% (and the balance) at once, then follows live events', async () => {
    const userId = `state-user-${Date.now()}`;
    const shootId = `shoot-${Date.now()}`;
    await stack.publishCredit(userId, 1500, 500, 'top-up');
    await stack.publishShootProgress(userId, shootId, 20, 100);

    const { client, stores, fetchers } = newTab(userId, 'web-1');
    client.connect();
    // What the hooks do at mount when nothing is known: one request per value, beside the WebSocket.
    const started = performance.now();
    const [progress, balance, active] = await Promise.all([
      fetchers.shootProgress(shootId, new AbortController().signal),
      fetchers.balance(new AbortController().signal),
      fetchers.activeShoots(undefined, new AbortController().signal),
    ]);
    const fetchedInMs = performance.now() - started;
    expect(progress?.value).toMatchObject({ shootId, status: 'processing', processedCount: 20, totalCount: 100 });
    expect(progress?.position).toEqual(expect.any(Number));
    expect(balance).toEqual({ value: { balance: 1500, version: 1 }, position: 1 });
    expect(active.map((shoot) => shoot.value.shootId)).toEqual([shootId]);
    expect(stores.shootProgress.offer(shootId, progress!.value, progress!.position)).toBe(true);
    expect(stores.balance.offer(OWN, balance!.value, balance!.position)).toBe(true);
    expect(stores.shootProgress.get(shootId)?.processedCount).toBe(20); // before any event after the connect

    await waitFor('connected', () => client.getSnapshot().state === 'connected');
    await stack.publishShootProgress(userId, shootId, 30, 100);
    await stack.publishCredit(userId, 1400, -100, 'used');
    await waitFor('the live 30%', () => stores.shootProgress.get(shootId)?.processedCount === 30);
    await waitFor('the live balance', () => stores.balance.get(OWN)?.balance === 1400);
    expect(stores.balance.positionOf(OWN)).toBe(2);

    // The cost of those reads, for docs/design.md: bytes of each answer as sent, and the time of the three together.
    const sizes = await Promise.all(
      [`${stack.shootUrl}/api/shoots/${shootId}/progress`, `${stack.creditUrl}/api/credits/${userId}/balance`, `${stack.shootUrl}/api/users/${userId}/shoots/active`].map(
        async (url) => (await (await fetch(url, { headers: { Authorization: `Bearer ${stack.token(userId, 'web-1')}` } })).arrayBuffer()).byteLength,
      ),
    );
    console.log(`STATE-ON-CONNECT 3 requests at mount in ${fetchedInMs.toFixed(1)} ms (first use of the services: cold); answer bytes: progress ${sizes[0]}, balance ${sizes[1]}, active shoots (1) ${sizes[2]}`);
  });

  it('a state read before a newer live event never replaces it; a newer state replaces an older value', async () => {
    const userId = `state-race-${Date.now()}`;
    const shootId = `race-${Date.now()}`;
    await stack.publishShootProgress(userId, shootId, 30, 100);
    const { client, stores, fetchers } = newTab(userId, 'web-2');
    client.connect();
    await waitFor('connected', () => client.getSnapshot().state === 'connected');

    // The request is answered (30%), but its answer reaches the store only after a live 40% arrived.
    const early = await fetchers.shootProgress(shootId, new AbortController().signal);
    expect(early?.value.processedCount).toBe(30);
    await stack.publishShootProgress(userId, shootId, 40, 100);
    await waitFor('the live 40%', () => stores.shootProgress.get(shootId)?.processedCount === 40);
    expect(stores.shootProgress.offer(shootId, early!.value, early!.position)).toBe(false);
    expect(stores.shootProgress.get(shootId)?.processedCount).toBe(40);

    // The same read now is the live event itself (same position): nothing changes.
    const same = await fetchers.shootProgress(shootId, new AbortController().signal);
    expect(same?.position).toBe(stores.shootProgress.positionOf(shootId));
    expect(stores.shootProgress.offer(shootId, same!.value, same!.position)).toBe(false);

    // A client that missed 50% (closed meanwhile) holds 40%; the state it reads again is newer and replaces it.
    client.close();
    await stack.publishShootProgress(userId, shootId, 50, 100);
    const later = await fetchers.shootProgress(shootId, new AbortController().signal);
    expect(stores.shootProgress.offer(shootId, later!.value, later!.position)).toBe(true);
    expect(stores.shootProgress.get(shootId)?.processedCount).toBe(50);
  });

  it('prints what the state reads cost the services: CPU and time per request, bytes per answer (no assertion on time)', async () => {
    const userId = `state-cost-${Date.now()}`;
    const shootId = `cost-${Date.now()}`;
    await stack.publishCredit(userId, 1500, 500, 'top-up');
    await stack.publishShootProgress(userId, shootId, 20, 100);
    const headers = { Authorization: `Bearer ${stack.token(userId, 'web-cost')}` };
    const reads = [
      { name: 'credit-service GET /api/credits/{userId}/balance', base: stack.creditUrl, path: `/api/credits/${userId}/balance` },
      { name: `shoot-service GET /api/shoots/{shootId}/progress`, base: stack.shootUrl, path: `/api/shoots/${shootId}/progress` },
      { name: 'shoot-service GET /api/users/{userId}/shoots/active', base: stack.shootUrl, path: `/api/users/${userId}/shoots/active` },
      { name: 'gateway GET /api/users/{userId}/devices', base: stack.gateways[0]!.httpUrl, path: `/api/users/${userId}/devices` },
      // The floor: an answer without a token to verify or state to read.
      { name: 'credit-service GET /api/sync/status (no token, no state)', base: stack.creditUrl, path: '/api/sync/status' },
    ];
    const cpuSeconds = async (base: string) => {
      const text = await (await fetch(`${base}/q/metrics`)).text();
      const match = /^process_cpu_time_ns_total(?:\{[^}]*\})? ([0-9.eE+-]+)$/m.exec(text);
      return match ? Number(match[1]) / 1e9 : Number.NaN;
    };
    const rounds = 1_000;
    const concurrency = 8;
    for (const read of reads) {
      const get = async () => {
        const response = await fetch(`${read.base}${read.path}`, { headers });
        return (await response.arrayBuffer()).byteLength;
      };
      for (let i = 0; i < 1_000; i++) await get(); // warm-up: JIT, connection pool
      const cpuBefore = await cpuSeconds(read.base);
      const started = performance.now();
      let bytes = 0;
      let next = 0;
      await Promise.all(Array.from({ length: concurrency }, async () => {
        while (next++ < rounds) bytes = await get();
      }));
      const elapsed = performance.now() - started;
      const cpu = (await cpuSeconds(read.base)) - cpuBefore;
      console.log(`STATE-COST ${read.name}: ${bytes} B per answer; ${rounds} requests (${concurrency} at a time) in ${elapsed.toFixed(0)} ms`
        + ` = ${(rounds / (elapsed / 1000)).toFixed(0)}/s; process CPU ${Number.isNaN(cpu) ? 'n/a' : `${((cpu / rounds) * 1e6).toFixed(0)} us per request (whole process, /q/metrics scrape included)`}`);
      expect(bytes).toBeGreaterThan(0);
    }
  });

  it('a new user\'s balance is the starting 0 at version 0 and the shoot list empty; an unknown shoot is refused (its id is not probed)', async () => {
    const { fetchers } = newTab(`state-nobody-${Date.now()}`, 'web-3');
    // shoot-service does not tell a user whether another user's shoot exists: 403 for any shoot not known as theirs.
    await expect(fetchers.shootProgress('never-reported', new AbortController().signal)).rejects.toThrow(/HTTP 403/);
    // Version 0: the user's first CREDIT_UPDATE (version 1) replaces it.
    await expect(fetchers.balance(new AbortController().signal)).resolves.toEqual({ value: { balance: 0, version: 0 }, position: 0 });
    await expect(fetchers.activeShoots(undefined, new AbortController().signal)).resolves.toEqual([]);
  });
});
