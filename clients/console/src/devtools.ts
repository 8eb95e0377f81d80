// The seeds' test commands (seed 000 "Test Commands", seed 001 "Server-Side Triggers"), sent from the page to
// the domain services instead of the browser console. Local development only: the services accept anonymous
// writes and allow this page's origin (CORS) only in their %dev profile and in deploy/local/run.sh's stack.
import { callJson, type Answer } from './http.js';

export interface Published {
  eventIds: string[];
  replayed: boolean;
  version?: number;
  newBalance?: number;
}

export const creditUpdate = (base: string, body: { userId: string; newBalance: number; change: number; reason: string }): Promise<Answer<Published>> =>
  callJson(`${base}/api/sync/credit-update`, { method: 'POST', body });

export interface ShootStep {
  userId: string;
  shootId: string;
  status: 'queued' | 'processing' | 'completed' | 'failed';
  processedCount: number;
  totalCount: number;
  currentImage?: string;
  eta?: number;
  provider: string;
}

/** The next step of a shoot the console drives: 10 more images of 100, completed at the end. */
export function nextShootStep(userId: string, shootId: string, processedBefore: number): ShootStep {
  const totalCount = 100;
  const processedCount = Math.min(totalCount, processedBefore + 10);
  const done = processedCount >= totalCount;
  return {
    userId,
    shootId,
    status: done ? 'completed' : 'processing',
    processedCount,
    totalCount,
    currentImage: `IMG_${String(processedCount).padStart(4, '0')}.jpg`,
    eta: done ? 0 : (totalCount - processedCount) * 2,
    provider: 'Console',
  };
}

export const shootProgress = (base: string, step: ShootStep): Promise<Answer<Published>> =>
  callJson(`${base}/api/sync/shoot-progress`, { method: 'POST', body: step });

export const promptChange = (base: string, body: { promptId: string; action: 'created' | 'updated' | 'deleted' | 'voted'; userIds?: string[] }): Promise<Answer<Published>> =>
  callJson(`${base}/api/sync/prompt-change`, { method: 'POST', body });
