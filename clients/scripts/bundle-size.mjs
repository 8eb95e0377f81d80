// Prints the core SDK's size as an app would ship it (bundled, minified, gzip -9) and fails over the budget.
// Budget: 8 KiB gzip, below centrifuge-js and socket.io-client (about 13 KB each) with room to grow.
// Tab sharing (tabs.js) is loaded with import() on first use in a browser: a bundler makes it a chunk of its own,
// so the core is measured without it and the chunk on its own (what a browser loads once, after the core).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 8 * 1024;
const TABS_BUDGET_BYTES = 4 * 1024;
const lazyTabs = {
  name: 'lazy-tabs',
  setup(b) {
    b.onResolve({ filter: /\/tabs\.js$/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, external: true } : undefined));
  },
};
const measure = async (entry, plugins = []) => {
  const result = await build({
    entryPoints: [entry], bundle: true, minify: true, format: 'esm', write: false, logLevel: 'silent', plugins,
  });
  const minified = result.outputFiles[0].contents;
  return { minified: minified.length, gzipped: gzipSync(minified, { level: 9 }).length };
};
const core = await measure('packages/sync-client/dist/index.js', [lazyTabs]);
const tabs = await measure('packages/sync-client/dist/tabs.js');
console.log(`@kull/sync-client bundle: ${core.minified} bytes minified, ${core.gzipped} bytes gzip (budget ${BUDGET_BYTES})`);
console.log(`@kull/sync-client/tabs chunk: ${tabs.minified} bytes minified, ${tabs.gzipped} bytes gzip (budget ${TABS_BUDGET_BYTES})`);
if (core.gzipped > BUDGET_BYTES || tabs.gzipped > TABS_BUDGET_BYTES) {
  console.error(`over the bundle budget: core by ${core.gzipped - BUDGET_BYTES} bytes, tabs chunk by ${tabs.gzipped - TABS_BUDGET_BYTES} bytes`);
  process.exit(1);
}
