// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { StrictMode } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SocketLike, SyncClientOptions } from '@kull/sync-client';
import { SyncProvider, SyncIndicator, useSyncSelector, useWebSocket } from '../src/index.js';

vi.mock('@kull/sync-client', () => import('../../sync-client/src/index.ts'));

afterEach(cleanup);

/** A socket the test drives: what the core's `createSocket` gets. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closedWith: number | undefined;
  onopen: ((event: any) => void) | null = null;
  onmessage: ((event: { data: any }) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean?: boolean }) => void) | null = null;
  onerror: ((event: any) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1000, reason = ''): void {
    if (this.readyState === 3) return;
    this.closedWith = code;
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: true });
  }
  open(pod = 'gw-1'): void {
    this.readyState = 1;
    this.onopen?.({});
    this.deliver({ type: 'CONNECTION_ESTABLISHED', data: { connectionId: `c-${pod}`, userId: 'u1', deviceId: 'web-1', pod, heartbeatIntervalMs: 20000, resumed: false, cursor: 'k0' } });
  }
  deliver(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

function options(sockets: FakeSocket[]): SyncClientOptions {
  return {
    url: 'ws://gateway.test/ws',
    getToken: () => 'u1:web-1',
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    watchBrowser: false,
    random: () => 0,
    backoff: { minMs: 1, maxMs: 5 },
  };
}

const flush = () => act(async () => { await new Promise((r) => setTimeout(r, 10)); });

describe('SyncProvider with options under React 18 StrictMode', () => {
  it('opens exactly one socket, delivers events, and closes it on a real unmount', async () => {
    const sockets: FakeSocket[] = [];
    const credits: number[] = [];
    function App() {
      useWebSocket({ onCreditUpdate: (d) => credits.push(d.newBalance) });
      return <SyncIndicator />;
    }
    const { unmount } = render(
      <StrictMode>
        <SyncProvider options={options(sockets)}>
          <App />
        </SyncProvider>
      </StrictMode>,
    );
    await flush();
    expect(sockets).toHaveLength(1);
    expect(sockets[0]!.url).toContain('token=u1%3Aweb-1');
    expect(screen.getByRole('status').dataset.state).toBe('connecting');
    act(() => sockets[0]!.open('gw-7'));
    const indicator = screen.getByRole('status');
    expect(indicator.dataset.state).toBe('connected');
    expect(indicator.dataset.color).toBe('green');
    expect(indicator.dataset.pod).toBe('gw-7');
    act(() => {
      for (let i = 1; i <= 3; i++) sockets[0]!.deliver({ id: `e${i}`, type: 'CREDIT_UPDATE', data: { userId: 'u1', newBalance: i, change: 1, reason: 'r' }, cursor: `k${i}` });
      sockets[0]!.deliver({ id: 'e3', type: 'CREDIT_UPDATE', data: { userId: 'u1', newBalance: 3, change: 1, reason: 'dup' }, cursor: 'k3' });
    });
    expect(credits).toEqual([1, 2, 3]); // once each: StrictMode registered no second handler set
    await flush();
    expect(sockets).toHaveLength(1);
    unmount();
    expect(sockets[0]!.closedWith).toBeUndefined(); // deferred one tick (a StrictMode re-mount would cancel it)
    await flush();
    expect(sockets[0]!.closedWith).toBe(1000);
    expect(sockets).toHaveLength(1);
  });

  it('a lost connection shows reconnecting (yellow), then connected on the next socket', async () => {
    const sockets: FakeSocket[] = [];
    render(
      <StrictMode>
        <SyncProvider options={options(sockets)}>
          <SyncIndicator />
        </SyncProvider>
      </StrictMode>,
    );
    await flush();
    act(() => sockets[0]!.open('gw-1'));
    act(() => sockets[0]!.drop(1006));
    expect(screen.getByRole('status').dataset.state).toBe('reconnecting');
    expect(screen.getByRole('status').dataset.color).toBe('yellow');
    await flush();
    expect(sockets).toHaveLength(2);
    expect(sockets[1]!.url).toContain('cursor=k0');
    act(() => sockets[1]!.open('gw-2'));
    expect(screen.getByRole('status').dataset.status).toBe('connected');
    expect(screen.getByRole('status').dataset.pod).toBe('gw-2');
  });

  it('with the real client, a CREDIT_UPDATE does not re-render a component that selects only the state', async () => {
    const sockets: FakeSocket[] = [];
    let renders = 0;
    function StateOnly() {
      const state = useSyncSelector((s) => s.state);
      renders++;
      return <i>{state}</i>;
    }
    render(
      <SyncProvider options={options(sockets)}>
        <StateOnly />
      </SyncProvider>,
    );
    await flush();
    act(() => sockets[0]!.open());
    const before = renders;
    act(() => {
      for (let i = 1; i <= 20; i++) sockets[0]!.deliver({ id: `x${i}`, type: 'CREDIT_UPDATE', data: { userId: 'u1', newBalance: i, change: 1, reason: 'r' }, cursor: `c${i}` });
    });
    expect(renders).toBe(before);
  });
});
