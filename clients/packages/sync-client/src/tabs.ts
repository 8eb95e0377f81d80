import type { SocketFactory, SocketLike } from './types.js';

// One connection for all tabs of an app (the package README, "One connection for all tabs"). Each tab's SyncClient keeps its own state
// machine, handlers, outbox and cursor; only the socket is shared. One tab, the leader (it holds a Web Lock named
// after the gateway endpoint, user and device), owns the WebSocket; every tab's client gets a TabSocket that
// behaves like a WebSocket: its frames go to the leader over a BroadcastChannel and the leader relays every frame
// it receives to all of them, numbered, so a tab that missed some asks for them again. When the leader's tab goes
// away, the next tab in the lock's queue leads; every tab's socket closes with HANDOVER_CLOSE_CODE and its client
// reconnects through the new leader from the cursor it holds, which is the last one relayed: nothing is lost,
// and a replayed event is skipped by its id as after any reconnect.

const OPEN = 1;
const CLOSED = 3;
/** What a tab's socket is closed with when the shared connection moves to another tab: reconnect and resume. */
export const HANDOVER_CLOSE_CODE = 1001;
/**
 * CloseCode.ABNORMAL, what a tab's socket reports when the shared connection was lost. A literal rather than an
 * import: any import from the core would split the core into two chunks; tabs.test.ts checks it against CloseCode.
 */
const ABNORMAL_CLOSE_CODE = 1006;
/** A tab whose leader does not answer within this long takes the lock over (the leader's tab is frozen). */
const LEADER_TIMEOUT_MS = 3_000;
/** After a tab gave its socket up, the leader pings the gateway: no frame within this long ends the connection. */
const PROBE_TIMEOUT_MS = 5_000;
/** Frames the leader keeps to send again to a tab that missed some (as many as a client's dedupe window). */
const RELAY_BUFFER = 1_000;
/**
 * The leader writes the tabs' frames at most at these shares of the gateway's inbound rate and burst (as it announces
 * them in CONNECTION_ESTABLISHED), so that writes bunched up on the way never empty the gateway's bucket.
 */
const WRITE_RATE_SHARE = 0.9;
const WRITE_BURST_SHARE = 0.75;

/** The gateway's inbound limits: frames per second and burst. */
export interface InboundLimits {
  inboundRate: number;
  inboundBurst: number;
}

/** What the hub needs of `navigator.locks` (the Web Locks API). */
export interface LockManagerLike {
  request(name: string, options: { steal?: boolean; signal?: AbortSignal }, callback: () => Promise<void>): Promise<unknown>;
}

/** What the hub needs of a BroadcastChannel. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  onmessage: ((event: any) => void) | null;
}

interface EventSource {
  addEventListener(type: string, listener: () => void): void;
}

export interface TabHubOptions {
  /** The lock's and the channel's name: one per gateway endpoint, user and device. */
  name: string;
  locks: LockManagerLike;
  channel: ChannelLike;
  /** Opens the real connection (in the leader's tab). */
  connect: SocketFactory;
  /** The page (pagehide, pageshow) and its document (visibilitychange, freeze, resume); absent in tests. */
  window?: EventSource;
  document?: EventSource & { visibilityState?: string };
  leaderTimeoutMs?: number;
  probeTimeoutMs?: number;
  /** Relayed frames kept for tabs that missed some; default RELAY_BUFFER (tests make it small). */
  relayBuffer?: number;
  /** The limits to pace by where the gateway does not announce its own (UNANNOUNCED_GATEWAY_LIMITS, from share.ts). */
  unannounced: InboundLimits;
}

/** A message between tabs. `from` is the posting hub; `member` the tab socket it concerns. */
interface Note {
  t: 'leader' | 'hello' | 'welcome' | 'send' | 'bye' | 'frame' | 'close' | 'resend' | 'ping' | 'pong';
  from: string;
  member?: string;
  /** frame, close: only for these members (all when absent). */
  to?: string[];
  /** pong: the hub that pinged. */
  hub?: string;
  url?: string;
  data?: string;
  frames?: string[];
  seq?: number;
  next?: number;
  code?: number;
  reason?: string;
  /** frame: the cursor it carries. */
  cursor?: string;
}

