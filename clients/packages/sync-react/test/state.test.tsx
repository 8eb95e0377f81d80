// @vitest-environment jsdom
import { act, cleanup, render, waitFor } from '@testing-library/react';
import { StrictMode } from 'react';
import type { ShootProgressData } from '@kull/sync-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeviceList, SyncProvider, useActiveShoots, useCreditBalance, useShootProgress, useSyncStatusUpdates, type CreditBalance, type Fetched, type StateFetchers, type SyncEvent } from '../src/index.js';
import { FakeClient } from './fakeClient.js';

vi.mock('@kull/sync-client', () => import('../../sync-client/src/index.ts'));

afterEach(cleanup);

/** A request the test answers when it wants: to put a live event between the request and its answer. */
class Deferred<T> {
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  readonly promise = new Promise<T>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });
}

/** Fetchers that record each call and wait for the test's answer. */
function pendingFetchers() {
  const shootCalls: Array<{ shootId: string; answer: Deferred<Fetched<ShootProgressData> | null> }> = [];
  const balanceCalls: Array<Deferred<Fetched<CreditBalance> | null>> = [];
  const activeCalls: Array<Deferred<Array<Fetched<ShootProgressData>>>> = [];
  const fetchers: StateFetchers = {
    shootProgress: (shootId) => {
      const answer = new Deferred<Fetched<ShootProgressData> | null>();
      shootCalls.push({ shootId, answer });
      return answer.promise;
    },
    balance: () => {
      const answer = new Deferred<Fetched<CreditBalance> | null>();
      balanceCalls.push(answer);
      return answer.promise;
    },
    activeShoots: () => {
      const answer = new Deferred<Array<Fetched<ShootProgressData>>>();
      activeCalls.push(answer);
      return answer.promise;
    },
  };
  return { fetchers, shootCalls, balanceCalls, activeCalls };
}

const shoot = (processedCount: number, shootId = 's1'): ShootProgressData => ({
  shootId, status: 'processing', processedCount, totalCount: 100, progress: processedCount / 100, provider: 'p',
});

/** A live event as the SDK hands it over: data plus the envelope with its timestamp. */
function emitAt(client: FakeClient, type: string, data: unknown, timestamp: number): void {
  const message = { type, data, timestamp, cursor: `c-${timestamp}` };
  for (const handler of [...(client.handlers.get(type) ?? [])]) handler(data, message);
}

function ShootBar({ shootId, renders }: { shootId: string; renders?: string[] }) {
  const { progress, progressPercentage, loading } = useShootProgress(shootId);
  const text = loading ? 'loading' : progress ? `${progressPercentage}%` : 'No SHOOT_PROGRESS yet';
  renders?.push(text);
  return <p data-testid="bar">{text}</p>;
}

function Balance() {
  const { balance, version, loading } = useCreditBalance();
  return <p data-testid="balance">{loading ? 'loading' : balance === null ? 'none' : `${balance} v${version}`}</p>;
}

const flush = () => act(async () => {});

/** A fake client, pending fetchers, and the balance under a provider. */
function renderBalance() {
  const client = new FakeClient();
  const pending = pendingFetchers();
  const view = render(
    <SyncProvider client={client} fetchState={pending.fetchers}>
      <Balance />
    </SyncProvider>,
  );
  return { client, view, ...pending };
}

/** A fake client, pending fetchers, and one shoot bar for s1 under a provider. */
function renderBar() {
  const client = new FakeClient();
  const pending = pendingFetchers();
  const view = render(
    <SyncProvider client={client} fetchState={pending.fetchers}>
      <ShootBar shootId="s1" />
    </SyncProvider>,
  );
  return { client, view, ...pending };
}

