import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode, SyncClient, memoryCursorStore, type SyncMessage } from '../src/index.js';
import { connectionName, tabSharing } from '../src/share.js';
import { UNANNOUNCED_GATEWAY_LIMITS } from '../src/defaults.js';
import { HANDOVER_CLOSE_CODE, TabHub, type ChannelLike, type LockManagerLike } from '../src/tabs.js';
import { fakeSocketFactory, jwt, type FakeSocket } from './fake-socket.js';

// Tabs of one browser, played in one process: each tab has its own TabHub and SyncClient; a fake Web Locks
// manager and a fake BroadcastChannel bus connect them (a frozen tab gets its messages only when it thaws); the
// "real" connections are FakeSockets on which the test plays the gateway.

const URL_BASE = 'wss://sync.example.com/ws';
/** Waits for a condition (an assertion that passes), with room for a loaded machine. */
const until = <T>(condition: () => T) => vi.waitFor(condition, { timeout: 10_000, interval: 20 });
const NAME = 'kull-sync-tabs:test';

interface Request {
  callback: () => Promise<void>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** navigator.locks for one lock name: a queue, `signal` to leave it, `steal` to take the lock from its holder. */
class FakeLocks implements LockManagerLike {
  holder: Request | undefined;
  private readonly queue: Request[] = [];

  request(_name: string, options: { steal?: boolean; signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const request = { callback, resolve, reject };
      if (options.steal) {
        this.holder?.reject(new DOMException('the lock was stolen', 'AbortError'));
        this.grant(request);
        return;
      }
      options.signal?.addEventListener('abort', () => {
        const at = this.queue.indexOf(request);
        if (at < 0) return;
        this.queue.splice(at, 1);
        reject(new DOMException('aborted', 'AbortError'));
      });
      if (this.holder) this.queue.push(request);
      else this.grant(request);
    });
  }

  private grant(request: Request): void {
    this.holder = request;
    void Promise.resolve().then(request.callback).then((value) => {
      request.resolve(value);
      if (this.holder !== request) return;
      this.holder = undefined;
      const next = this.queue.shift();
      if (next) this.grant(next);
    });
  }
}

type FakeChannel = ChannelLike & { frozen: boolean; held: unknown[]; thawed: Array<() => void> };

/** A frozen tab runs nothing: the lock's callbacks and answers reach it when it thaws. */
function tabLocks(locks: FakeLocks, channel: FakeChannel): LockManagerLike {
  const thawed = () => new Promise<void>((resolve) => (channel.frozen ? channel.thawed.push(resolve) : resolve()));
  return {
    request: (name, options, callback) => locks.request(name, options, () => thawed().then(callback)).then(
      (value) => thawed().then(() => value),
      (error) => thawed().then(() => Promise.reject(error)),
    ),
  };
}

/** BroadcastChannels of one name, one per tab: a message reaches every other tab, in order; a frozen tab's wait. */
class FakeBus {
  private readonly channels: FakeChannel[] = [];
  /** Drops the next message of this type to this channel (a message a tab never saw). */
  drop: { to: ChannelLike; type: string } | undefined;

  channel(): FakeChannel {
    const channel: FakeChannel = {
      frozen: false,
      held: [] as unknown[],
      thawed: [],
      onmessage: null as ((event: any) => void) | null,
      postMessage: (message: unknown) => {
        for (const other of this.channels) {
          if (other === channel) continue;
          const copy = structuredClone(message);
          if (this.drop && this.drop.to === other && (copy as { t: string }).t === this.drop.type) {
            this.drop = undefined;
            continue;
          }
          if (other.frozen) other.held.push(copy);
          else setTimeout(() => other.onmessage?.({ data: copy }), 0);
        }
      },
    };
    this.channels.push(channel);
    return channel;
  }

  thaw(channel: FakeChannel): void {
    channel.frozen = false;
    channel.thawed.splice(0).forEach((resume) => resume());
    for (const message of channel.held.splice(0)) setTimeout(() => channel.onmessage?.({ data: message }), 0);
  }
}

interface Tab {
  hub: TabHub;
  client: SyncClient;
  channel: FakeChannel;
  window: EventTarget;
  document: EventTarget & { visibilityState: string };
  /** Ids of the CREDIT_UPDATE events its handlers got, in order. */
  events: string[];
  /** Types of every message its client dispatched. */
  seen: string[];
}

