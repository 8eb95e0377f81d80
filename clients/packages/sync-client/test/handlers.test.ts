import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SyncError } from '../src/index.js';
import { advance, setup, useClock } from './harness.js';

beforeEach(useClock);
afterEach(() => {
  vi.useRealTimers();
});

const credit = (id: string, newBalance: number) => ({
  id, type: 'CREDIT_UPDATE', data: { userId: 'u1', newBalance, change: 1, reason: 'purchase' }, timestamp: 1, userId: 'u1', cursor: `c-${id}`,
});

describe('handlers', () => {
  it('on() passes the envelope data and the whole message, and returns an unregister function', async () => {
    const { client, connected } = setup();
    const handler = vi.fn();
    const off = client.on('CREDIT_UPDATE', handler);
    const socket = await connected();
    socket.serverSends(credit('e1', 10));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith({ userId: 'u1', newBalance: 10, change: 1, reason: 'purchase' }, credit('e1', 10));
    off();
    socket.serverSends(credit('e2', 11));
    expect(handler).toHaveBeenCalledTimes(1);
    off(); // twice is harmless
  });

  it('unregistering one handler leaves the others of the same type', async () => {
    const { client, connected } = setup();
    const a = vi.fn();
    const b = vi.fn();
    const offA = client.on('CREDIT_UPDATE', a);
    client.on('CREDIT_UPDATE', b);
    const socket = await connected();
    offA();
    socket.serverSends(credit('e1', 1));
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('registerHandlers() takes contract and custom types and unregisters them all', async () => {
    const { client, connected } = setup();
    const onCredit = vi.fn();
    const onGenerate = vi.fn();
    const off = client.registerHandlers({ CREDIT_UPDATE: onCredit, message_generate: onGenerate, SHOOT_PROGRESS: undefined });
    const socket = await connected();
    socket.serverSends(credit('e1', 5));
    socket.serverSends({ id: 'g1', type: 'message_generate', data: { text: 'hi' }, cursor: 'c-g1' });
    expect(onCredit).toHaveBeenCalledTimes(1);
    expect(onGenerate).toHaveBeenCalledTimes(1);
    expect(onGenerate).toHaveBeenCalledWith({ text: 'hi' }, expect.objectContaining({ id: 'g1', type: 'message_generate' }));
    off();
    socket.serverSends(credit('e2', 6));
    socket.serverSends({ id: 'g2', type: 'message_generate', data: { text: 'again' } });
    expect(onCredit).toHaveBeenCalledTimes(1);
    expect(onGenerate).toHaveBeenCalledTimes(1);
  });

  it('handlers survive reconnects without being called twice', async () => {
    const { client, factory, connected } = setup({}, 0);
    const handler = vi.fn();
    client.on('CREDIT_UPDATE', handler);
    const any = vi.fn();
    client.onAny(any);
    await connected();
    for (let i = 0; i < 3; i++) {
      factory.last.serverCloses(1012, 'draining');
      await advance(1);
      factory.last.establish({ resumed: true });
    }
    expect(factory.count).toBe(4);
    any.mockClear();
    factory.last.serverSends(credit('e1', 1));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(any).toHaveBeenCalledTimes(1);
  });

  it('a throwing handler does not stop the others and produces an error of kind `handler`', async () => {
    const { client, connected, errors } = setup();
    const boom = new Error('boom');
    const calls: string[] = [];
    client.on('CREDIT_UPDATE', () => { calls.push('first'); throw boom; });
    client.on('CREDIT_UPDATE', () => calls.push('second'));
    client.onAny((_d, m) => calls.push(`any:${m.type}`));
    const socket = await connected();
    calls.length = 0;
    socket.serverSends(credit('e1', 1));
    expect(calls).toEqual(['first', 'second', 'any:CREDIT_UPDATE']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SyncError);
    expect(errors[0]).toMatchObject({ kind: 'handler', cause: boom });
    expect(errors[0]!.message).toContain('CREDIT_UPDATE');
    // The connection is unaffected and the next event is handled.
    socket.serverSends(credit('e2', 2));
    expect(calls.filter((c) => c === 'second')).toHaveLength(2);
    expect(client.getSnapshot().state).toBe('connected');
  });

  it('flat org events (SYNC_STARTED, ...) give the whole event as data', async () => {
    const { client, connected } = setup();
    const started = vi.fn();
    const conflict = vi.fn();
    client.registerHandlers({ SYNC_STARTED: started, SYNC_CONFLICT: conflict });
    const socket = await connected();
    const event = { type: 'SYNC_STARTED', jobId: 'job-1', orgId: 'org-1', progress: 0, timestamp: '2026-01-01T00:00:00Z', cursor: 'c-7' };
    socket.serverSends(event);
    expect(started).toHaveBeenCalledTimes(1);
    expect(started.mock.calls[0]![0]).toEqual(event);
    expect(started.mock.calls[0]![1]).toEqual(event);
    // A flat event's own `data` field is not what the handler gets.
    const withData = { type: 'SYNC_CONFLICT', jobId: 'job-2', data: { field: 'x' }, timestamp: '2026-01-01T00:00:01Z' };
    socket.serverSends(withData);
    expect(conflict.mock.calls[0]![0]).toEqual(withData);
  });

  it('onAny sees control messages too; ERROR frames also reach onError as kind `server`', async () => {
    const { client, connected, errors } = setup();
    const types: string[] = [];
    client.onAny((_d, m) => types.push(m.type));
    const onErrorFrame = vi.fn();
    client.on('ERROR', onErrorFrame);
    const socket = await connected();
    socket.serverSends({ type: 'ERROR', data: { code: 'RATE_LIMITED', reason: 'slow down' } });
    expect(types).toEqual(['CONNECTION_ESTABLISHED', 'ERROR']);
    expect(onErrorFrame).toHaveBeenCalledWith({ code: 'RATE_LIMITED', reason: 'slow down' }, expect.anything());
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: 'server', code: 'RATE_LIMITED', message: 'slow down' });
    expect(client.getSnapshot().state).toBe('connected');
  });

  it('ignores frames that are not messages', async () => {
    const { client, connected, errors } = setup();
    const any = vi.fn();
    client.onAny(any);
    const socket = await connected();
    any.mockClear();
    socket.serverSends('not json');
    socket.serverSends('{"no":"type"}');
    socket.serverSends('null');
    socket.serverSends('42');
    expect(any).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
    expect(client.getSnapshot().state).toBe('connected');
  });

  it('a throwing state or error listener does not break the client', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { client, connected } = setup();
    client.onStateChange(() => { throw new Error('listener'); });
    client.onError(() => { throw new Error('listener'); });
    const socket = await connected();
    socket.serverSends({ type: 'ERROR', data: { code: 'X', reason: 'y' } });
    expect(client.getSnapshot().state).toBe('connected');
    expect(spy).toHaveBeenCalled();
    spy.mockRestore();
  });

  it('onStateChange / onError / onSnapshot return unregister functions', async () => {
    const { client, connected } = setup();
    const state = vi.fn();
    const error = vi.fn();
    const snap = vi.fn();
    client.onStateChange(state)();
    client.onError(error)();
    client.onSnapshot(snap)();
    const socket = await connected();
    socket.serverSends({ type: 'ERROR', data: { code: 'X', reason: 'y' } });
    expect(state).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    expect(snap).not.toHaveBeenCalled();
  });
});
