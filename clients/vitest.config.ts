import { defineConfig } from 'vitest/config';

// Node 20.10+ and 21 have a built-in WebSocket behind --experimental-websocket (on by default from 22, absent in
// 18): the integration tests run the SDK over it as well as over the `ws` package, where it exists.
const websocketFlag =
  typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined' &&
  process.allowedNodeEnvironmentFlags.has('--experimental-websocket')
    ? ['--experimental-websocket']
    : [];

export default defineConfig({
  test: {
    poolOptions: { forks: { execArgv: websocketFlag } },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.{ts,tsx}', 'console/test/**/*.test.ts', 'test/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['integration/**/*.test.ts'],
          environment: 'node',
          // One real stack (broker + gateway processes) per file; files run one after another on 2 cores.
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