interface Relayed {
  seq: number;
  data: string;
  cursor: string | undefined;
  to: string[] | undefined;
}

type Message = { type?: unknown; id?: unknown; cursor?: unknown; orgId?: unknown; data?: any; payload?: any };

/** The election, the relay and (while leading) the real connection of one connection key, in one tab. */
export class TabHub {
  readonly id = randomId();
  private readonly members = new Map<string, TabSocket>();
  private memberCount = 0;

  // ---- election
  private leading = false;
  private ticket: object | undefined;
  private queued: AbortController | undefined;
  private stealing = false;
  private release: (() => void) | undefined;
  /** pagehide or freeze: this tab may not lead until it is back. */
  private away = false;
  /** A ping to the leader is unanswered. */
  private pinged = false;
  private leaderTimer: ReturnType<typeof setTimeout> | undefined;

  // ---- the leader's side
  private real: SocketLike | undefined;
  /** The members using the connection, with the URL each connected with. */
  private readonly attached = new Map<string, string>();
  private established: Message | undefined;
  private seq = 0;
  private buffer: Relayed[] = [];
  private lastCursor: string | undefined;
  /** Org subscriptions by member: one SUBSCRIBE for the first, one UNSUBSCRIBE after the last. */
  private readonly orgs = new Map<string, Set<string>>();
  /** Which member wrote a message id, so its RECEIVED (or ERROR UNAVAILABLE) goes to that member only. */
  private readonly owners = new Map<string, string>();
  private pingsDue = 0;
  /** The relayed frame whose cursor was acknowledged last on this connection. */
  private ackedSeq = 0;
  private queue: string[] = [];
  /** The connection's limits: announced in its CONNECTION_ESTABLISHED, else `unannounced`. */
  private limits: InboundLimits;
  /** Writes allowed now; refilled to the burst at the first write (refilledAt 0). */
  private tokens = 0;
  private refilledAt = 0;
  private pumpTimer: ReturnType<typeof setTimeout> | undefined;
  private probeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly env: TabHubOptions) {
    this.limits = env.unannounced;
    env.channel.onmessage = (event) => this.onNote(event.data as Note);
    const away = () => this.goAway();
    const back = () => this.comeBack();
    env.window?.addEventListener('pagehide', away);
    env.window?.addEventListener('pageshow', back);
    env.document?.addEventListener('freeze', away);
    env.document?.addEventListener('resume', back);
    env.document?.addEventListener('visibilitychange', () => {
      if (env.document?.visibilityState === 'visible') this.checkLeader();
    });
  }

  /** A socket for one client connection (what SyncClient's createSocket returns). */
  socket(url: string): SocketLike {
    const member = new TabSocket(this, `${this.id}/${++this.memberCount}`, url);
    this.members.set(member.id, member);
    this.candidate();
    this.hello(member);
    return member;
  }

  /** Whether this tab holds the connection. */
  get isLeader(): boolean {
    return this.leading;
  }

  // ---- between tabs ----------------------------------------------------------------------------

  /** To every tab, this one included (a BroadcastChannel does not deliver to its sender). */
  post(note: Note): void {
    this.env.channel.postMessage(note);
    queueMicrotask(() => this.onNote(note));
  }

  private onNote(note: Note): void {
    if (this.leading) this.serve(note);
    if (note.t === 'leader') {
      if (note.from !== this.id && this.leading) this.superseded();
      this.members.forEach((member) => member.newLeader(note.from));
    } else if (note.t === 'pong') {
      if (note.hub === this.id) this.pinged = false;
    } else {
      if (note.t === 'frame' && !this.leading) this.keep(note.data!, note.cursor, note.to);
      this.members.forEach((member) => member.onNote(note));
    }
  }

  hello(member: TabSocket): void {
    this.post({ t: 'hello', from: this.id, member: member.id, url: member.url });
    this.watchLeader();
  }

  /** No answer from the leader in time (its tab is frozen, or gone without releasing yet): take the lock over. */
  watchLeader(): void {
    clearTimeout(this.leaderTimer);
    this.leaderTimer = setTimeout(() => {
      if (this.pinged || [...this.members.values()].some((member) => member.waiting())) this.steal();
    }, this.env.leaderTimeoutMs ?? LEADER_TIMEOUT_MS);
  }

  /** The tab became visible: make sure the leader still answers (a background tab may be frozen). */
  private checkLeader(): void {
    if (this.leading || this.members.size === 0) return;
    this.pinged = true;
    this.post({ t: 'ping', from: this.id });
    this.watchLeader();
  }

  forget(member: TabSocket, bye: boolean): void {
    this.members.delete(member.id);
    if (bye) this.post({ t: 'bye', from: this.id, member: member.id });
  }

  // ---- election --------------------------------------------------------------------------------

  private candidate(): void {
    if (!this.leading && !this.queued && !this.stealing && !this.away) this.request(false);
  }

  private steal(): void {
    if (this.leading || this.stealing || this.away) return;
    this.stealing = true;
    this.queued?.abort();
    this.request(true);
  }

  private request(steal: boolean): void {
    const ticket = {};
    this.ticket = ticket;
    const queued = steal ? undefined : new AbortController();
    this.queued = queued;
    const options = queued ? { signal: queued.signal } : { steal: true };
    this.env.locks.request(this.env.name, options, () => this.lead(ticket)).then(
      () => undefined,
      // Aborted by this tab (to steal), or taken over by another while leading.
      () => {
        if (this.ticket === ticket) this.superseded();
      },
    );
  }

  /** Another tab took the lock over (this one was frozen, or too slow to answer): queue up again. */
  private superseded(): void {
    this.stepDown('another tab took the shared connection over');
    this.queued = undefined;
    this.stealing = false;
    if (this.members.size > 0) this.candidate();
  }

  private lead(ticket: object): Promise<void> {
    if (ticket !== this.ticket || this.away) return Promise.resolve();
    this.queued = undefined;
    this.stealing = false;
    this.leading = true;
    this.post({ t: 'leader', from: this.id });
    return new Promise<void>((resolve) => {
      this.release = resolve;
    });
  }

  /** Stops leading: the tabs' sockets close with HANDOVER_CLOSE_CODE and reconnect through the next leader. */
  private stepDown(reason: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.ticket = undefined;
    this.release?.();
    this.release = undefined;
    this.dropReal(HANDOVER_CLOSE_CODE, reason);
  }

  private goAway(): void {
    this.away = true;
    this.queued?.abort();
    this.queued = undefined;
    this.stepDown('the tab holding the shared connection went away');
  }

  private comeBack(): void {
    this.away = false;
    if (this.members.size > 0) this.candidate();
  }

  // ---- the leader's side -----------------------------------------------------------------------

  private serve(note: Note): void {
    const member = note.member!;
    switch (note.t) {
      case 'hello':
        this.attach(member, note.url!);
        break;
      case 'send':
        if (this.attached.has(member)) this.write(member, note.data!);
        else this.post({ t: 'close', from: this.id, to: [member], code: HANDOVER_CLOSE_CODE, reason: 'not connected through this tab' });
        break;
      case 'bye':
        this.detach(member);
        break;
      case 'resend':
        this.resend(member, note.seq!);
        break;
      case 'ping':
        this.post({ t: 'pong', from: this.id, hub: note.from });
        break;
    }
  }

  /**
   * A tab's client connects. Before CONNECTION_ESTABLISHED it gets every frame; after, a CONNECTION_ESTABLISHED
   * of its own and, when its URL's cursor is among the frames kept, the frames after it (a reloaded tab resumes).
   */
  private attach(member: string, url: string): void {
    if (this.attached.has(member)) return;
    this.attached.set(member, url);
    if (!this.real) this.openReal(url);
    const frames: string[] = [];
    if (this.established) {
      const cursor = new URL(url).searchParams.get('cursor');
      const at = cursor ? this.seqOf(cursor) : undefined;
      const data = { ...this.established.data, resumed: at !== undefined, cursor: at !== undefined ? cursor : this.lastCursor };
      frames.push(JSON.stringify({ ...this.established, data }));
      if (at !== undefined) {
        // Its own CONNECTION_ESTABLISHED stands for those of connections since its cursor.
        const since = this.buffer.filter((frame) => frame.seq > at && parse(frame.data)?.type !== 'CONNECTION_ESTABLISHED');
        frames.push(...this.framesFor(member, since));
      }
    }
    this.post({ t: 'welcome', from: this.id, member, next: this.seq + 1, frames });
  }

  private detach(member: string): void {
    if (!this.attached.delete(member)) return;
    for (const [orgId, members] of this.orgs) {
      if (members.delete(member) && members.size === 0) {
        this.orgs.delete(orgId);
        this.queue.push(JSON.stringify({ type: 'UNSUBSCRIBE', payload: { orgId } }));
      }
    }
    if (this.attached.size === 0) {
      this.dropReal(1000, 'no tab uses the connection');
    } else if (!this.established) {
      // Its client gave up waiting for CONNECTION_ESTABLISHED (its connect timeout): so do the others.
      this.dropReal(ABNORMAL_CLOSE_CODE, 'a tab gave the connection up before it was established');
    } else {
      // The tab may have given its socket up as dead: make sure it is not.
      this.probe();
    }
    this.pump();
  }

  /** A member saw a gap in the frames (its tab was frozen): the frames from `from`, or a resync if they are gone. */
  private resend(member: string, from: number): void {
    if (!this.attached.has(member)) {
      this.post({ t: 'close', from: this.id, to: [member], code: HANDOVER_CLOSE_CODE, reason: 'not connected through this tab' });
      return;
    }
    const kept = from >= (this.buffer[0]?.seq ?? this.seq + 1);
    const frames = kept
      ? this.framesFor(member, this.buffer.filter((frame) => frame.seq >= from))
      : [JSON.stringify({ type: 'RESYNC_REQUIRED', data: { reason: 'this tab missed events of the connection it shares with other tabs', cursor: this.lastCursor } })];
    this.post({ t: 'welcome', from: this.id, member, next: this.seq + 1, frames });
  }

  /** The number of the last kept frame carrying this cursor. */
  private seqOf(cursor: unknown): number | undefined {
    for (let i = this.buffer.length - 1; i >= 0; i--) if (this.buffer[i]!.cursor === cursor) return this.buffer[i]!.seq;
    return undefined;
  }

  private framesFor(member: string, frames: Relayed[]): string[] {
    return frames.filter((frame) => !frame.to || frame.to.includes(member)).map((frame) => frame.data);
  }

  private openReal(url: string): void {
    let real: SocketLike;
    try {
      real = this.env.connect(url);
    } catch (failure) {
      this.dropReal(ABNORMAL_CLOSE_CODE, `socket not created: ${String(failure)}`);
      return;
    }
    this.real = real;
    real.onmessage = (event) => this.relay(real, String(event.data));
    real.onclose = (event) => {
      if (real === this.real) this.dropReal(event.code, event.reason);
    };
    real.onerror = () => undefined;
  }

  /** Ends the connection (if any) and tells every member using it, with the close code its client acts on. */
  private dropReal(code: number, reason: string): void {
    const real = this.real;
    this.real = undefined;
    if (real) {
      real.onmessage = real.onclose = real.onerror = null;
      try {
        real.close(1000, reason.slice(0, 120));
      } catch {
        // already closed
      }
    }
    [this.probeTimer, this.pumpTimer].forEach(clearTimeout);
    this.probeTimer = this.pumpTimer = undefined;
    // The relayed frames stay (numbered on): a tab reloaded across a reconnect still finds its cursor among them.
    this.established = undefined;
    this.ackedSeq = 0;
    this.queue = [];
    this.pingsDue = 0;
    this.orgs.clear();
    this.owners.clear();
    if (this.attached.size > 0) {
      this.attached.clear();
      this.post({ t: 'close', from: this.id, code, reason });
    }
  }

  /** A frame from the gateway: numbered, kept, and relayed to every member (or the one it answers). */
  private relay(real: SocketLike, data: string): void {
    if (real !== this.real) return;
    clearTimeout(this.probeTimer);
    this.probeTimer = undefined;
    const message = parse(data);
    const cursor = cursorOf(message);
    if (message?.type === 'CONNECTION_ESTABLISHED') {
      this.established = message;
      const { inboundRate = this.env.unannounced.inboundRate, inboundBurst = this.env.unannounced.inboundBurst } = message.data ?? {};
      this.limits = { inboundRate, inboundBurst };
    }
    // Every tab's client answers a PING: one PONG goes out.
    if (message?.type === 'PING') this.pingsDue++;
    const relayed = this.keep(data, cursor, this.route(message));
    this.post({ t: 'frame', from: this.id, seq: relayed.seq, data, cursor, to: relayed.to });
  }

  /**
   * Numbers and keeps a frame. Every tab keeps the frames it sees relayed too, so that after a handover the new
   * leader still has them for a tab reloaded meanwhile.
   */
  private keep(data: string, cursor: string | undefined, to: string[] | undefined): Relayed {
    const relayed = { seq: ++this.seq, data, cursor, to };
    this.buffer.push(relayed);
    if (this.buffer.length > (this.env.relayBuffer ?? RELAY_BUFFER)) this.buffer.shift();
    if (cursor) this.lastCursor = cursor;
    return relayed;
  }

  /** Who a frame is for: a RECEIVED or ERROR naming a message id goes to its writer, an org event to its subscribers. */
  private route(message: Message | undefined): string[] | undefined {
    const data = message?.data as { id?: unknown; reason?: unknown } | undefined;
    let id: unknown;
    if (message?.type === 'RECEIVED') id = data?.id;
    if (message?.type === 'ERROR') id = /with id (\S+): /.exec(String(data?.reason))?.[1];
    const owner = typeof id === 'string' ? this.owners.get(id) : undefined;
    if (owner && this.attached.has(owner)) return [owner];
    const subscribers = typeof message?.orgId === 'string' ? this.orgs.get(message.orgId) : undefined;
    return subscribers?.size ? [...subscribers] : undefined;
  }

  /** A member's frame for the gateway; lost when the connection is (its client writes it again after the reconnect). */
  private write(member: string, data: string): void {
    if (this.real?.readyState !== OPEN) return;
    const message = parse(data);
    const orgId = message?.payload?.orgId;
    if (message?.type === 'SUBSCRIBE' && typeof orgId === 'string') {
      const members = this.orgs.get(orgId) ?? new Set<string>();
      this.orgs.set(orgId, members);
      const first = members.size === 0;
      members.add(member);
      if (!first) return;
    } else if (message?.type === 'UNSUBSCRIBE' && typeof orgId === 'string') {
      const members = this.orgs.get(orgId);
      members?.delete(member);
      if (members?.size) return;
      this.orgs.delete(orgId);
    } else if (message?.type === 'ACK') {
      // The tabs process the same events and ack the same cursors, each when its throttle fires: only an ACK
      // further on in the relayed stream than the last one written goes out (one the leader does not know, too).
      const at = this.seqOf(message.payload?.cursor);
      if (at !== undefined && at <= this.ackedSeq) return;
      if (at !== undefined) this.ackedSeq = at;
    } else if (message?.type === 'PONG') {
      if (this.pingsDue === 0) return;
      this.pingsDue--;
    }
    if (typeof message?.id === 'string') {
      this.owners.set(message.id, member);
      if (this.owners.size > RELAY_BUFFER) this.owners.delete(this.owners.keys().next().value!);
    }
    this.queue.push(data);
    this.pump();
  }

  /** Writes queued frames, paced for all tabs together (each client paces only itself). */
  private pump(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    const now = Date.now();
    const rate = this.limits.inboundRate * WRITE_RATE_SHARE;
    this.tokens = Math.min(this.limits.inboundBurst * WRITE_BURST_SHARE, this.tokens + ((now - this.refilledAt) / 1000) * rate);
    this.refilledAt = now;
    while (this.queue.length > 0 && this.tokens >= 1 && this.real?.readyState === OPEN) {
      this.real.send(this.queue.shift()!);
      this.tokens--;
    }
    if (this.queue.length > 0) this.pumpTimer = setTimeout(() => this.pump(), 1000 / rate);
  }

  private probe(): void {
    if (this.probeTimer || !this.real) return;
    this.queue.push('{"type":"PING"}');
    this.pump();
    this.probeTimer = setTimeout(() => this.dropReal(ABNORMAL_CLOSE_CODE, 'the shared connection stopped answering'), this.env.probeTimeoutMs ?? PROBE_TIMEOUT_MS);
  }
}

