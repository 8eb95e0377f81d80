// Prints the core SDK's size as an app would ship it (bundled, minified, gzip -9) and fails over the budget.
// Budget: 8 KiB gzip, below centrifuge-js and socket.io-client (about 13 KB each) with room to grow.
// Split as an app's bundler splits it: the core is the entry and every chunk it imports statically; what
// SyncClient loads only when it needs it (tab sharing in a browser, the SSE fallback: dynamic imports) is printed
// beside it with a budget of its own.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 8 * 1024;
const LAZY_BUDGET_BYTES = 4 * 1024;
const outdir = 'target/bundle-size';
const result = await build({
  entryPoints: { core: 'packages/sync-client/dist/index.js' },
  bundle: true, minify: true, format: 'esm', splitting: true, outdir, write: false, metafile: true, logLevel: 'silent',
});
const gzipped = (path) => gzipSync(result.outputFiles.find((file) => file.path.endsWith(path)).contents, { level: 9 }).length;
const core = new Set();
const visit = (path) => {
  if (core.has(path)) return;
  core.add(path);
  result.metafile.outputs[path].imports.filter((i) => i.kind === 'import-statement').forEach((i) => visit(i.path));
};
visit(`${outdir}/core.js`);
const coreBytes = [...core].reduce((sum, path) => sum + gzipped(path), 0);
const minified = [...core].reduce((sum, path) => sum + result.metafile.outputs[path].bytes, 0);
console.log(`@kull/sync-client bundle: ${minified} bytes minified, ${coreBytes} bytes gzip (budget ${BUDGET_BYTES})`);
for (const path of Object.keys(result.metafile.outputs).filter((p) => !core.has(p) && !p.endsWith('.map'))) {
  console.log(`  loaded when needed: ${path.slice(outdir.length + 1)}, ${result.metafile.outputs[path].bytes} bytes minified, ${gzipped(path)} bytes gzip (budget ${LAZY_BUDGET_BYTES})`);
  if (gzipped(path) > LAZY_BUDGET_BYTES) {
    console.error(`${path} is over its budget by ${gzipped(path) - LAZY_BUDGET_BYTES} bytes`);
    process.exit(1);
  }
}
if (coreBytes > BUDGET_BYTES) {
  console.error(`over the bundle budget by ${coreBytes - BUDGET_BYTES} bytes`);
  process.exit(1);
}
