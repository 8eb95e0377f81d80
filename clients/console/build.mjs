// Bundles the live console (src/main.tsx, React in production mode, @kull/sync-react and @kull/sync-client as
// the workspace builds them: run after the packages' build) with esbuild into the clients module's jar content,
// META-INF/resources/console/, which gateway-service serves at /console/. The folder is emptied first, so a file
// that is no longer built is never served.
//
//   node console/build.mjs [outDir]      (default: clients/target/classes/META-INF/resources/console)
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] ?? join(here, '../target/classes/META-INF/resources/console'));
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src/main.tsx')],
  outfile: join(out, 'console.js'),
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
copyFileSync(join(here, 'console.css'), join(out, 'console.css'));
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
console.log(`console bundled into ${out} (${Math.round(bytes / 1024)} KiB)`);
