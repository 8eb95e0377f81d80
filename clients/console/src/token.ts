// What the console shows about a token. Nothing here is trusted: the gateway verifies every token; the SDK's
// decoder reads a JWT's claims (without checking the signature) or splits the seeds' raw dev token, to label the page.
import { jwtClaims, tokenExpiry, tokenIds } from '@kull/sync-client';

export interface TokenInfo {
  /** `dev`: the seeds' raw `userId[:deviceId]` (accepted only by gateways with GATEWAY_AUTH_DEV_TOKENS); `jwt` otherwise. */
  kind: 'dev' | 'jwt';
  userId: string | undefined;
  deviceId: string | undefined;
  groups: string[];
  /** Expiry in epoch ms, for JWTs that carry `exp`. */
  expiresAt: number | undefined;
  orgs: string[];
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];

export function parseToken(raw: string): TokenInfo {
  const token = raw.trim();
  const claims = jwtClaims(token);
  const { userId, deviceId } = tokenIds(token);
  return {
    kind: token.split('.').length === 3 ? 'jwt' : 'dev',
    userId,
    deviceId,
    groups: strings(claims?.groups),
    expiresAt: tokenExpiry(token),
    orgs: strings(claims?.orgs),
  };
}
