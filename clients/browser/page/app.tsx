// The browser test's page: the React bindings over the real SDK, in StrictMode, with the client created by
// the provider from options (the harder case for StrictMode: the provider owns the socket). Query string:
// ?url=<ws url>&token=<jwt>[&mode=client]. With mode=client the page uses the recommended setup instead: the
// client is created once at module scope and passed to the provider. Everything the test reads is in the DOM (data attributes) or window.__page.
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { SyncClient, type CreditUpdateData, type SyncError } from '@kull/sync-client';
import { DeviceList, SyncIndicator, SyncProvider, useSyncClient, useSyncSelector, useWebSocket } from '@kull/sync-react';

const params = new URLSearchParams(location.search);
const url = params.get('url') ?? `ws://${location.host}/ws`;
const token = params.get('token') ?? '';
const options = { url, getToken: () => token };
// The recommended setup: one client for the app, created outside render.
const appClient = params.get('mode') === 'client' ? new SyncClient(options) : undefined;

function Credits() {
  const [credits, setCredits] = useState<CreditUpdateData[]>([]);
  useWebSocket({ onCreditUpdate: (data) => setCredits((list) => [...list, data]) });
  const last = credits[credits.length - 1];
  return (
    <section>
      <h2>
        Credits: <span id="balance">{last ? last.newBalance : '—'}</span>
      </h2>
      <ol id="credits" data-count={credits.length}>
        {credits.map((c, i) => (
          <li key={i} data-balance={c.newBalance} data-reason={c.reason}>
            {c.reason}: {c.change > 0 ? '+' : ''}
            {c.change} → {c.newBalance}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Connection() {
  const client = useSyncClient();
  const state = useSyncSelector((s) => s.state);
  const pod = useSyncSelector((s) => s.pod);
  const closeCode = useSyncSelector((s) => s.lastCloseCode);
  const reason = useSyncSelector((s) => s.reason);
  const stats = useSyncSelector((s) => s.stats);
  const transport = useSyncSelector((s) => s.transport);
  const [errors, setErrors] = useState<SyncError[]>([]);
  useEffect(() => client.onError((e) => setErrors((list) => [...list, e])), [client]);
  return (
    <section>
      <dl id="connection" data-state={state} data-pod={pod ?? ''} data-close-code={closeCode ?? ''} data-transport={transport ?? ''}>
        <dt>state</dt>
        <dd>{state}</dd>
        <dt>pod</dt>
        <dd>{pod ?? '—'}</dd>
        <dt>reason</dt>
        <dd id="reason">{reason}</dd>
        <dt>last close code</dt>
        <dd id="close-code">{closeCode ?? '—'}</dd>
        <dt>stats</dt>
        <dd id="stats">{JSON.stringify(stats)}</dd>
      </dl>
      <ul id="errors" data-count={errors.length}>
        {errors.map((e, i) => (
          <li key={i} data-kind={e.kind} data-code={String(e.code ?? '')}>
            {e.kind} {String(e.code ?? '')}: {e.message}
          </li>
        ))}
      </ul>
    </section>
  );
}

function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: 16 }}>
      <header style={{ display: 'flex', gap: 16, alignItems: 'center' }}>
        <h1 style={{ fontSize: 20 }}>Kull sync — browser test</h1>
        <SyncIndicator />
      </header>
      <Connection />
      <Credits />
      <h2>Devices</h2>
      <DeviceList />
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* The device list goes to the page's own origin (/api/...): the test server proxies it to the gateways. */}
    {appClient ? (
      <SyncProvider client={appClient} getToken={options.getToken} apiBaseUrl="">
        <App />
      </SyncProvider>
    ) : (
      <SyncProvider options={options} apiBaseUrl="">
        <App />
      </SyncProvider>
    )}
  </StrictMode>,
);
