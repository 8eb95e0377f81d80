// Compiled by `npm run build` (tsconfig.json here); README.md's "Clients" section shows the part below
// the marker verbatim, and test/readme-examples.test.ts keeps the two equal.
declare function render(balance: number): void;
// README example
import { SyncClient } from '@kull/sync-client';

const client = new SyncClient({
  url: 'wss://sync.example.com/ws',
  getToken: async () => (await fetch('/api/sync-token')).text(), // a JWT: sub = userId, exp, device
  // A reload resumes after the last event handled (web storage, by user and device); handled events are
  // acknowledged to the cluster, so a device without a stored cursor resumes from its acknowledged one.
  onResync: async () => { /* gap too old to replay: refetch state from the domain services */ },
});
client.on('CREDIT_UPDATE', (data) => render(data.newBalance));
client.onStateChange(({ state, reason }) => console.log(`sync ${state}: ${reason}`));
client.connect();
// Queued while offline, sent on reconnect with an id the gateway dedupes; resolves once it is stored.
client.deliver('UPDATE_PROGRESS', { shootId: 'shoot_123', status: 'processing', processedCount: 5, totalCount: 10, provider: 'gpu-1' })
  .then(({ id }) => console.log(`progress ${id} stored`), (error) => console.warn('progress dropped', error));
