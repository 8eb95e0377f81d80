// @vitest-environment jsdom
import { act, render, screen, cleanup } from '@testing-library/react';
import { StrictMode, useEffect, useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  SyncProvider,
  useShootProgress,
  useSyncSelector,
  useSyncStatusUpdates,
  useWebSocket,
  useWebSocketContext,
  type SyncEvent,
} from '../src/index.js';
import { FakeClient } from './fakeClient.js';

// Resolve the core from its source (its dist may not be built yet).
vi.mock('@kull/sync-client', () => import('../../sync-client/src/index.ts'));

afterEach(cleanup);

describe('SyncProvider with a client', () => {
  it('connects an idle client once and never closes a client it does not own', () => {
    const client = new FakeClient();
    const { unmount } = render(
      <StrictMode>
        <SyncProvider client={client}>x</SyncProvider>
      </StrictMode>,
    );
    expect(client.connects).toBe(1);
    unmount();
    expect(client.closes).toBe(0);
  });

  it('throws a helpful error when a hook is used outside the provider', () => {
    const Orphan = () => {
      useWebSocket();
      return null;
    };
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => render(<Orphan />)).toThrow(/within a <SyncProvider>/);
  });
});

describe('useWebSocket (seed 001)', () => {
  it('delivers each event type to its callback and reports isConnected', () => {
    const client = new FakeClient();
    const got: string[] = [];
    function App() {
      const { isConnected } = useWebSocket({
        onShootProgress: (d) => got.push(`shoot ${d.shootId}`),
        onCreditUpdate: (d) => got.push(`credit ${d.newBalance}`),
        onPromptChange: (d) => got.push(`prompt ${d.promptId}`),
        onDeviceConnected: (d) => got.push(`up ${d.deviceName}`),
        onDeviceDisconnected: (d) => got.push(`down ${d.deviceName}`),
      });
      return <p data-testid="c">{String(isConnected)}</p>;
    }
    render(<SyncProvider client={client}><App /></SyncProvider>);
    expect(screen.getByTestId('c').textContent).toBe('false');
    act(() => client.connected());
    expect(screen.getByTestId('c').textContent).toBe('true');
    act(() => {
      client.emit('SHOOT_PROGRESS', { shootId: 's1', status: 'processing', processedCount: 1, totalCount: 2, provider: 'p' });
      client.emit('CREDIT_UPDATE', { userId: 'u', newBalance: 900, change: -100, reason: 'r' });
      client.emit('PROMPT_CHANGE', { promptId: 'p1', action: 'voted' });
      client.emit('DEVICE_CONNECTED', { deviceId: 'd', platform: 'ios', deviceName: 'iPhone', connectedAt: 1 });
      client.emit('DEVICE_DISCONNECTED', { deviceId: 'd', platform: 'ios', deviceName: 'iPhone', connectedAt: 1 });
    });
    expect(got).toEqual(['shoot s1', 'credit 900', 'prompt p1', 'up iPhone', 'down iPhone']);
  });

  it('a re-render with new callbacks does not resubscribe, and the newest callback is called', () => {
    const client = new FakeClient();
    const calls: string[] = [];
    let rerender!: (n: number) => void;
    function App() {
      const [n, setN] = useState(0);
      rerender = setN;
      useWebSocket({ onCreditUpdate: (d) => calls.push(`render${n}:${d.newBalance}`) });
      return <p>{n}</p>;
    }
    render(<SyncProvider client={client}><App /></SyncProvider>);
    const registrations = client.registerCalls;
    for (let i = 1; i <= 5; i++) act(() => rerender(i));
    expect(client.registerCalls).toBe(registrations);
    // The provider's own (the balance cache) and the hook's.
    expect(client.handlerCount('CREDIT_UPDATE')).toBe(2);
    act(() => client.emit('CREDIT_UPDATE', { userId: 'u', newBalance: 7, change: 1, reason: 'r' }));
    expect(calls).toEqual(['render5:7']);
  });

  it('unregisters its handlers on unmount', () => {
    const client = new FakeClient();
    function App() {
      useWebSocket({ onCreditUpdate: () => {} });
      return null;
    }
    const { unmount } = render(<SyncProvider client={client}><App /></SyncProvider>);
    expect(client.handlerCount('CREDIT_UPDATE')).toBe(2); // the provider's balance cache and the hook
    unmount();
    expect(client.handlerCount('CREDIT_UPDATE')).toBe(0);
  });
});

