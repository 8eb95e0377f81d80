// @vitest-environment jsdom
// Seed 004's context: unregisterHandlers, the HOC's `websocket: WebSocketProps` prop, a test's own
// WebSocketContext.Provider value, and seed 001's send({ type, payload }) through the context.
import { act, cleanup, render, screen } from '@testing-library/react';
import { useEffect } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SyncProvider, WebSocketContext, useWebSocket, useWebSocketContext, withWebSocket, type WebSocketProps } from '../src/index.js';
import { FakeClient } from './fakeClient.js';

vi.mock('@kull/sync-client', () => import('../../sync-client/src/index.ts'));

afterEach(cleanup);

describe('WebSocketContext (seed 004)', () => {
  it('unregisterHandlers removes exactly the (type, function) pairs given; the others stay', () => {
    const client = new FakeClient();
    const got: string[] = [];
    const a = (d: unknown) => got.push(`a:${(d as { n: number }).n}`);
    const b = (d: unknown) => got.push(`b:${(d as { n: number }).n}`);
    let ctx!: WebSocketProps;
    function Probe() {
      ctx = useWebSocketContext();
      return null;
    }
    render(<SyncProvider client={client}><Probe /></SyncProvider>);
    act(() => {
      ctx.registerHandlers({ message_generate: a, message_regenerate: b });
    });
    act(() => client.emit('message_generate', { n: 1 }));
    act(() => ctx.unregisterHandlers({ message_generate: a }));
    act(() => client.emit('message_generate', { n: 2 }));
    act(() => client.emit('message_regenerate', { n: 3 }));
    expect(got).toEqual(['a:1', 'b:3']);
    expect(client.handlerCount('message_generate')).toBe(0);
    expect(client.handlerCount('message_regenerate')).toBe(1);
  });

  it('withWebSocket injects the context value itself as `websocket` (interface Props { websocket: WebSocketProps })', () => {
    const client = new FakeClient();
    interface Props {
      websocket: WebSocketProps;
      label: string;
    }
    function Chat({ websocket, label }: Props) {
      useEffect(() => websocket.registerHandlers({ message_generate: () => {} }), [websocket]);
      return <p data-testid="chat">{`${label}:${websocket.isConnected ? 'Connected' : 'Offline'}`}</p>;
    }
    const Wrapped = withWebSocket(Chat);
    render(<SyncProvider client={client}><Wrapped label="chat" /></SyncProvider>);
    expect(screen.getByTestId('chat').textContent).toBe('chat:Offline');
    act(() => client.connected());
    expect(screen.getByTestId('chat').textContent).toBe('chat:Connected');
    expect(client.handlerCount('message_generate')).toBe(1);
  });

  it('a test\'s own WebSocketContext.Provider value is what the hook and the HOC get', () => {
    const mock: WebSocketProps = {
      isConnected: true, reconnectAttempts: 0, send: vi.fn(), requestPending: vi.fn(),
      registerHandlers: vi.fn(() => vi.fn()), unregisterHandlers: vi.fn(),
    };
    const Wrapped = withWebSocket(({ websocket }: { websocket: WebSocketProps }) => (
      <p data-testid="mock">{websocket.isConnected ? 'Connected' : 'Offline'}</p>
    ));
    render(<WebSocketContext.Provider value={mock}><Wrapped /></WebSocketContext.Provider>);
    expect(screen.getByTestId('mock').textContent).toBe('Connected');
  });

  it('outside any provider the hook says how to add one', () => {
    function Bare() {
      useWebSocketContext();
      return null;
    }
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<Bare />)).toThrow(/within a <SyncProvider>/);
  });

  it('seed 001: send({ type, payload }) through the context and through useWebSocket sends that payload, not payload.payload', () => {
    const client = new FakeClient();
    const payload = { shootId: 'shoot_456', status: 'processing', processedCount: 15, totalCount: 100, provider: 'Local' };
    let ctx!: WebSocketProps;
    let hook!: ReturnType<typeof useWebSocket>;
    function Probe() {
      ctx = useWebSocketContext();
      hook = useWebSocket();
      return null;
    }
    render(<SyncProvider client={client}><Probe /></SyncProvider>);
    ctx.send({ type: 'UPDATE_PROGRESS', payload });
    hook.send({ type: 'UPDATE_PROGRESS', payload });
    hook.send('UPDATE_PROGRESS', payload);
    expect(client.sent).toEqual([
      { type: 'UPDATE_PROGRESS', payload },
      { type: 'UPDATE_PROGRESS', payload },
      { type: 'UPDATE_PROGRESS', payload },
    ]);
  });
});