const clients: SyncClient[] = [];
afterEach(() => {
  clients.splice(0).forEach((client) => client.close());
});

function browser(userToken = 'user-1:device-1', hubOptions: { relayBuffer?: number; probeTimeoutMs?: number } = {}) {
  const locks = new FakeLocks();
  const bus = new FakeBus();
  const gateway = fakeSocketFactory();
  const tabs: Tab[] = [];
  const open = (options: { connect?: boolean; cursor?: string } = {}): Tab => {
    const channel = bus.channel();
    const window = new EventTarget();
    const document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    const hub = new TabHub({ name: NAME, locks: tabLocks(locks, channel), channel, connect: gateway.create, window, document, leaderTimeoutMs: 50,
      unannounced: UNANNOUNCED_GATEWAY_LIMITS, ...hubOptions });
    const cursorStore = memoryCursorStore();
    if (options.cursor) cursorStore.save(`kull-sync-cursor:${URL_BASE}:user-1:device-1`, options.cursor);
    const client = new SyncClient({
      url: URL_BASE, getToken: () => userToken, createSocket: (url) => hub.socket(url), cursorStore,
      random: () => 0, backoff: { minMs: 1 }, ackIntervalMs: 20, watchBrowser: false,
    });
    clients.push(client);
    const tab: Tab = { hub, client, channel, window, document, events: [], seen: [] };
    client.on('CREDIT_UPDATE', (_data, message) => tab.events.push(message.id!));
    client.onAny((_data, message) => tab.seen.push(message.type));
    if (options.connect !== false) client.connect();
    tabs.push(tab);
    return tab;
  };
  return { locks, bus, gateway, tabs, open };
}

/** `count` tabs open, the connection established (cursor c0) and every tab connected. */
async function running(count: number, hubOptions: { relayBuffer?: number; probeTimeoutMs?: number } = {}) {
  const opened = browser('user-1:device-1', hubOptions);
  for (let i = 0; i < count; i++) opened.open();
  await until(() => expect(opened.gateway.count).toBe(1));
  opened.gateway.last.establish({ cursor: 'c0' });
  await connected(opened.tabs);
  return opened;
}

const event = (n: number): SyncMessage => ({ id: `e${n}`, type: 'CREDIT_UPDATE', data: { newBalance: n, change: 1, reason: 'test' }, cursor: `c${n}` });
const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `e${from + i}`);
const connected = (tabs: Tab[]) => until(() => expect(tabs.map((tab) => tab.client.getSnapshot().state)).toEqual(tabs.map(() => 'connected')));
const leaderOf = (tabs: Tab[]) => tabs.filter((tab) => tab.hub.isLeader);
/** What the gateway got on this socket, parsed, except PINGs the leader probes with. */
const written = (socket: FakeSocket) => socket.sent.map((raw) => JSON.parse(raw));

/** When each frame was written to the socket, from now on. */
function writeTimes(socket: FakeSocket): number[] {
  const writes: number[] = [];
  const send = socket.send.bind(socket);
  socket.send = (data: string) => {
    writes.push(Date.now());
    send(data);
  };
  return writes;
}

/** The lowest a gateway's rate-limit bucket (`rate` frames/s, `burst`) gets over these writes: below 0 it refuses one. */
function lowestTokens(writes: number[], rate: number, burst: number): number {
  let tokens = burst;
  let lowest = tokens;
  writes.forEach((at, i) => {
    if (i > 0) tokens = Math.min(burst, tokens + ((at - writes[i - 1]!) / 1000) * rate);
    tokens -= 1;
    lowest = Math.min(lowest, tokens);
  });
  return lowest;
}