describe('useSyncSelector', () => {
  it('a CREDIT_UPDATE does not re-render a component that selects only the state', () => {
    const client = new FakeClient();
    let stateRenders = 0;
    let cursorRenders = 0;
    function StateView() {
      const state = useSyncSelector((s) => s.state);
      stateRenders++;
      return <i data-testid="state">{state}</i>;
    }
    function CursorView() {
      const cursor = useSyncSelector((s) => s.cursor);
      cursorRenders++;
      return <i>{cursor}</i>;
    }
    render(<SyncProvider client={client}><StateView /><CursorView /></SyncProvider>);
    act(() => client.connected());
    const s0 = stateRenders;
    const c0 = cursorRenders;
    act(() => {
      for (let i = 0; i < 10; i++) client.emit('CREDIT_UPDATE', { userId: 'u', newBalance: i, change: 1, reason: 'r' });
    });
    expect(stateRenders).toBe(s0); // not re-rendered by 10 events
    expect(cursorRenders).toBeGreaterThan(c0); // the cursor did change
    act(() => client.update({ state: 'reconnecting' }));
    expect(stateRenders).toBe(s0 + 1);
    expect(screen.getByTestId('state').textContent).toBe('reconnecting');
  });

  it('a selector returning a new object with an equality function does not loop or re-render', () => {
    const client = new FakeClient();
    let renders = 0;
    function View() {
      const v = useSyncSelector((s) => ({ pod: s.pod }), (a, b) => a.pod === b.pod);
      renders++;
      return <i>{v.pod}</i>;
    }
    render(<SyncProvider client={client}><View /></SyncProvider>);
    act(() => client.connected('gw-a'));
    const r = renders;
    act(() => client.emit('CREDIT_UPDATE', {}));
    expect(renders).toBe(r);
  });
});

describe('useShootProgress (seed 001)', () => {
  it('follows one shoot, ignores others, computes the percentage, and serves a late mount from the cache', () => {
    const client = new FakeClient();
    let renders = 0;
    function Bar({ id }: { id: string }) {
      const { progress, isProcessing, progressPercentage } = useShootProgress(id);
      renders++;
      return <p data-testid={id}>{`${progressPercentage}|${isProcessing}|${progress?.currentImage ?? '-'}`}</p>;
    }
    const { rerender } = render(<SyncProvider client={client}><Bar id="A" /></SyncProvider>);
    expect(screen.getByTestId('A').textContent).toBe('0|false|-');
    const r0 = renders;
    act(() => client.emit('SHOOT_PROGRESS', { shootId: 'B', status: 'processing', processedCount: 9, totalCount: 10, provider: 'p' }));
    expect(renders).toBe(r0); // another shoot's event: no render
    act(() => client.emit('SHOOT_PROGRESS', { shootId: 'A', status: 'processing', processedCount: 15, totalCount: 100, currentImage: 'IMG_0015.jpg', provider: 'p' }));
    expect(screen.getByTestId('A').textContent).toBe('15|true|IMG_0015.jpg');
    // As shoot-service publishes it: with the contract's `progress`, the fraction done.
    act(() => client.emit('SHOOT_PROGRESS', { shootId: 'A', status: 'processing', processedCount: 50, totalCount: 100, progress: 0.5, currentImage: 'IMG_0050.jpg', provider: 'p' }));
    expect(screen.getByTestId('A').textContent).toBe('50|true|IMG_0050.jpg');
    act(() => client.emit('SHOOT_PROGRESS', { shootId: 'A', status: 'completed', processedCount: 100, totalCount: 100, provider: 'p' }));
    expect(screen.getByTestId('A').textContent).toBe('100|false|-');
    rerender(<SyncProvider client={client}><Bar id="A" /><Bar id="B" /></SyncProvider>);
    expect(screen.getByTestId('B').textContent).toBe('90|true|-'); // mounted after its event
  });
});

