// Deliveries/s and sessions per pod over the last minutes, from successive polls of GET /api/admin/pods: each
// pod reports a deliveries counter since its start, so the rate is the counter's difference between two polls
// of the same pod run (a restarted pod starts a new run: its first poll gives no rate).
import type { Pod } from './admin.js';

export interface Point {
  at: number;
  value: number;
}

export interface PodSeries {
  podId: string;
  sessions: Point[];
  deliveriesPerSecond: Point[];
  /** The last poll's counter and its pod run (startedAt), to compute the next rate. */
  last?: { at: number; total: number; startedAt: number };
}

export type History = ReadonlyMap<string, PodSeries>;

/** Keeps this much history (ms). */
export const WINDOW_MS = 5 * 60_000;

export function addPoll(history: History, pods: readonly Pod[], at: number, windowMs = WINDOW_MS): History {
  const next = new Map<string, PodSeries>();
  const since = at - windowMs;
  const trim = (points: Point[]) => points.filter((p) => p.at >= since);
  for (const [podId, series] of history) {
    const sessions = trim(series.sessions);
    if (sessions.length) next.set(podId, { ...series, sessions, deliveriesPerSecond: trim(series.deliveriesPerSecond) });
  }
  for (const pod of pods) {
    const before = next.get(pod.podId);
    const series: PodSeries = before
      ? { ...before, sessions: [...before.sessions], deliveriesPerSecond: [...before.deliveriesPerSecond] }
      : { podId: pod.podId, sessions: [], deliveriesPerSecond: [] };
    series.sessions.push({ at, value: pod.sessions });
    const last = series.last;
    if (last && last.startedAt === pod.startedAt && at > last.at && pod.deliveriesTotal >= last.total) {
      series.deliveriesPerSecond.push({ at, value: ((pod.deliveriesTotal - last.total) * 1000) / (at - last.at) });
    }
    series.last = { at, total: pod.deliveriesTotal, startedAt: pod.startedAt };
    next.set(pod.podId, series);
  }
  return next;
}
