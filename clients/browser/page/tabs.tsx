// The tab-sharing test's page (browser/tabs.mjs): one app, opened in several tabs. React in StrictMode, the client
// created by the provider from options with the SDK's defaults (tab sharing on), credits through useWebSocket.
// Query string: ?url=<ws url>&token=<jwt>[&share=off]. The test reads the DOM (data attributes) and window.__tab.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { CreditUpdateData, SyncClient } from '@kull/sync-client';
import { SyncProvider, useSyncClient, useSyncSelector, useWebSocket } from '@kull/sync-react';

const params = new URLSearchParams(location.search);
const options = {
  url: params.get('url') ?? `ws://${location.host}/ws`,
  getToken: () => params.get('token') ?? '',
  // ?share=off: the option that turns tab sharing off (a socket per tab).
  shareTabs: params.get('share') !== 'off',
};

declare global {
  interface Window {
    __tab: { events: Array<{ id: string; balance: number }>; client?: SyncClient };
  }
}
window.__tab = { events: [] };

function Tab() {
  const client = useSyncClient() as SyncClient;
  const [count, setCount] = useState(0);
  const { state, reconnectAttempts } = useWebSocket({
    onCreditUpdate: (data: CreditUpdateData, message) => {
      window.__tab.events.push({ id: String(message.id), balance: data.newBalance });
      setCount(window.__tab.events.length);
    },
  });
  const pod = useSyncSelector((s) => s.pod);
  useEffect(() => {
    window.__tab.client = client;
  }, [client]);
  return (
    <dl id="tab" data-state={state} data-attempts={reconnectAttempts} data-pod={pod ?? ''} data-count={count}>
      <dt>state</dt>
      <dd>{state}</dd>
      <dt>reconnect attempts</dt>
      <dd>{reconnectAttempts}</dd>
      <dt>credits received</dt>
      <dd>{count}</dd>
    </dl>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SyncProvider options={options} apiBaseUrl="">
      <Tab />
    </SyncProvider>
  </StrictMode>,
);
