import type { CloseAction, ClosePolicy } from './types.js';

/**
 * Close codes of the gateway (`CloseCodes` in common-events). 4000-4099: reconnect and resume;
 * 4400-4599: an upgrade refused, code = 4000 + the HTTP status a non-browser client would have seen.
 */
export const CloseCode = {
  NORMAL: 1000,
  ABNORMAL: 1006,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  INTERNAL_ERROR: 1011,
  SERVICE_RESTART: 1012,
  IDLE_TIMEOUT: 4000,
  SESSION_EXPIRED: 4001,
  SLOW_CONSUMER: 4002,
  RATE_LIMITED: 4003,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  TOO_MANY_SESSIONS: 4429,
  UNAVAILABLE: 4503,
} as const;

/**
 * What the client does after each close code; the app can override any entry (`closePolicy` option).
 * A code not listed is retried with the usual backoff. A reason `retry-after=<seconds>; ...` (4429, 4503)
 * sets the earliest retry whatever the action.
 */
export const DEFAULT_CLOSE_POLICY: Readonly<ClosePolicy> = {
  // The pod drains (1012), or the session idled out or reached its lifetime: reconnect at once, with a
  // jitter so a drained pod's sessions do not all land on the next pod in the same millisecond.
  [CloseCode.SERVICE_RESTART]: { kind: 'reconnect-now', maxJitterMs: 1000 },
  [CloseCode.IDLE_TIMEOUT]: { kind: 'reconnect-now', maxJitterMs: 1000 },
  [CloseCode.SESSION_EXPIRED]: { kind: 'reconnect-now', maxJitterMs: 1000 },
  // Read too slowly: what was not delivered comes back through resume.
  [CloseCode.SLOW_CONSUMER]: { kind: 'reconnect-now', maxJitterMs: 1000 },
  // Sent too fast: a buggy send loop must not become a reconnect loop.
  [CloseCode.RATE_LIMITED]: { kind: 'backoff', floorMs: 5000 },
  // The message that was too big is never sent again (send() does not retry sent messages).
  [CloseCode.MESSAGE_TOO_BIG]: { kind: 'reconnect-now', maxJitterMs: 1000 },
  [CloseCode.POLICY_VIOLATION]: { kind: 'refresh-token' },
  [CloseCode.UNAUTHORIZED]: { kind: 'refresh-token' },
  [CloseCode.FORBIDDEN]: { kind: 'fail' },
  [CloseCode.TOO_MANY_SESSIONS]: { kind: 'reconnect' },
  [CloseCode.UNAVAILABLE]: { kind: 'reconnect' },
};

export const FALLBACK_ACTION: CloseAction = { kind: 'reconnect' };

/** The retry hint of a refusal's close reason (`retry-after=<seconds>; words`), in ms. */
export function retryAfterMs(reason: string | undefined): number | undefined {
  const match = /^retry-after=(\d+)/.exec(reason ?? '');
  return match ? Number(match[1]) * 1000 : undefined;
}

/** Full jitter: uniform in [0, min(max, min * 2^attempt)] (AWS architecture blog, "Exponential Backoff And Jitter"). */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

/** The `exp` claim of a JWT in ms, or undefined for a token that is not a JWT (e.g. the dev `user:device`). */
export function tokenExpiry(token: string): number | undefined {
  const exp = jwtClaims(token)?.exp;
  return typeof exp === 'number' ? exp * 1000 : undefined;
}

/** A JWT's claims (not verified: the gateway does that), or undefined for a token that is not a JWT. */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims: unknown = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')));
    return claims && typeof claims === 'object' ? claims as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
