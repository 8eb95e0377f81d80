// Compiled by `npm run build` (tsconfig.json here); README.md's "Clients" section shows the part below
// the marker verbatim, and test/readme-examples.test.ts keeps the two equal.
declare function fetchSyncToken(): Promise<string>;
declare function toast(text: string): void;
// README example
import { SyncClient } from '@kull/sync-client';
import { SyncIndicator, SyncProvider, useCreditBalance, useShootProgress, useWebSocket } from '@kull/sync-react';

const client = new SyncClient({ url: 'wss://sync.example.com/ws', getToken: fetchSyncToken });

function Shoot({ shootId }: { shootId: string }) {
  const { isProcessing, progressPercentage, loading } = useShootProgress(shootId); // 20% at once, then live
  const { balance } = useCreditBalance();
  useWebSocket({ onCreditUpdate: (data) => toast(`Credits: ${data.newBalance}`) });
  if (loading) return <p><SyncIndicator /> …</p>;
  return <p><SyncIndicator /> {isProcessing ? `${progressPercentage}%` : 'done'} · {balance ?? '—'} credits</p>;
}
// stateUrls: where credit-service and shoot-service answer (default: this origin, e.g. through your ingress).
export const App = () => (
  <SyncProvider client={client} stateUrls={{ credits: 'https://credits.example.com', shoots: 'https://shoots.example.com' }}>
    <Shoot shootId="shoot_123" />
  </SyncProvider>
);
