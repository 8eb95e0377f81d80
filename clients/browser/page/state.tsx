// The current-state page (browser/state.mjs): a shoot's progress bar, the user's shoots and the balance, as a web
// team writes them with the React bindings and their defaults (state read from this origin's /api/..., which the
// test server routes to shoot-service and credit-service). Query: ?url=<ws url>&token=<jwt>&shoot=<shootId>.
// Every render is recorded in window.__renders with the connection state at that moment, so the test can tell what
// the page showed before and after the connection, and whether it ever said "No SHOOT_PROGRESS yet".
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SyncIndicator, SyncProvider, useActiveShoots, useCreditBalance, useShootProgress, useSyncSelector } from '@kull/sync-react';

const params = new URLSearchParams(location.search);
const options = { url: params.get('url') ?? `ws://${location.host}/ws`, getToken: () => params.get('token') ?? '' };
const shootId = params.get('shoot') ?? '';

declare global {
  interface Window {
    __renders: Array<{ what: string; text: string; state: string; at: number }>;
  }
}
window.__renders = [];

function useRecorded(what: string, text: string): string {
  const state = useSyncSelector((s) => s.state);
  window.__renders.push({ what, text, state, at: performance.now() });
  return text;
}

function ShootBar({ id }: { id: string }) {
  const { progress, progressPercentage, loading } = useShootProgress(id);
  const text = useRecorded(`shoot:${id}`, loading ? 'Loading…' : progress ? `${progressPercentage}%` : 'No SHOOT_PROGRESS yet');
  return (
    <p data-testid={`shoot-${id}`} data-percent={progress ? progressPercentage : ''}>
      {id}: {text}
    </p>
  );
}

function Shoots() {
  const { shootIds, loading } = useActiveShoots();
  const text = useRecorded('shoots', loading ? 'Loading…' : shootIds.length === 0 ? 'No SHOOT_PROGRESS yet' : shootIds.join(','));
  return (
    <section data-testid="shoots" data-ids={shootIds.join(',')}>
      {shootIds.length === 0 ? <p>{text}</p> : shootIds.map((id) => <ShootBar key={id} id={id} />)}
    </section>
  );
}

function Balance() {
  const { balance, loading } = useCreditBalance();
  const text = useRecorded('balance', loading ? 'Loading…' : balance === null ? 'No balance yet' : String(balance));
  return <p data-testid="balance" data-balance={balance ?? ''}>Credits: {text}</p>;
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SyncProvider options={options} apiBaseUrl="">
      <SyncIndicator />
      <h2>Shoot {shootId}</h2>
      <ShootBar id={shootId} />
      <h2>My shoots</h2>
      <Shoots />
      <Balance />
    </SyncProvider>
  </StrictMode>,
);
