// The live event log: every message the SDK dispatches (events and control frames) and every connection state
// change, in arrival order, bounded. Pure data and filters here; the view is EventLog.tsx.
import { messagePayload, type StateChange, type SyncMessage } from '@kull/sync-client';
import { CONTROL_TYPES } from '@kull/sync-client/contract';

export type EntryKind = 'event' | 'control' | 'connection';

export interface LogEntry {
  seq: number;
  /** Receive time (epoch ms, this browser's clock). */
  at: number;
  kind: EntryKind;
  type: string;
  eventId: string | undefined;
  cursor: string | undefined;
  /** The pod this tab was connected to when it arrived. */
  pod: string | undefined;
  summary: string;
}

/** Types hidden until the user asks for them: keep-alives would bury everything else. */
export const HIDDEN_BY_DEFAULT = ['PING', 'PONG'];

const shortCursor = (cursor: string | undefined) => (cursor && cursor.length > 24 ? `${cursor.slice(0, 10)}…${cursor.slice(-10)}` : cursor);

function summarize(type: string, data: Record<string, unknown>): string {
  const d = (key: string) => data[key];
  switch (type) {
    case 'CREDIT_UPDATE':
      return `balance ${d('newBalance')} (${Number(d('change')) > 0 ? '+' : ''}${d('change')}) ${d('reason') ?? ''}`;
    case 'SHOOT_PROGRESS':
      return `${d('shootId')} ${d('status')} ${d('processedCount')}/${d('totalCount')}${d('currentImage') ? ` ${d('currentImage')}` : ''}`;
    case 'PROMPT_CHANGE':
      return `${d('promptId')} ${d('action')}`;
    case 'DEVICE_CONNECTED':
    case 'DEVICE_DISCONNECTED':
      return `${d('deviceName') ?? d('deviceId')} (${d('platform')}) on ${d('pod') ?? '?'}`;
    case 'CONNECTION_ESTABLISHED':
      return `pod ${d('pod')}, device ${d('deviceId')}${d('resumed') ? ', resumed' : ''}`;
    case 'PENDING_CHECK_COMPLETE':
      return `${d('delivered') ?? 0} replayed`;
    case 'ERROR':
      return `${d('code')}: ${d('reason')}`;
    case 'RESYNC_REQUIRED':
      return String(d('reason') ?? '');
    case 'SUBSCRIBED':
    case 'UNSUBSCRIBED':
      return `org ${d('orgId')}`;
    default: {
      if (typeof d('jobId') === 'string') return `${d('orgId') ?? ''} job ${d('jobId')} ${d('message') ?? ''}`.trim();
      const text = JSON.stringify(data);
      return text.length > 120 ? `${text.slice(0, 120)}…` : text;
    }
  }
}

export function messageEntry(seq: number, message: SyncMessage, pod: string | undefined, at = Date.now()): LogEntry {
  const payload = messagePayload(message);
  const data = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const cursor = message.cursor ?? (typeof data.cursor === 'string' ? data.cursor : undefined);
  return {
    seq,
    at,
    kind: CONTROL_TYPES.includes(message.type) ? 'control' : 'event',
    type: message.type,
    eventId: typeof message.id === 'string' ? message.id : undefined,
    cursor: shortCursor(cursor),
    pod,
    summary: summarize(message.type, data),
  };
}

export function stateEntry(seq: number, change: StateChange, pod: string | undefined, at = Date.now()): LogEntry {
  const code = change.closeCode !== undefined ? ` (close ${change.closeCode})` : '';
  const retry = change.retryInMs !== undefined ? `, retry in ${Math.round(change.retryInMs)} ms` : '';
  return { seq, at, kind: 'connection', type: change.state, eventId: undefined, cursor: undefined, pod, summary: `${change.reason}${code}${retry}` };
}

export interface LogFilter {
  /** Types not shown (message types, or connection states for connection entries). */
  hiddenTypes: ReadonlySet<string>;
  showConnection: boolean;
  /** Case-insensitive text searched in type, summary, event id and pod. */
  text: string;
}

export function matches(entry: LogEntry, filter: LogFilter): boolean {
  if (entry.kind === 'connection') {
    if (!filter.showConnection) return false;
  } else if (filter.hiddenTypes.has(entry.type)) {
    return false;
  }
  const needle = filter.text.trim().toLowerCase();
  if (!needle) return true;
  return [entry.type, entry.summary, entry.eventId ?? '', entry.pod ?? ''].some((field) => field.toLowerCase().includes(needle));
}

/** An append-only log with a bound (the oldest entries go first), observable by React's useSyncExternalStore. */
export class EventLogStore {
  private entries: LogEntry[] = [];
  private readonly listeners = new Set<() => void>();
  private seq = 0;
  private dropped = 0;

  constructor(private readonly capacity = 5000) {}

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getEntries = (): readonly LogEntry[] => this.entries;

  /** Entries dropped from the front over the bound. */
  get droppedCount(): number {
    return this.dropped;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  add(entry: LogEntry): void {
    const full = this.entries.length >= this.capacity;
    if (full) this.dropped++;
    const next = this.entries.slice(full ? 1 : 0);
    next.push(entry);
    this.entries = next;
    this.listeners.forEach((listener) => listener());
  }

  clear(): void {
    this.entries = [];
    this.listeners.forEach((listener) => listener());
  }
}