describe('useShootProgress: the current progress at once, ordered by the event position', () => {
  it('shows the fetched progress on first paint after the answer, with a placeholder (not "nothing yet") before it', async () => {
    const client = new FakeClient();
    const { fetchers, shootCalls } = pendingFetchers();
    const renders: string[] = [];
    const view = render(
      <StrictMode>
        <SyncProvider client={client} fetchState={fetchers}>
          <ShootBar shootId="s1" renders={renders} />
        </SyncProvider>
      </StrictMode>,
    );
    expect(shootCalls.map((c) => c.shootId)).toEqual(['s1']); // once, StrictMode included
    expect(view.getByTestId('bar').textContent).toBe('loading');
    await act(async () => shootCalls[0]!.answer.resolve({ value: shoot(20), position: 1_000 }));
    expect(view.getByTestId('bar').textContent).toBe('20%');
    expect(renders).not.toContain('No SHOOT_PROGRESS yet');
  });

  it('a state read before a live event never replaces it (the event arrived while the request was out)', async () => {
    const { client, view, shootCalls } = renderBar();
    act(() => emitAt(client, 'SHOOT_PROGRESS', shoot(30), 2_000));
    expect(view.getByTestId('bar').textContent).toBe('30%');
    await act(async () => shootCalls[0]!.answer.resolve({ value: shoot(20), position: 1_000 }));
    expect(view.getByTestId('bar').textContent).toBe('30%');
  });

  it('a newer state replaces an older live value (after RESYNC_REQUIRED the stream skipped events)', async () => {
    const client = new FakeClient();
    const { fetchers, shootCalls } = pendingFetchers();
    act(() => client.update({ state: 'connected', connectionId: 'c1', resumed: true })); // its replay fails later
    const view = render(
      <SyncProvider client={client} fetchState={fetchers}>
        <ShootBar shootId="s1" />
      </SyncProvider>,
    );
    await act(async () => shootCalls[0]!.answer.resolve({ value: shoot(20), position: 1_000 }));
    // RESYNC_REQUIRED: the SDK counts it; the hook fetches again.
    act(() => client.update({ stats: { ...client.snapshot.stats, resyncs: 1 } }));
    expect(shootCalls).toHaveLength(2);
    expect(view.getByTestId('bar').textContent).toBe('20%'); // the known value stays up while it loads
    await act(async () => shootCalls[1]!.answer.resolve({ value: shoot(60), position: 5_000 }));
    expect(view.getByTestId('bar').textContent).toBe('60%');
    // A live event older than that state (a replay from before it) does not move the bar back.
    act(() => emitAt(client, 'SHOOT_PROGRESS', shoot(40), 3_000));
    expect(view.getByTestId('bar').textContent).toBe('60%');
    act(() => emitAt(client, 'SHOOT_PROGRESS', shoot(70), 6_000));
    expect(view.getByTestId('bar').textContent).toBe('70%');
  });

  it('refetches on a connection that did not resume, not on one that resumed (its replay fills the gap)', async () => {
    const { client, shootCalls } = renderBar();
    await act(async () => shootCalls[0]!.answer.resolve({ value: shoot(10), position: 1_000 }));
    act(() => client.update({ state: 'connected', connectionId: 'c1', resumed: true }));
    expect(shootCalls).toHaveLength(1);
    act(() => client.update({ state: 'connected', connectionId: 'c2', resumed: false }));
    expect(shootCalls).toHaveLength(2);
    await act(async () => shootCalls[1]!.answer.resolve(null)); // 404: nothing newer known, the value stays
  });

  it('a RESYNC_REQUIRED on a connection that did not resume is answered by the request made for that connection', async () => {
    const { client, view, shootCalls } = renderBar();
    await act(async () => shootCalls[0]!.answer.resolve({ value: shoot(10), position: 1_000 }));
    act(() => client.update({ state: 'connected', connectionId: 'c1', resumed: false })); // cursor=acked: none kept
    act(() => client.update({ stats: { ...client.snapshot.stats, resyncs: 1 } })); // RESYNC_REQUIRED just after
    expect(shootCalls).toHaveLength(2);
    await act(async () => shootCalls[1]!.answer.resolve({ value: shoot(35), position: 4_000 }));
    expect(view.getByTestId('bar').textContent).toBe('35%');
    act(() => client.update({ stats: { ...client.snapshot.stats, resyncs: 2 } })); // later on the same connection: still covered
    expect(shootCalls).toHaveLength(2);
    act(() => client.update({ state: 'connected', connectionId: 'c2', resumed: true }));
    act(() => client.update({ stats: { ...client.snapshot.stats, resyncs: 3 } })); // a resumed connection's replay failed
    expect(shootCalls).toHaveLength(3);
  });

  it('a bar mounted after a gap no component read again fetches; after a resumed reconnect it does not', async () => {
    const client = new FakeClient();
    const { fetchers, shootCalls } = pendingFetchers();
    const app = (bars: number) => (
      <SyncProvider client={client} fetchState={fetchers}>
        {Array.from({ length: bars }, (_, i) => <ShootBar key={i} shootId="s1" />)}
      </SyncProvider>
    );
    const view = render(app(1));
    await act(async () => shootCalls[0]!.answer.resolve({ value: shoot(10), position: 1_000 }));
    view.rerender(app(0)); // the page with the bar is left
    act(() => client.update({ state: 'connected', connectionId: 'c1', resumed: true }));
    view.rerender(app(1));
    expect(shootCalls).toHaveLength(1); // the resumed connection replayed what was missed: 10% is current
    view.rerender(app(0));
    act(() => client.update({ state: 'connected', connectionId: 'c2', resumed: false })); // events were missed
    view.rerender(app(1));
    expect(shootCalls).toHaveLength(2);
    expect(view.getByTestId('bar').textContent).toBe('10%'); // shown while it is read again
    await act(async () => shootCalls[1]!.answer.resolve({ value: shoot(55), position: 9_000 }));
    expect(view.getByTestId('bar').textContent).toBe('55%');
  });

  it('two bars of one shoot share one request; a known value is shown at mount without one', async () => {
    const client = new FakeClient();
    const { fetchers, shootCalls } = pendingFetchers();
    const view = render(
      <SyncProvider client={client} fetchState={fetchers}>
        <ShootBar shootId="s1" />
        <ShootBar shootId="s1" />
      </SyncProvider>,
    );
    expect(shootCalls).toHaveLength(1);
    await act(async () => shootCalls[0]!.answer.resolve({ value: shoot(20), position: 1_000 }));
    view.rerender(
      <SyncProvider client={client} fetchState={fetchers}>
        <ShootBar shootId="s1" />
        <ShootBar shootId="s1" />
        <ShootBar shootId="s1" />
      </SyncProvider>,
    );
    expect(shootCalls).toHaveLength(1);
    expect(view.getAllByTestId('bar').map((b) => b.textContent)).toEqual(['20%', '20%', '20%']);
  });

  it('a failed request ends the placeholder and lets live events show', async () => {
    const { client, view, shootCalls } = renderBar();
    await act(async () => shootCalls[0]!.answer.reject(new Error('HTTP 503')));
    await flush();
    expect(view.getByTestId('bar').textContent).toBe('No SHOOT_PROGRESS yet');
    act(() => emitAt(client, 'SHOOT_PROGRESS', shoot(5), 1_000));
    expect(view.getByTestId('bar').textContent).toBe('5%');
  });
});

