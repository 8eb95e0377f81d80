// What the console shows about a token. Nothing here is trusted: the gateway verifies every token; this only
// decodes a JWT's claims (without checking the signature) or splits the seeds' raw dev token, to label the page.

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

function base64UrlJson(part: string): Record<string, unknown> | undefined {
  try {
    const padded = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=');
    const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : typeof value === 'string' ? [value] : [];

export function parseToken(raw: string): TokenInfo {
  const token = raw.trim();
  const parts = token.split('.');
  if (parts.length !== 3) {
    const colon = token.indexOf(':');
    return {
      kind: 'dev',
      userId: (colon < 0 ? token : token.slice(0, colon)) || undefined,
      deviceId: colon < 0 ? undefined : token.slice(colon + 1) || undefined,
      groups: [],
      expiresAt: undefined,
      orgs: [],
    };
  }
  const claims = base64UrlJson(parts[1]!) ?? {};
  return {
    kind: 'jwt',
    userId: typeof claims.sub === 'string' ? claims.sub : undefined,
    deviceId: typeof claims.device === 'string' ? claims.device : undefined,
    groups: strings(claims.groups),
    expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : undefined,
    orgs: strings(claims.orgs),
  };
}
