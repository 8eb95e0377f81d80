// Compiled by `npm run build` (tsconfig.json here); README.md's "Clients" section shows the part below
// the marker verbatim, and test/readme-examples.test.ts keeps the two equal.
declare function render(balance: number): void;
// README example
import { SyncClient } from '@kull/sync-client';

const client = new SyncClient({
  url: 'wss://sync.example.com/ws',
  getToken: async () => (await fetch('/api/sync-token')).text(), // a JWT: sub = userId, exp, device
  persistCursor: true, // a page reload resumes from the last event it saw
  onResync: async () => { /* gap too old to replay: refetch state from the domain services */ },
});
client.on('CREDIT_UPDATE', (data) => render(data.newBalance));
client.onStateChange(({ state, reason }) => console.log(`sync ${state}: ${reason}`));
client.connect();
