import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { jwtClaims, messagePayload, tokenExpiry, tokenIds } from '../src/index.js';
import { jwt } from './fake-socket.js';
import { T0, advance, flush, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

const MIN = 60_000;

describe('tokenExpiry', () => {
  it('reads a JWT exp in ms; undefined for anything else', () => {
    expect(tokenExpiry(jwt(T0 + 5 * MIN))).toBe(T0 + 5 * MIN);
    expect(tokenExpiry('user-1:device-1')).toBeUndefined();
    expect(tokenExpiry('a.b.c')).toBeUndefined();
    expect(tokenExpiry(`${jwt(T0).split('.')[0]}.${Buffer.from('{"sub":"x"}').toString('base64url')}.sig`)).toBeUndefined();
    // base64url characters (- and _) in the payload.
    expect(tokenExpiry(jwt(T0 + 1000, { name: '???>>>~~~' }))).toBe(T0 + 1000);
  });
});

describe('the one token decoder (the SDK, the React bindings and the console use it)', () => {
  const unsigned = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;

  it('reads a JWT\'s claims as UTF-8, unpadded base64url', () => {
    expect(jwtClaims(unsigned({ sub: 'jürgen-ñ-東京', device: 'd1', groups: ['sync-admin'] })))
      .toEqual({ sub: 'jürgen-ñ-東京', device: 'd1', groups: ['sync-admin'] });
    expect(jwtClaims(unsigned({ sub: 'x' }).replace(/=+\./, '.'))).toEqual({ sub: 'x' });
    expect(jwtClaims('a.!!!.c')).toBeUndefined();
    expect(jwtClaims(`e30.${Buffer.from('"a string"').toString('base64url')}.sig`)).toBeUndefined();
    expect(jwtClaims('user_1:ipad')).toBeUndefined();
  });

  it('names the user and device of a JWT (sub, device) and of a dev token (user[:device])', () => {
    expect(tokenIds(unsigned({ sub: 'jürgen', device: 'ipad' }))).toEqual({ userId: 'jürgen', deviceId: 'ipad' });
    expect(tokenIds('user_1:ipad')).toEqual({ userId: 'user_1', deviceId: 'ipad' });
    expect(tokenIds('user_1')).toEqual({ userId: 'user_1', deviceId: undefined });
    expect(tokenIds('a.!!!.c')).toEqual({ userId: undefined, deviceId: undefined });
    expect(tokenIds(undefined)).toEqual({});
  });
});

describe('messagePayload', () => {
  it('is the envelope\'s data, or the whole message for seed 003\'s flat org events', () => {
    expect(messagePayload({ type: 'CREDIT_UPDATE', data: { newBalance: 1 } })).toEqual({ newBalance: 1 });
    const flat = { type: 'SYNC_PROGRESS', jobId: 'j1', orgId: 'org-rio' };
    expect(messagePayload(flat)).toBe(flat);
  });
});

describe('token refresh', () => {
  it('a JWT expiring in 5 minutes is refreshed ahead of exp while connected; the next reconnect uses the new one without waiting', async () => {
    const tokens = [jwt(T0 + 5 * MIN), jwt(T0 + 10 * MIN)];
    const getToken = vi.fn(() => tokens[getToken.mock.calls.length - 1]!);
    const { factory, connected } = setup({ getToken, livenessTimeoutMs: 1e12 }, 0);
    const socket = await connected();
    expect(socket.params.get('token')).toBe(tokens[0]);
    expect(getToken).toHaveBeenCalledTimes(1);
    // Refreshed 60 s before exp (twice the 30 s margin).
    await advance(4 * MIN - 1);
    expect(getToken).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(Date.now()).toBeLessThan(T0 + 5 * MIN);

    socket.serverCloses(4001, 'session lifetime');
    await advance(1);
    expect(factory.count).toBe(2);
    expect(factory.last.params.get('token')).toBe(tokens[1]);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  it('keeps refreshing ahead of exp for as long as the connection lasts', async () => {
    const getToken = vi.fn(() => jwt(Date.now() + 5 * MIN));
    const { factory, connected } = setup({ getToken, livenessTimeoutMs: 1e12 }, 0);
    const socket = await connected();
    await advance(4 * MIN);
    expect(getToken).toHaveBeenCalledTimes(2); // token 2 expires at 9 min
    await advance(4 * MIN); // t = 8 min: token 2 is 1 minute from exp
    expect(getToken).toHaveBeenCalledTimes(3);
    // t = 10 min: a reconnect presents a valid token without calling getToken.
    await advance(2 * MIN);
    const calls = getToken.mock.calls.length;
    socket.serverCloses(1012);
    await advance(1);
    expect(factory.count).toBe(2);
    expect(tokenExpiry(factory.last.params.get('token')!)! - Date.now()).toBeGreaterThan(30_000);
    expect(getToken).toHaveBeenCalledTimes(calls);
  });

  it('a token expiring within 30 s is replaced before connecting', async () => {
    const tokens = [jwt(T0 + 40_000), jwt(T0 + 10 * MIN)];
    const getToken = vi.fn(() => tokens[getToken.mock.calls.length - 1]!);
    const { factory, start } = setup({ getToken }, 0);
    const first = await start();
    expect(first.params.get('token')).toBe(tokens[0]);
    first.serverCloses(1006);
    // The retry runs when 25 s are left on the token.
    vi.setSystemTime(T0 + 15_000);
    await advance(1);
    expect(factory.count).toBe(2);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(factory.last.params.get('token')).toBe(tokens[1]);
  });

  it('a token with more than 30 s left is reused on reconnect', async () => {
    const getToken = vi.fn(() => jwt(T0 + 40_000));
    const { factory, start } = setup({ getToken }, 0);
    (await start()).serverCloses(1006);
    vi.setSystemTime(T0 + 5_000);
    await advance(1);
    expect(factory.count).toBe(2);
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('a non-JWT token is fetched once and never refreshed on a timer', async () => {
    const getToken = vi.fn(() => 'user-1:device-1');
    const { factory, connected } = setup({ getToken, livenessTimeoutMs: 1e12 }, 0);
    await connected();
    await advance(60 * MIN);
    expect(getToken).toHaveBeenCalledTimes(1);
    factory.last.serverCloses(1012);
    await advance(1);
    expect(factory.last.params.get('token')).toBe('user-1:device-1');
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  it('an async getToken is awaited before the socket is created', async () => {
    let resolve!: (token: string) => void;
    const getToken = vi.fn(() => new Promise<string>((r) => { resolve = r; }));
    const { factory, client } = setup({ getToken });
    client.connect();
    await flush();
    expect(factory.count).toBe(0);
    expect(client.getSnapshot().state).toBe('connecting');
    resolve('async-token');
    await flush();
    expect(factory.count).toBe(1);
    expect(factory.last.params.get('token')).toBe('async-token');
  });

  it('a failing getToken is reported (kind `auth`) and retried with backoff', async () => {
    let fail = true;
    const getToken = vi.fn(async () => {
      if (fail) throw new Error('auth server down');
      return 'tok';
    });
    const { factory, client, errors, lastState } = setup({ getToken }, 0.5);
    client.connect();
    await flush();
    expect(factory.count).toBe(0);
    expect(errors.map((e) => e.kind)).toEqual(['auth']);
    expect(errors[0]!.message).toContain('auth server down');
    expect(lastState()).toMatchObject({ state: 'reconnecting', reason: 'getToken() failed', retryInMs: 250 });
    fail = false;
    await advance(250);
    expect(factory.count).toBe(1);
    expect(factory.last.params.get('token')).toBe('tok');
  });

  it('a getToken that throws synchronously during the ahead-of-exp refresh is reported, not thrown from the timer', async () => {
    const getToken = vi.fn(() => {
      if (getToken.mock.calls.length > 1) throw new Error('auth server down');
      return jwt(T0 + 5 * MIN);
    });
    const { connected, errors, client } = setup({ getToken, livenessTimeoutMs: 1e12 });
    await connected();
    await advance(4 * MIN);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(errors.map((e) => e.kind)).toEqual(['auth']);
    expect(client.getSnapshot().state).toBe('connected');
  });
});
