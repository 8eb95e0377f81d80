// CloseCode, DEFAULT_CLOSE_POLICY and FALLBACK_ACTION are generated from common-events' close-codes.json.
export { CloseCode, DEFAULT_CLOSE_POLICY, FALLBACK_ACTION } from './generated/close-codes.js';

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

/**
 * A JWT's claims (not verified: the gateway does that), or undefined for a token that is not a JWT. The one decoder
 * of the SDK, the React bindings and the console.
 */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    // base64url of UTF-8 JSON: atob gives one char per byte, TextDecoder reads them as UTF-8 (a non-ASCII `sub`).
    const bytes = Uint8Array.from(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return claims && typeof claims === 'object' ? claims as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
