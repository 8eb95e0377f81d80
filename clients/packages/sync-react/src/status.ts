import type { ConnectionState, SyncStatus } from './types.js';

/**
 * Maps the SDK's connection state onto the seeds' indicator states:
 * connected -> connected; connecting -> connecting; reconnecting -> reconnecting;
 * idle, suspended, failed, closed -> disconnected (suspended still retries, slowly, but the user
 * is offline for now and should see it).
 */
export function toSyncStatus(state: ConnectionState): SyncStatus {
  switch (state) {
    case 'connected':
      return 'connected';
    case 'connecting':
      return 'connecting';
    case 'reconnecting':
      return 'reconnecting';
    case 'idle':
    case 'suspended':
    case 'failed':
    case 'closed':
      return 'disconnected';
    default: {
      // A state added to the SDK later shows as offline rather than breaking the app.
      const unknownState: never = state;
      void unknownState;
      return 'disconnected';
    }
  }
}

export type SyncStatusColor = 'green' | 'yellow' | 'red';

/** The seeds' colours: green connected, yellow connecting/reconnecting, red disconnected. */
export function syncStatusColor(status: SyncStatus): SyncStatusColor {
  return status === 'connected' ? 'green' : status === 'disconnected' ? 'red' : 'yellow';
}
