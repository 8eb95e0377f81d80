// Compiled by `npm run build` (tsconfig.json here); README.md's "Clients" section shows the part below
// the marker verbatim, and test/readme-examples.test.ts keeps the two equal.
declare function fetchSyncToken(): Promise<string>;
declare function toast(text: string): void;
// README example
import { SyncClient } from '@kull/sync-client';
import { SyncIndicator, SyncProvider, useShootProgress, useWebSocket } from '@kull/sync-react';

const client = new SyncClient({ url: 'wss://sync.example.com/ws', getToken: fetchSyncToken });

function Shoot({ shootId }: { shootId: string }) {
  const { isProcessing, progressPercentage } = useShootProgress(shootId);
  useWebSocket({ onCreditUpdate: (data) => toast(`Credits: ${data.newBalance}`) });
  return <p><SyncIndicator /> {isProcessing ? `${progressPercentage}%` : 'done'}</p>;
}
export const App = () => <SyncProvider client={client}><Shoot shootId="shoot_123" /></SyncProvider>;
