import { jwtClaims } from './policy.js';

/**
 * Where the client keeps the cursor of the last event its handlers processed, between page loads or app
 * launches. Each method may return a promise (React Native's AsyncStorage, IndexedDB) or not (web storage).
 * Keys identify gateway, user and device (see `cursorKey`); a store never parses the cursor.
 */
export interface CursorStore {
  load(key: string): string | null | undefined | Promise<string | null | undefined>;
  save(key: string, cursor: string): void | Promise<void>;
  clear(key: string): void | Promise<void>;
}

/** A store in memory: for Node, tests, or several clients of one process sharing cursors (pass the same one). */
export function memoryCursorStore(): CursorStore {
  const cursors = new Map<string, string>();
  return {
    load: (key) => cursors.get(key),
    save: (key, cursor) => void cursors.set(key, cursor),
    clear: (key) => void cursors.delete(key),
  };
}

/**
 * The browser's storage: each save goes to `sessionStorage` (this tab's own, so a reload resumes exactly where
 * this tab was even when another tab of the same device is further on) and to `localStorage` (the device's
 * latest, for a new tab or a relaunch); load prefers the tab's own. Undefined where there is no web storage
 * (Node, React Native) or it is disabled; write failures (quota, privacy mode) are ignored.
 */
export function webStorageCursorStore(): CursorStore | undefined {
  const tab = storage('sessionStorage');
  const device = storage('localStorage');
  if (!tab && !device) return undefined;
  const each = (fn: (store: Storage) => void) => [tab, device].forEach((store) => {
    try {
      if (store) fn(store);
    } catch {
      // full or disabled: the cursor is kept in memory and the cluster's acknowledged one remains
    }
  });
  return {
    load: (key) => {
      try {
        return tab?.getItem(key) ?? device?.getItem(key);
      } catch {
        return undefined;
      }
    },
    save: (key, cursor) => each((store) => store.setItem(key, cursor)),
    clear: (key) => each((store) => store.removeItem(key)),
  };
}

function storage(name: 'sessionStorage' | 'localStorage'): Storage | undefined {
  try {
    return (globalThis as { [key in typeof name]?: Storage })[name];
  } catch {
    return undefined; // reading it throws where storage is blocked
  }
}

/**
 * The default key: `kull-sync-cursor:<gateway url without query>:<userId>:<deviceId>`, the ids taken from the token
 * (a JWT's `sub` and `device`, or a dev token `user:device`); `-` where the token does not say.
 */
export function cursorKey(url: string, token: string | undefined): string {
  const { userId, deviceId } = tokenIds(token);
  const endpoint = url.split('?')[0];
  return `kull-sync-cursor:${endpoint}:${userId ?? '-'}:${deviceId ?? '-'}`;
}

/** The user and device a token names: a JWT's `sub` and `device`, or the seeds' dev token `user[:device]`. */
export function tokenIds(token: string | undefined): { userId?: string; deviceId?: string } {
  if (!token) return {};
  if (token.split('.').length !== 3) {
    const [userId, deviceId] = token.split(':');
    return { userId, deviceId };
  }
  const claims = jwtClaims(token) ?? {};
  return { userId: stringOr(claims.sub), deviceId: stringOr(claims.device) };
}

const stringOr = (value: unknown) => (typeof value === 'string' ? value : undefined);
