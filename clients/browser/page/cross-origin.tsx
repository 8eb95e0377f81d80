// The cross-origin browser test's page: a web app on its own origin, as the sync-react README sets it up (a client
// created once outside render, passed to the provider), against the gateway on another origin.
// Query: ?url=<ws url>&token=<jwt>[&api=<gateway http origin>] (no `api`: the provider's default apiBaseUrl).
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SyncClient } from '@kull/sync-client';
import { DeviceList, SyncIndicator, SyncProvider } from '@kull/sync-react';

const params = new URLSearchParams(location.search);
const token = params.get('token') ?? '';
const getToken = () => token;
const client = new SyncClient({ url: params.get('url') ?? '', getToken });
const api = params.get('api');

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SyncProvider client={client} getToken={getToken} {...(api !== null ? { apiBaseUrl: api } : {})}>
      <SyncIndicator />
      <DeviceList />
    </SyncProvider>
  </StrictMode>,
);
