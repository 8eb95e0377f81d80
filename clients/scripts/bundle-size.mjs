// Prints the core SDK's size as an app would ship it (bundled, minified, gzip -9) and fails over the budget.
// Budget: 8 KiB gzip, below centrifuge-js and socket.io-client (about 13 KB each) with room to grow.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 8 * 1024;
const result = await build({
  entryPoints: ['packages/sync-client/dist/index.js'],
  bundle: true, minify: true, format: 'esm', write: false, logLevel: 'silent',
});
const minified = result.outputFiles[0].contents;
const gzipped = gzipSync(minified, { level: 9 }).length;
console.log(`@kull/sync-client bundle: ${minified.length} bytes minified, ${gzipped} bytes gzip (budget ${BUDGET_BYTES})`);
if (gzipped > BUDGET_BYTES) {
  console.error(`over the bundle budget by ${gzipped - BUDGET_BYTES} bytes`);
  process.exit(1);
}
