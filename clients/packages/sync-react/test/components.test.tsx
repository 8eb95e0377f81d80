// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionState } from '@kull/sync-client';
import { DeviceList, SyncIndicator, SyncProvider, applyDeviceEvent, syncStatusColor, toSyncStatus, tokenSubject, type DeviceListResponse } from '../src/index.js';
import { FakeClient } from './fakeClient.js';

vi.mock('@kull/sync-client', () => import('../../sync-client/src/index.ts'));

afterEach(cleanup);

describe('toSyncStatus / syncStatusColor', () => {
  it('maps every SDK state onto the seeds\' four states and colours', () => {
    const table: Record<ConnectionState, [string, string]> = {
      connected: ['connected', 'green'],
      connecting: ['connecting', 'yellow'],
      reconnecting: ['reconnecting', 'yellow'],
      suspended: ['disconnected', 'red'],
      failed: ['disconnected', 'red'],
      closed: ['disconnected', 'red'],
      idle: ['disconnected', 'red'],
    };
    for (const [state, [status, color]] of Object.entries(table)) {
      const s = toSyncStatus(state as ConnectionState);
      expect([state, s, syncStatusColor(s)]).toEqual([state, status, color]);
    }
  });
});

describe('SyncIndicator', () => {
  it('renders data-state, colour, pod, close code and an accessible label', () => {
    const client = new FakeClient();
    render(<SyncProvider client={client} autoConnect={false}><SyncIndicator /></SyncProvider>);
    const el = screen.getByRole('status');
    expect(el.dataset.state).toBe('idle');
    expect(el.dataset.color).toBe('red');
    act(() => client.connected('gw-9'));
    expect(el.dataset.state).toBe('connected');
    expect(el.dataset.pod).toBe('gw-9');
    expect(el.getAttribute('aria-label')).toBe('Sync status: Synced');
    act(() => client.update({ state: 'reconnecting', reconnectAttempts: 2, lastCloseCode: 1012 }));
    expect(el.dataset.color).toBe('yellow');
    expect(el.dataset.closeCode).toBe('1012');
    expect(el.getAttribute('aria-label')).toBe('Sync status: Reconnecting (attempt 2)');
    act(() => client.update({ state: 'failed', reason: 'token refused twice (closed 4401)', lastCloseCode: 4401 }));
    expect(el.dataset.status).toBe('disconnected');
    expect(el.getAttribute('aria-label')).toBe('Sync status: Offline (token refused twice (closed 4401))');
  });
});

