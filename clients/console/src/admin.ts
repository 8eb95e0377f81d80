// The gateway's admin API (docs/admin-api.md): read-only answers for an operator with the admin role. Types
// follow the documented shapes; fields the console does not show are left out.
import { callJson, type Answer } from './http.js';

export interface ReplayWindow {
  records: number;
  bytes: number;
  oldestAgeSeconds: number;
}

export interface Pod {
  podId: string;
  version: string;
  startedAt: number;
  uptimeSeconds: number;
  draining: boolean;
  sessions: number;
  replayWindow: ReplayWindow;
  consumerLag: number;
  deliveriesTotal: number;
  lastHeartbeatAt: number;
}

export interface Session {
  podId: string;
  sessionId: string;
  deviceId: string;
  platform: string;
  endpoint: string;
  connectedAt: number;
  resumed: boolean;
  cursor: string;
  pendingBytes: number;
  rateLimitHits: number;
  lastFrameInAt: number;
  lastFrameOutAt: number;
  /** The device's acknowledged cursor (ACK), absent when none is kept; ackedAt: when its ACK arrived. */
  ackedCursor?: string | null;
  ackedAt?: number | null;
}

/** A device of the user with an acknowledged cursor, connected or not. */
export interface AckedDevice {
  deviceId: string;
  ackedCursor: string;
  ackedAt: number;
}

export interface ClosedSession {
  podId: string;
  sessionId: string;
  userId?: string;
  deviceId: string;
  platform: string;
  connectedAt: number;
  closedAt: number;
  code: number;
  reason: string;
}

export interface UserAnswer {
  userId: string;
  partial: boolean;
  podsAsked: string[];
  podsAnswered: string[];
  sessions: Session[];
  recentlyClosed: ClosedSession[];
  /** Absent from gateways older than issue 22. */
  devices?: AckedDevice[];
}

export type TraceOutcome =
  | 'DELIVERED' | 'SKIPPED_TARGET_DEVICE' | 'SKIPPED_ORIGIN' | 'DROPPED_OVER_BOUND' | 'NO_SESSION' | 'SKIPPED_SEEN_BEFORE' | 'SKIPPED_NOT_ADMIN'
  | 'QUEUED_BEHIND_REPLAY';

export interface TraceEntry {
  podId: string;
  eventId: string;
  type: string;
  topic: string;
  partition: number;
  offset: number;
  cursor: string;
  recordTimestamp: number;
  routedAt: number;
  outcome: TraceOutcome;
  sessionIds: string[];
  /** DELIVERED entries: whether every device it reached acknowledged a cursor past it. */
  acknowledged?: boolean | null;
}

export interface TraceAnswer {
  userId: string;
  active: boolean;
  expiresAt: number | null;
  partial: boolean;
  entries: TraceEntry[];
}

export interface EventAnswer {
  eventId: string;
  found: boolean;
  topic?: string;
  partition?: number;
  offset?: number;
  type?: string;
  userId?: string;
  recordTimestamp?: number;
  partial?: boolean;
  /** The pods whose replay window holds it, with the sessions it reached there. */
  pods?: { podId: string; sessionsReached: number }[];
}

export class AdminApi {
  constructor(private readonly base: string, private readonly token: string) {}

  private url(path: string): string {
    return `${this.base.replace(/\/$/, '')}/api/admin${path}`;
  }

  pods(signal?: AbortSignal): Promise<Answer<{ pods: Pod[] }>> {
    return callJson(this.url('/pods'), { token: this.token, signal });
  }

  user(userId: string, signal?: AbortSignal): Promise<Answer<UserAnswer>> {
    return callJson(this.url(`/users/${encodeURIComponent(userId)}`), { token: this.token, signal });
  }

  startTrace(userId: string, seconds: number): Promise<Answer<{ userId: string; expiresAt: number }>> {
    return callJson(this.url(`/users/${encodeURIComponent(userId)}/trace`), { method: 'POST', token: this.token, body: { seconds } });
  }

  trace(userId: string, signal?: AbortSignal): Promise<Answer<TraceAnswer>> {
    return callJson(this.url(`/users/${encodeURIComponent(userId)}/trace`), { token: this.token, signal });
  }

  event(eventId: string): Promise<Answer<EventAnswer>> {
    return callJson(this.url(`/events/${encodeURIComponent(eventId)}`), { token: this.token });
  }
}