describe('useSyncStatusUpdates (seed 003)', () => {
  it('subscribes the org while enabled, delivers SyncEvents with a Date, and leaves on disable', () => {
    const client = new FakeClient();
    const events: SyncEvent[] = [];
    let setEnabled!: (b: boolean) => void;
    function Banner() {
      const [enabled, set] = useState(true);
      setEnabled = set;
      const { isConnected, lastEvent } = useSyncStatusUpdates({ organizationId: 'org-rio', enabled, onEvent: (e) => events.push(e) });
      return <p data-testid="b">{`${isConnected}|${lastEvent?.type ?? '-'}|${lastEvent?.progress ?? '-'}`}</p>;
    }
    render(<SyncProvider client={client}><Banner /></SyncProvider>);
    expect(client.subscribed).toEqual(['org-rio']);
    act(() => client.connected());
    act(() => {
      client.emit('SYNC_STARTED', { type: 'SYNC_STARTED', jobId: 'j1', pfaId: 'PFA-001', timestamp: '2025-11-28T10:00:00Z', orgId: 'org-rio' });
      client.emit('SYNC_PROGRESS', { type: 'SYNC_PROGRESS', jobId: 'j1', progress: 45, timestamp: '2025-11-28T10:00:15Z', orgId: 'org-rio' });
      client.emit('SYNC_PROGRESS', { type: 'SYNC_PROGRESS', jobId: 'x', progress: 99, timestamp: '2025-11-28T10:00:15Z', orgId: 'org-other' });
    });
    expect(screen.getByTestId('b').textContent).toBe('true|SYNC_PROGRESS|45');
    expect(events.map((e) => e.type)).toEqual(['SYNC_STARTED', 'SYNC_PROGRESS']);
    expect(events[0]!.timestamp).toBeInstanceOf(Date);
    expect(events[0]!.timestamp.toISOString()).toBe('2025-11-28T10:00:00.000Z');
    act(() => setEnabled(false));
    expect(client.unsubscribed).toEqual(['org-rio']);
    expect(client.handlerCount('SYNC_PROGRESS')).toBe(0);
    expect(screen.getByTestId('b').textContent.startsWith('false|')).toBe(true);
  });

  it('two components on one org share one subscription; the org is left when the last unmounts', () => {
    const client = new FakeClient();
    function W() {
      useSyncStatusUpdates({ organizationId: 'o1' });
      return null;
    }
    const { rerender, unmount } = render(<SyncProvider client={client}><W /><W /></SyncProvider>);
    expect(client.subscribed).toEqual(['o1']);
    rerender(<SyncProvider client={client}><W /></SyncProvider>);
    expect(client.unsubscribed).toEqual([]);
    unmount();
    expect(client.unsubscribed).toEqual(['o1']);
  });
});

describe('useWebSocketContext (seed 004)', () => {
  it('stable functions: useEffect(() => registerHandlers(...), [registerHandlers]) runs once across re-renders and state changes', () => {
    const client = new FakeClient();
    let effects = 0;
    const received: unknown[] = [];
    let bump!: () => void;
    let ctx!: ReturnType<typeof useWebSocketContext>;
    function Chat() {
      const [, set] = useState(0);
      bump = () => set((n) => n + 1);
      ctx = useWebSocketContext();
      const { registerHandlers } = ctx;
      useEffect(() => {
        effects++;
        return registerHandlers({ message_generate: (d) => received.push(d) });
      }, [registerHandlers]);
      return <p data-testid="s">{`${ctx.isConnected}|${ctx.reconnectAttempts}|${ctx.state}`}</p>;
    }
    render(<SyncProvider client={client}><Chat /></SyncProvider>);
    const { send, requestPending, registerHandlers } = ctx;
    act(() => bump());
    act(() => client.connected());
    act(() => client.update({ state: 'reconnecting', reconnectAttempts: 3 }));
    expect(screen.getByTestId('s').textContent).toBe('false|3|reconnecting');
    act(() => client.connected());
    expect(effects).toBe(1);
    expect(ctx.send).toBe(send);
    expect(ctx.requestPending).toBe(requestPending);
    expect(ctx.registerHandlers).toBe(registerHandlers);
    act(() => client.emit('message_generate', { text: 'hi' }));
    expect(received).toEqual([{ text: 'hi' }]);
    // Both send shapes: (type, payload) and seed 004's ({ type, ...fields }).
    ctx.send('UPDATE_PROGRESS', { shootId: 's' });
    ctx.send({ type: 'message_generate', message: 'Hello, AI!' });
    expect(client.sent).toEqual([
      { type: 'UPDATE_PROGRESS', payload: { shootId: 's' } },
      { type: 'message_generate', payload: { message: 'Hello, AI!' } },
    ]);
  });
});