describe('one connection for all tabs', () => {
  it('elects one leader: three tabs open one connection and each gets every event once, in order', async () => {
    const { gateway, tabs } = await running(3);
    expect(leaderOf(tabs)).toHaveLength(1);
    for (let n = 1; n <= 5; n++) gateway.last.serverSends(event(n));
    await until(() => tabs.forEach((tab) => expect(tab.events).toEqual(ids(1, 5))));
    expect(gateway.count).toBe(1);
    // The tabs acknowledge the same cursor: one ACK frame reaches the gateway.
    await until(() => expect(gateway.last.acks).toContain('c5'));
    expect(gateway.last.acks.filter((cursor) => cursor === 'c5')).toHaveLength(1);
    expect(tabs.map((tab) => tab.client.getSnapshot().cursor)).toEqual(['c5', 'c5', 'c5']);
  });

  it('relays a tab\'s messages: deliver() resolves on its RECEIVED, which only that tab sees; requestPending() answers', async () => {
    const { gateway, tabs } = await running(2);
    const [, follower] = tabs;
    const sender = leaderOf(tabs)[0] === follower ? tabs[0]! : follower;

    const receipt = sender.client.deliver('UPDATE_PROGRESS', { shootId: 's1', progress: 20 } as never);
    await until(() => expect(written(gateway.last).some((frame) => frame.type === 'UPDATE_PROGRESS')).toBe(true));
    const frame = written(gateway.last).find((f) => f.type === 'UPDATE_PROGRESS');
    gateway.last.receives(frame.id);
    await expect(receipt).resolves.toEqual({ id: frame.id, duplicate: false, confirmed: true });
    // The next event goes to all: once the other tab has it, it has passed the RECEIVED.
    gateway.last.serverSends(event(1));
    const other = tabs.find((tab) => tab !== sender)!;
    await until(() => expect(other.events).toEqual(['e1']));
    expect(other.seen).not.toContain('RECEIVED');
    expect(sender.seen).toContain('RECEIVED');

    const pending = sender.client.requestPending();
    await until(() => expect(written(gateway.last).some((f) => f.type === 'GET_PENDING')).toBe(true));
    gateway.last.serverSends({ type: 'PENDING_CHECK_COMPLETE', data: { delivered: 0, cursor: 'c0' } });
    await expect(pending).resolves.toBe(0);
  });

  it('subscribes an org once for all tabs, leaves it after the last tab, and gives its events to its subscribers only', async () => {
    const { gateway, tabs } = await running(3);
    const [a, b, c] = tabs;
    a.client.subscribe('org-1');
    const leaveB = b.client.subscribe('org-1');
    const org = () => written(gateway.last).filter((f) => f.type === 'SUBSCRIBE' || f.type === 'UNSUBSCRIBE').map((f) => f.type);
    await until(() => expect(org()).toEqual(['SUBSCRIBE']));

    gateway.last.serverSends({ type: 'SYNC_PROGRESS', orgId: 'org-1', progress: 50, cursor: 'c1' });
    gateway.last.serverSends(event(2));
    await until(() => tabs.forEach((tab) => expect(tab.events).toEqual(['e2'])));
    expect([a, b, c].map((tab) => tab.seen.includes('SYNC_PROGRESS'))).toEqual([true, true, false]);

    a.client.unsubscribe('org-1');
    gateway.last.serverSends(event(3));
    await until(() => tabs.forEach((tab) => expect(tab.events).toEqual(['e2', 'e3'])));
    expect(org()).toEqual(['SUBSCRIBE']);
    leaveB();
    await until(() => expect(org()).toEqual(['SUBSCRIBE', 'UNSUBSCRIBE']));
  });

  it('hands over when the leader\'s tab goes away: the next leader resumes from the last cursor delivered, every event once', async () => {
    const { gateway, open, tabs } = await running(3);
    const first = gateway.last;
    for (let n = 1; n <= 3; n++) first.serverSends(event(n));
    await until(() => tabs.forEach((tab) => expect(tab.events).toEqual(ids(1, 3))));

    const [old] = leaderOf(tabs);
    const rest = tabs.filter((tab) => tab !== old);
    old!.window.dispatchEvent(new Event('pagehide'));
    old!.client.close();
    await until(() => expect(first.closed).toBe(true));
    await until(() => expect(gateway.count).toBe(2));
    const second = gateway.last;
    expect(second.params.get('cursor')).toBe('c3');
    await until(() => expect(rest.map((tab) => tab.client.getSnapshot().lastCloseCode)).toEqual([HANDOVER_CLOSE_CODE, HANDOVER_CLOSE_CODE]));
    // The gateway resumes from c3; an event delivered just before is repeated by the replay and skipped by its id.
    second.establish({ cursor: 'c3', resumed: true });
    second.serverSends(event(3));
    for (let n = 4; n <= 6; n++) second.serverSends(event(n));
    await connected(rest);
    await until(() => rest.forEach((tab) => expect(tab.events).toEqual(ids(1, 6))));
    expect(leaderOf(rest)).toHaveLength(1);
    expect(rest.map((tab) => tab.client.getSnapshot().stats.reconnects)).toEqual([1, 1]);

    // A tab reloaded meanwhile, its cursor from before the handover: the new leader kept what it saw relayed.
    const reloaded = open({ cursor: 'c2' });
    await connected([reloaded]);
    await until(() => expect(reloaded.events).toEqual(ids(3, 6)));
    expect(reloaded.seen.filter((type) => type === 'CONNECTION_ESTABLISHED')).toHaveLength(1);
  });

  it('keeps a tab\'s messages across a handover: one unanswered is written again with its id, those sent meanwhile after it', async () => {
    const { gateway, tabs } = await running(3);
    const first = gateway.last;
    const [old] = leaderOf(tabs);
    const sender = tabs.find((tab) => tab !== old)!;
    const progress = (n: number) => ({ shootId: 's', status: 'processing', processedCount: n, totalCount: 9, provider: 'p' }) as never;
    const inFlight = sender.client.deliver('UPDATE_PROGRESS', progress(1));
    await until(() => expect(first.sentTypes).toContain('UPDATE_PROGRESS'));
    const id = first.frames.find((frame) => frame.type === 'UPDATE_PROGRESS')!.id!;

    old!.window.dispatchEvent(new Event('pagehide'));
    old!.client.close();
    await until(() => expect(sender.client.getSnapshot().state).not.toBe('connected'));
    const meanwhile = sender.client.deliver('UPDATE_PROGRESS', progress(2));
    await until(() => expect(gateway.count).toBe(2));
    const second = gateway.last;
    second.establish({ cursor: 'c0', resumed: true });
    await until(() => expect(second.frames.filter((frame) => frame.type === 'UPDATE_PROGRESS')).toHaveLength(2));
    const [again, next] = second.frames.filter((frame) => frame.type === 'UPDATE_PROGRESS');
    expect(again!.id).toBe(id);
    expect((next!.payload as { processedCount: number }).processedCount).toBe(2);
    second.receives(id, true);
    second.receives(next!.id!);
    await expect(inFlight).resolves.toEqual({ id, duplicate: true, confirmed: true });
    await expect(meanwhile).resolves.toMatchObject({ confirmed: true, duplicate: false });
  });

  it('takes the lock over from a frozen leader; the leader, thawed, steps down and nothing arrives twice', async () => {
    const { bus, gateway, tabs } = await running(2);
    const first = gateway.last;
    first.serverSends(event(1));
    await until(() => tabs.forEach((tab) => expect(tab.events).toEqual(['e1'])));

    const [frozen] = leaderOf(tabs);
    const other = tabs.find((tab) => tab !== frozen)!;
    frozen!.channel.frozen = true;
    // The user looks at the other tab: its leader does not answer, it takes over and connects itself.
    other.document.dispatchEvent(new Event('visibilitychange'));
    await until(() => expect(other.hub.isLeader).toBe(true));
    await until(() => expect(gateway.count).toBe(2));
    const second = gateway.last;
    expect(second.params.get('cursor')).toBe('c1');
    second.establish({ cursor: 'c1', resumed: true });
    second.serverSends(event(2));
    await until(() => expect(other.events).toEqual(['e1', 'e2']));

    // The frozen tab's socket still had e2 queued; thawed, it relays it to nobody and steps down.
    first.serverSends(event(2));
    bus.thaw(frozen!.channel);
    await until(() => expect(frozen!.hub.isLeader).toBe(false));
    await until(() => expect(first.closed).toBe(true));
    await until(() => expect(frozen!.client.getSnapshot().state).toBe('connected'));
    second.serverSends(event(3));
    await until(() => tabs.forEach((tab) => expect(tab.events).toEqual(ids(1, 3))));
    expect(gateway.count).toBe(2);
  });

  it('a tab opened while the leader is frozen gets no answer and takes the lock over', async () => {
    const { gateway, open, tabs } = await running(1);
    const [frozen] = tabs;
    frozen!.channel.frozen = true;
    const late = open();
    await until(() => expect(late.hub.isLeader).toBe(true));
    await until(() => expect(gateway.count).toBe(2));
    gateway.last.establish({ cursor: 'c0' });
    await connected([late]);
  });

  it('a leader whose tab is frozen (the freeze event) gives the lock up, and is a candidate again on resume', async () => {
    const { gateway, tabs } = await running(2);
    const first = gateway.last;
    const [leader] = leaderOf(tabs);
    const other = tabs.find((tab) => tab !== leader)!;
    leader!.document.dispatchEvent(new Event('freeze'));
    await until(() => expect(first.closed).toBe(true));
    await until(() => expect(other.hub.isLeader).toBe(true));
    expect(leader!.hub.isLeader).toBe(false);
    leader!.document.dispatchEvent(new Event('resume'));
    await until(() => expect(gateway.count).toBe(2));
    gateway.last.establish({ cursor: 'c0' });
    await connected(tabs);
    // The resumed tab queued up again: it leads once the other goes away.
    other.window.dispatchEvent(new Event('pagehide'));
    await until(() => expect(leader!.hub.isLeader).toBe(true));
  });

  it('a tab giving the connection up before it is established ends the attempt for all: no connection stays stuck', async () => {
    const { gateway, open, tabs } = browser();
    open();
    open();
    await until(() => expect(gateway.count).toBe(1));
    const stuck = gateway.last;
    tabs[0]!.client.close();
    await until(() => expect(stuck.closed).toBe(true));
    await until(() => expect(tabs[1]!.client.getSnapshot().lastCloseCode).toBe(CloseCode.ABNORMAL));
    await until(() => expect(gateway.count).toBe(2));
    gateway.last.establish({ cursor: 'c0' });
    await connected([tabs[1]!]);
  });

  it('the leader\'s tab keeps relaying for the others when its own client closes (the app signed out in that tab only)', async () => {
    const { gateway, tabs } = await running(2);
    const [leader] = leaderOf(tabs);
    const other = tabs.find((tab) => tab !== leader)!;
    leader!.client.close();
    // The leader probes the connection once a tab leaves; the gateway answers.
    await until(() => expect(gateway.last.sentTypes).toContain('PING'));
    gateway.last.serverSends({ type: 'PONG', data: { cursor: 'c0' } });
    gateway.last.serverSends(event(1));
    await until(() => expect(other.events).toEqual(['e1']));
    expect(leader!.events).toEqual([]);
    expect(gateway.count).toBe(1);
    expect(gateway.last.closed).toBe(false);
  });

  it('a tab leaving makes the leader probe the connection: no answer closes it for all, who reconnect', async () => {
    const { gateway, tabs } = await running(3, { probeTimeoutMs: 100 });
    const dead = gateway.last;
    const leaving = tabs.find((tab) => !tab.hub.isLeader)!;
    leaving.client.close();
    await until(() => expect(dead.sentTypes).toContain('PING'));
    // The gateway does not answer (a dead TCP connection the OS still calls open).
    await until(() => expect(dead.closed).toBe(true));
    const rest = tabs.filter((tab) => tab !== leaving);
    await until(() => expect(rest.map((tab) => tab.client.getSnapshot().lastCloseCode)).toEqual([CloseCode.ABNORMAL, CloseCode.ABNORMAL]));
    await until(() => expect(gateway.count).toBe(2));
    gateway.last.establish({ cursor: 'c0', resumed: true });
    await connected(rest);
  });

  it('sends a tab the frames it missed again when it notices the gap', async () => {
    const { bus, gateway, tabs } = await running(2);
    const follower = tabs.find((tab) => !tab.hub.isLeader)!;
    bus.drop = { to: follower.channel, type: 'frame' };
    for (let n = 1; n <= 4; n++) gateway.last.serverSends(event(n));
    await until(() => tabs.forEach((tab) => expect(tab.events).toEqual(ids(1, 4))));
    expect(follower.client.getSnapshot().stats.duplicates).toBe(0);
  });

  it('a tab opened later gets the current connection, and the events after its own cursor when the leader still has them', async () => {
    const { gateway, open, tabs } = await running(1);
    for (let n = 1; n <= 3; n++) gateway.last.serverSends(event(n));
    await until(() => expect(tabs[0]!.events).toEqual(ids(1, 3)));
    const late = open();
    await connected([late]);
    expect(late.client.getSnapshot().cursor).toBe('c3');
    gateway.last.serverSends(event(4));
    await until(() => expect(late.events).toEqual(['e4']));
    expect(gateway.count).toBe(1);
  });

  it('a reloaded tab resumes after its stored cursor from the frames the leader kept', async () => {
    const { gateway, open, tabs } = await running(1);
    for (let n = 1; n <= 4; n++) gateway.last.serverSends(event(n));
    await until(() => expect(tabs[0]!.events).toEqual(ids(1, 4)));
    const reloaded = open({ cursor: 'c2' });
    await connected([reloaded]);
    await until(() => expect(reloaded.events).toEqual(['e3', 'e4']));
    expect(reloaded.client.getSnapshot().resumed).toBe(true);

    // Across a reconnect of the shared connection too.
    gateway.last.serverCloses(1012, 'draining');
    await until(() => expect(gateway.count).toBe(2));
    gateway.last.establish({ cursor: 'c4', resumed: true });
    gateway.last.serverSends(event(5));
    await until(() => tabs.slice(0, 2).forEach((tab) => expect(tab.events.at(-1)).toBe('e5')));
    const again = open({ cursor: 'c3' });
    await connected([again]);
    await until(() => expect(again.events).toEqual(['e4', 'e5']));
  });

  it('tells a tab whose missed frames the leader no longer has to resync', async () => {
    const onResync = vi.fn();
    const { bus, gateway, tabs } = await running(2, { relayBuffer: 2 });
    const follower = tabs.find((tab) => !tab.hub.isLeader)!;
    follower.client.onAny((_data, message) => message.type === 'RESYNC_REQUIRED' && onResync(message.data));
    bus.drop = { to: follower.channel, type: 'frame' };
    for (let n = 1; n <= 5; n++) gateway.last.serverSends(event(n));
    await until(() => expect(onResync).toHaveBeenCalledWith(expect.objectContaining({ cursor: 'c5' })));
    gateway.last.serverSends(event(6));
    await until(() => expect(follower.events).toEqual(['e6']));
    expect(follower.client.getSnapshot().state).toBe('connected');
  });

  it('routes ERROR UNAVAILABLE to the tab that sent the id, writes one PONG per server PING, and paces the tabs\' frames', async () => {
    const { gateway, tabs } = await running(3);
    const socket = gateway.last;
    const writes = writeTimes(socket);

    socket.serverSends({ type: 'PING', data: {} });
    await until(() => expect(tabs.every((tab) => tab.seen.includes('PING'))).toBe(true));
    await until(() => expect(socket.sentTypes.filter((type) => type === 'PONG')).toHaveLength(1));

    const progress = { shootId: 's', status: 'processing', processedCount: 1, totalCount: 2, provider: 'p' } as never;
    // 3 tabs x 15 messages at once (each client paces only itself): over the gateway's burst, so the leader paces.
    for (const tab of tabs) for (let i = 0; i < 15; i++) tab.client.send('UPDATE_PROGRESS', progress);
    await until(() => expect(socket.sentTypes.filter((type) => type === 'UPDATE_PROGRESS')).toHaveLength(45));
    // The gateway's rate limit (20 frames/s, bursts of 40) as a token bucket over the writes: never empty.
    const lowest = lowestTokens(writes, 20, 40);
    expect(lowest).toBeGreaterThanOrEqual(0);
    console.log(`${writes.length} frames from 3 tabs: the gateway's rate-limit bucket went down to ${lowest.toFixed(1)} of 40`);

    // An ERROR naming a message's id goes to the tab that sent it; the next event, to all, shows the others passed it.
    const sender = tabs[1]!;
    sender.client.send('UPDATE_PROGRESS', progress);
    await until(() => expect(socket.sentTypes.filter((type) => type === 'UPDATE_PROGRESS')).toHaveLength(46));
    const id = socket.frames.filter((frame) => frame.type === 'UPDATE_PROGRESS').at(-1)!.id!;
    socket.serverSends({ type: 'ERROR', data: { code: 'UNAVAILABLE', reason: `progress not stored, retry with id ${id}: broker down` } });
    socket.serverSends(event(1));
    await until(() => tabs.forEach((tab) => expect(tab.events).toEqual(['e1'])));
    expect(tabs.map((tab) => tab.seen.includes('ERROR'))).toEqual([false, true, false]);
  });

  it('paces the tabs\' frames by the limits the gateway announced in CONNECTION_ESTABLISHED, not the unannounced defaults', async () => {
    const opened = browser();
    for (let i = 0; i < 3; i++) opened.open();
    await until(() => expect(opened.gateway.count).toBe(1));
    const socket = opened.gateway.last;
    const writes = writeTimes(socket);
    // A gateway configured far below its defaults: 4 frames/s, bursts of 8.
    socket.establish({ cursor: 'c0', inboundRate: 4, inboundBurst: 8 });
    await connected(opened.tabs);
    const progress = { shootId: 's', status: 'processing', processedCount: 1, totalCount: 2, provider: 'p' } as never;
    for (const tab of opened.tabs) for (let i = 0; i < 4; i++) tab.client.send('UPDATE_PROGRESS', progress);
    await until(() => expect(socket.sentTypes.filter((type) => type === 'UPDATE_PROGRESS')).toHaveLength(12));
    // That gateway's bucket over every write (PONGs and ACKs too): never empty.
    const lowest = lowestTokens(writes, 4, 8);
    console.log(`${writes.length} frames from 3 tabs over ${writes.at(-1)! - writes[0]!} ms: the announced bucket (4/s, 8) went down to ${lowest.toFixed(1)} of 8`);
    expect(lowest).toBeGreaterThanOrEqual(0);
  });

  it('writes only ACKs further on in the relayed stream than the last one written', async () => {
    // One tab and no client: the test writes the frames itself.
    const gateway = fakeSocketFactory();
    const hub = new TabHub({ name: NAME, locks: new FakeLocks(), channel: new FakeBus().channel(), connect: gateway.create,
      unannounced: UNANNOUNCED_GATEWAY_LIMITS });
    const socket = hub.socket(`${URL_BASE}?token=user-1:device-1&cursor=c0`);
    await until(() => expect(gateway.count).toBe(1));
    gateway.last.establish({ cursor: 'c0' });
    for (let n = 1; n <= 5; n++) gateway.last.serverSends(event(n));
    await until(() => expect(socket.readyState).toBe(1));
    const ack = (cursor: string) => socket.send(JSON.stringify({ type: 'ACK', payload: { cursor } }));
    ack('c5');
    ack('c2'); // a slower tab's throttle fired late
    ack('c5');
    ack('unknown'); // not among the frames kept: written
    socket.send('{"type":"PING"}');
    await until(() => expect(gateway.last.sentTypes).toContain('PING'));
    expect(gateway.last.acks).toEqual(['c5', 'unknown']);
    socket.close();
  });

  it('keys the connection by gateway endpoint, user and device: other users and other gateways do not share', () => {
    const url = (token: string, base = URL_BASE) => `${base}?token=${encodeURIComponent(token)}&cursor=acked&refusal=close`;
    const alice = jwt(Date.now() + 60_000, { sub: 'alice', device: 'laptop', jti: '1' });
    const aliceAgain = jwt(Date.now() + 90_000, { sub: 'alice', device: 'laptop', jti: '2' });
    const bob = jwt(Date.now() + 60_000, { sub: 'bob', device: 'laptop' });
    const alicePhone = jwt(Date.now() + 60_000, { sub: 'alice', device: 'phone' });
    expect(connectionName(url(alice))).toBe(connectionName(url(aliceAgain)));
    expect(new Set([url(alice), url(bob), url(alicePhone), url(alice, 'wss://other.example.com/ws')].map(connectionName)).size).toBe(4);
  });

  it('is the default only in a browser that can share, and not with shareTabs: false or an own createSocket', async () => {
    expect(tabSharing({ url: URL_BASE })).toBeUndefined(); // Node: no document, no navigator.locks
    const g = globalThis as Record<string, unknown>;
    const saved = { document: g.document, navigator: g.navigator, WebSocket: g.WebSocket };
    const gateway = fakeSocketFactory();
    try {
      Object.defineProperty(globalThis, 'navigator', { value: { locks: new FakeLocks() }, configurable: true });
      g.document = new EventTarget();
      g.window = new EventTarget();
      g.WebSocket = function WebSocket(url: string) {
        return gateway.create(url);
      };
      expect(tabSharing({ url: URL_BASE, shareTabs: false })).toBeUndefined();
      expect(tabSharing({ url: URL_BASE, createSocket: gateway.create })).toBeUndefined();
      const create = tabSharing({ url: URL_BASE })!;
      expect(create).toBeTypeOf('function');
      const socket = create(`${URL_BASE}?token=user-9:device-9`);
      expect(socket.readyState).toBe(0);
      // The chunk loads, the tab elects itself and opens the real socket.
      await until(() => expect(gateway.count).toBe(1));
      socket.close();
      await until(() => expect(gateway.last.closed).toBe(true));
    } finally {
      Object.defineProperty(globalThis, 'navigator', { value: saved.navigator, configurable: true });
      g.document = saved.document;
      g.WebSocket = saved.WebSocket;
      delete g.window;
    }
  });
});
