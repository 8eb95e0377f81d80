// Prints the core SDK's size as an app would ship it (bundled, minified, gzip -9) and fails over the budget.
// Budget: 8 KiB gzip, below centrifuge-js and socket.io-client (about 13 KB each) with room to grow.
// Tab sharing (tabs.js) is loaded with import() on first use in a browser, so it is bundled as a bundler does
// (esbuild with code splitting): the core is the entry and the chunks it imports, the tabs chunk is loaded later.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 8 * 1024;
const TABS_BUDGET_BYTES = 4 * 1024;
const result = await build({
  entryPoints: ['packages/sync-client/dist/index.js'],
  bundle: true, minify: true, format: 'esm', splitting: true, outdir: 'out', write: false, logLevel: 'silent',
});
const size = (files) => {
  const minified = Buffer.concat(files.map((file) => file.contents));
  return { minified: minified.length, gzipped: files.reduce((sum, file) => sum + gzipSync(file.contents, { level: 9 }).length, 0) };
};
const lazy = (file) => /[\\/]tabs-[^\\/]*\.js$/.test(file.path);
const core = size(result.outputFiles.filter((file) => !lazy(file)));
const tabs = size(result.outputFiles.filter(lazy));
console.log(`@kull/sync-client bundle: ${core.minified} bytes minified, ${core.gzipped} bytes gzip (budget ${BUDGET_BYTES})`);
console.log(`@kull/sync-client tab sharing chunk (loaded on first use): ${tabs.minified} bytes minified, ${tabs.gzipped} bytes gzip (budget ${TABS_BUDGET_BYTES})`);
if (tabs.minified === 0) {
  console.error('no tab sharing chunk: is tabs.js still loaded with import()?');
  process.exit(1);
}
if (core.gzipped > BUDGET_BYTES || tabs.gzipped > TABS_BUDGET_BYTES) {
  console.error(`over the bundle budget (core ${core.gzipped}/${BUDGET_BYTES}, tabs ${tabs.gzipped}/${TABS_BUDGET_BYTES} bytes gzip)`);
  process.exit(1);
}