describe('useCreditBalance: ordered by the balance version', () => {
  it('a fetched balance older than a live CREDIT_UPDATE is ignored; a newer one replaces; RESYNC_REQUIRED refetches', async () => {
    const { client, view, balanceCalls } = renderBalance();
    expect(view.getByTestId('balance').textContent).toBe('loading');
    act(() => emitAt(client, 'CREDIT_UPDATE', { userId: 'u', newBalance: 900, change: -100, reason: 'r', version: 8 }, 1));
    await act(async () => balanceCalls[0]!.resolve({ value: { balance: 1000, version: 7 }, position: 7 }));
    expect(view.getByTestId('balance').textContent).toBe('900 v8');
    act(() => client.update({ stats: { ...client.snapshot.stats, resyncs: 1 } }));
    expect(balanceCalls).toHaveLength(2);
    await act(async () => balanceCalls[1]!.resolve({ value: { balance: 750, version: 11 }, position: 11 }));
    expect(view.getByTestId('balance').textContent).toBe('750 v11');
  });
});

describe('useCreditBalance: a new user', () => {
  const starting = { userId: 'user_123', balance: 0, version: 0, eventId: null, updatedAt: null };
  const update = { userId: 'user_123', newBalance: 50, change: 50, reason: 'Sign-up grant', version: 1 };

  it("shows credit-service's starting balance (0 at version 0) at once; the first CREDIT_UPDATE replaces it", async () => {
    const client = new FakeClient();
    const fetchMock = vi.fn(async () => new Response(JSON.stringify(starting), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    try {
      const view = render(
        <SyncProvider client={client} getToken={() => 'user_123:laptop'} stateUrls={{ credits: 'http://credits.test' }}>
          <Balance />
        </SyncProvider>,
      );
      await waitFor(() => expect(view.getByTestId('balance').textContent).toBe('0 v0'));
      expect(fetchMock.mock.calls[0]![0]).toBe('http://credits.test/api/credits/user_123/balance');
      act(() => emitAt(client, 'CREDIT_UPDATE', update, 1));
      expect(view.getByTestId('balance').textContent).toBe('50 v1');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('a starting balance answered after the first CREDIT_UPDATE does not replace it', async () => {
    const { client, view, balanceCalls } = renderBalance();
    act(() => emitAt(client, 'CREDIT_UPDATE', update, 1));
    await act(async () => balanceCalls[0]!.resolve({ value: { balance: 0, version: 0 }, position: 0 }));
    expect(view.getByTestId('balance').textContent).toBe('50 v1');
  });
});

describe('useActiveShoots: the shoots a new tab did not see an event of', () => {
  it('lists the active shoots from shoot-service and fills their progress; live shoots are added in front', async () => {
    const client = new FakeClient();
    const { fetchers, activeCalls, shootCalls } = pendingFetchers();
    function Shoots() {
      const { shootIds, loading } = useActiveShoots('u1');
      if (loading) return <p>loading</p>;
      if (shootIds.length === 0) return <p>No SHOOT_PROGRESS yet</p>;
      return (
        <ul>
          {shootIds.map((id) => (
            <li key={id} data-testid="shoot">
              {id}:<ShootBar shootId={id} />
            </li>
          ))}
        </ul>
      );
    }
    const view = render(
      <SyncProvider client={client} fetchState={fetchers}>
        <Shoots />
      </SyncProvider>,
    );
    expect(view.container.textContent).toBe('loading');
    await act(async () => activeCalls[0]!.resolve([{ value: shoot(20, 'a'), position: 2_000 }, { value: shoot(90, 'b'), position: 1_000 }]));
    expect(view.getAllByTestId('shoot').map((li) => li.textContent)).toEqual(['a:20%', 'b:90%']);
    expect(shootCalls).toHaveLength(0); // their progress came with the list
    act(() => emitAt(client, 'SHOOT_PROGRESS', shoot(1, 'c'), 3_000));
    expect(view.getAllByTestId('shoot').map((li) => li.textContent)).toEqual(['c:1%', 'a:20%', 'b:90%']);
  });
});

describe('useSyncStatusUpdates: the org status at once', () => {
  const event = (type: SyncEvent['type'], progress: number, at: string): SyncEvent =>
    ({ type, jobId: 'j1', progress, timestamp: new Date(at), orgId: 'org-rio' });
  function Banner({ fetchLatest }: { fetchLatest?: (orgId: string, signal: AbortSignal) => Promise<SyncEvent | null> }) {
    const { lastEvent, loading } = useSyncStatusUpdates({ organizationId: 'org-rio', fetchLatest });
    return <p data-testid="org">{loading ? 'loading' : lastEvent ? `${lastEvent.type} ${lastEvent.progress}` : 'No sync yet'}</p>;
  }

  it("shows the owner's current status, unless a live event newer than it arrived meanwhile", async () => {
    const client = new FakeClient();
    const answers: Array<Deferred<SyncEvent | null>> = [];
    const fetchLatest = () => {
      const answer = new Deferred<SyncEvent | null>();
      answers.push(answer);
      return answer.promise;
    };
    const view = render(
      <SyncProvider client={client}>
        <Banner fetchLatest={fetchLatest} />
      </SyncProvider>,
    );
    expect(view.getByTestId('org').textContent).toBe('loading');
    act(() => emitAt(client, 'SYNC_PROGRESS', { type: 'SYNC_PROGRESS', jobId: 'j1', progress: 60, timestamp: '2025-11-28T10:00:20Z', orgId: 'org-rio' }, 0));
    await act(async () => answers[0]!.resolve(event('SYNC_PROGRESS', 45, '2025-11-28T10:00:15Z')));
    expect(view.getByTestId('org').textContent).toBe('SYNC_PROGRESS 60');
    act(() => client.update({ state: 'connected', connectionId: 'c1', resumed: true }));
    act(() => client.update({ stats: { ...client.snapshot.stats, resyncs: 1 } }));
    await act(async () => answers[1]!.resolve(event('SYNC_SUCCESS', 100, '2025-11-28T10:01:00Z')));
    expect(view.getByTestId('org').textContent).toBe('SYNC_SUCCESS 100');
  });

  it('without an owner to ask, a component mounted later shows the last event the app saw, not "nothing yet"', () => {
    const client = new FakeClient();
    const view = render(
      <SyncProvider client={client}>
        <Banner />
      </SyncProvider>,
    );
    expect(view.getByTestId('org').textContent).toBe('No sync yet');
    act(() => emitAt(client, 'SYNC_PROGRESS', { type: 'SYNC_PROGRESS', jobId: 'j1', progress: 45, timestamp: '2025-11-28T10:00:15Z', orgId: 'org-rio' }, 0));
    view.rerender(
      <SyncProvider client={client}>
        <Banner />
        <Banner />
      </SyncProvider>,
    );
    expect(view.getAllByTestId('org').map((p) => p.textContent)).toEqual(['SYNC_PROGRESS 45', 'SYNC_PROGRESS 45']);
  });
});

describe('DeviceList: the devices at once, and again after RESYNC_REQUIRED', () => {
  it('fetches the list at mount and again after a RESYNC_REQUIRED (presence events may have been skipped)', async () => {
    const client = new FakeClient();
    const fetchDevices = vi.fn(async () => ({ userId: 'u1', devices: [{ deviceId: 'ipad', platform: 'ios', deviceName: 'iPad', connectedAt: fetchDevices.mock.calls.length }] }));
    const view = render(
      <SyncProvider client={client} fetchDevices={fetchDevices}>
        <DeviceList userId="u1" settleMs={0} />
      </SyncProvider>,
    );
    await flush();
    expect(fetchDevices).toHaveBeenCalledTimes(1);
    expect(view.container.querySelector('li[data-device-id="ipad"]')).not.toBeNull();
    act(() => client.update({ stats: { ...client.snapshot.stats, resyncs: 1 } }));
    await flush();
    expect(fetchDevices).toHaveBeenCalledTimes(2);
  });
});