describe('DeviceList', () => {
  const dev = (deviceId: string, connectedAt: number, pod = 'gw-1') => ({ deviceId, platform: 'ios', deviceName: `n-${deviceId}`, connectedAt, pod });

  it('fetches, applies DEVICE_CONNECTED / DEVICE_DISCONNECTED, and refetches after a reconnect; this device (web-1) is listed while connected', async () => {
    const client = new FakeClient();
    const calls: string[] = [];
    let answer: DeviceListResponse = { userId: 'u1', devices: [dev('a', 1)] };
    const fetchDevices = vi.fn(async (userId: string) => {
      calls.push(userId);
      return answer;
    });
    render(<SyncProvider client={client} fetchDevices={fetchDevices}><DeviceList userId="u1" /></SyncProvider>);
    await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
    act(() => client.connected('gw-1', 'conn-1'));
    await waitFor(() => expect(calls).toEqual(['u1', 'u1']));
    act(() => client.emit('DEVICE_CONNECTED', dev('b', 2)));
    expect(screen.getAllByRole('listitem').map((li) => li.dataset.deviceId)).toEqual(['a', 'b', 'web-1']);
    act(() => client.emit('DEVICE_DISCONNECTED', dev('a', 1)));
    expect(screen.getAllByRole('listitem').map((li) => li.dataset.deviceId)).toEqual(['b', 'web-1']);
    // Offline: presence events are missed; the next connection refetches.
    act(() => client.update({ state: 'reconnecting', connectionId: undefined }));
    answer = { userId: 'u1', devices: [dev('b', 2), dev('c', 3, 'gw-2')] };
    act(() => client.connected('gw-2', 'conn-2'));
    await waitFor(() => expect(screen.getAllByRole('listitem').map((li) => li.dataset.deviceId)).toEqual(['b', 'c', 'web-1']));
    expect(screen.getByTestId('device-list').dataset.count).toBe('3');
  });

  it('fetches once more settleMs after a connection (this device reaches the directory through Kafka)', async () => {
    const client = new FakeClient();
    let n = 0;
    const fetchDevices = async () => ({ userId: 'u1', devices: n++ < 2 ? [] : [dev('web-1', 9)] });
    render(<SyncProvider client={client} fetchDevices={fetchDevices}><DeviceList userId="u1" settleMs={30} /></SyncProvider>);
    act(() => client.connected('gw-1', 'conn-1'));
    // Listed at once from the connection, then with the directory's entry (its name) from the fetch settleMs later.
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual([expect.stringContaining('web-1 (this device)')]);
    await waitFor(() => expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual([expect.stringContaining('n-web-1')]));
    expect(screen.getAllByRole('listitem')[0]!.textContent).toContain('(this device)');
    expect(n).toBe(3);
  });

  it('uses the gateway endpoint with the Bearer token by default, the user from the JWT sub', async () => {
    const client = new FakeClient();
    const payload = btoa(JSON.stringify({ sub: 'user_123', exp: 9999999999 })).replace(/=+$/, '');
    const jwt = `h.${payload}.s`;
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ userId: 'user_123', devices: [dev('d1', 5)] }), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    try {
      render(<SyncProvider client={client} getToken={async () => jwt} apiBaseUrl="http://gw.test:8080/"><DeviceList /></SyncProvider>);
      await waitFor(() => expect(screen.getAllByRole('listitem')).toHaveLength(1));
      const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
      expect(url).toBe('http://gw.test:8080/api/users/user_123/devices');
      expect((init.headers as Record<string, string>).Authorization).toBe(`Bearer ${jwt}`);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('shows an error when the fetch fails', async () => {
    const client = new FakeClient();
    render(<SyncProvider client={client} fetchDevices={async () => { throw new Error('HTTP 401'); }}><DeviceList userId="u" /></SyncProvider>);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('HTTP 401'));
  });

  it('a list that could not be loaded still shows this device while connected, and never "No devices connected"', async () => {
    const client = new FakeClient();
    render(<SyncProvider client={client} fetchDevices={async () => { throw new TypeError('Failed to fetch'); }}><DeviceList userId="u" /></SyncProvider>);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Could not load devices: Failed to fetch'));
    expect(screen.queryByText('No devices connected')).toBeNull();
    act(() => client.connected('gw-1', 'conn-1'));
    await waitFor(() => expect(screen.getAllByRole('listitem').map((li) => li.dataset.deviceId)).toEqual(['web-1']));
    expect(screen.getAllByRole('listitem')[0]!.dataset.pod).toBe('gw-1');
    act(() => client.update({ state: 'reconnecting' }));
    expect(screen.queryAllByRole('listitem')).toEqual([]);
  });

  it('the default apiBaseUrl is the gateway the client connects to (wss -> https), not the page\'s origin', async () => {
    const client = Object.assign(new FakeClient(), { url: 'wss://sync.example.com/ws' });
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ userId: 'u', devices: [] }), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    try {
      render(<SyncProvider client={client} getToken={() => 'u:web'}><DeviceList /></SyncProvider>);
      await waitFor(() => expect(fetchMock).toHaveBeenCalled());
      expect((fetchMock.mock.calls[0] as unknown as [string])[0]).toBe('https://sync.example.com/api/users/u/devices');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('applyDeviceEvent: a stale DISCONNECTED (the device reconnected on another pod) does not remove the newer session', () => {
    const list = applyDeviceEvent([], { kind: 'connected', device: dev('a', 10, 'gw-2') });
    expect(applyDeviceEvent(list, { kind: 'disconnected', device: dev('a', 5, 'gw-1') })).toEqual(list);
    expect(applyDeviceEvent(list, { kind: 'disconnected', device: dev('a', 10, 'gw-2') })).toEqual([]);
  });

  it('tokenSubject reads a JWT sub and a dev token', () => {
    expect(tokenSubject(`x.${btoa(JSON.stringify({ sub: 'u9' }))}.y`)).toBe('u9');
    expect(tokenSubject('user_1:ipad')).toBe('user_1');
  });
});