/** What one tab's client holds: a WebSocket look-alike over the shared connection. */
export class TabSocket implements SocketLike {
  readyState = 0;
  onopen: ((event: any) => void) | null = null;
  onmessage: ((event: { data: any }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null = null;
  onerror: ((event: any) => void) | null = null;
  /** The hub that welcomed this socket; undefined while waiting for one. */
  private leader: string | undefined;
  /** The number of the next relayed frame. */
  private expect = 0;
  private resending = false;

  constructor(private readonly hub: TabHub, readonly id: string, readonly url: string) {}

  send(data: string): void {
    if (this.readyState === OPEN) this.hub.post({ t: 'send', from: this.hub.id, member: this.id, data });
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.hub.forget(this, true);
    queueMicrotask(() => this.onclose?.({ code, reason, wasClean: true }));
  }

  waiting(): boolean {
    return this.readyState !== CLOSED && (this.leader === undefined || this.resending);
  }

  newLeader(leader: string): void {
    if (this.readyState === CLOSED) return;
    if (this.leader === undefined) this.hub.hello(this);
    else if (this.leader !== leader) this.closed(HANDOVER_CLOSE_CODE, 'the shared connection moved to another tab');
  }

  onNote(note: Note): void {
    if (this.readyState === CLOSED) return;
    if (note.t === 'welcome' && note.member === this.id && (this.leader === undefined || this.leader === note.from)) {
      this.leader = note.from;
      this.resending = false;
      this.expect = note.next!;
      note.frames!.forEach((frame) => this.deliver(frame));
      return;
    }
    if (note.from !== this.leader || (note.to && !note.to.includes(this.id) && note.t !== 'frame')) return;
    if (note.t === 'close') {
      this.closed(note.code!, note.reason!);
    } else if (note.t === 'frame' && !this.resending && note.seq! >= this.expect) {
      if (note.seq! > this.expect) {
        // Frames went missing (this tab was frozen): ask for them, ignore the rest until they come.
        this.resending = true;
        this.hub.post({ t: 'resend', from: this.hub.id, member: this.id, seq: this.expect });
        this.hub.watchLeader();
        return;
      }
      this.expect++;
      if (!note.to || note.to.includes(this.id)) this.deliver(note.data!);
    }
  }

  private deliver(data: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = OPEN;
    this.onmessage?.({ data });
  }

  private closed(code: number, reason: string): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.hub.forget(this, false);
    this.onclose?.({ code, reason, wasClean: false });
  }
}

const hubs = new Map<string, TabHub>();

/**
 * A socket sharing the connection `name` (share.ts: one per gateway URL, user and device) with this browser's other
 * tabs; `connect` opens the real connection while this tab leads; `unannounced`, the limits to pace by when the gateway
 * does not announce its own. Use `shareTabs` (share.ts), which loads this.
 */
export function sharedSocket(url: string, name: string, connect: SocketFactory, unannounced: InboundLimits): SocketLike {
  let hub = hubs.get(name);
  if (!hub) {
    hub = new TabHub({ name, locks: navigator.locks, channel: new BroadcastChannel(name), connect, window, document, unannounced });
    hubs.set(name, hub);
  }
  return hub.socket(url);
}

function parse(data: string): Message | undefined {
  try {
    const message: unknown = JSON.parse(data);
    return message && typeof message === 'object' ? (message as Message) : undefined;
  } catch {
    return undefined;
  }
}

function cursorOf(message: Message | undefined): string | undefined {
  const cursor = message?.cursor ?? message?.data?.cursor;
  return typeof cursor === 'string' ? cursor : undefined;
}

function randomId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}
