// What the browser tests share: the integration harness (clients/integration/stack.ts, bundled by esbuild for
// Node), Debian's Chromium through playwright-core, and the PASS/FAIL check lines every test prints.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const clients = join(here, '..');
export const target = join(clients, 'target');

/** A logger with elapsed seconds, and check() which records and prints one PASS/FAIL line. */
export function checks(name) {
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const results = [];
  return {
    results,
    elapsed,
    log: (...args) => console.log(`[${name} ${elapsed()}]`, ...args),
    check(title, ok, detail = '') {
      results.push({ name: title, ok });
      console.log(`${ok ? 'PASS' : 'FAIL'} ${title}${detail ? ` — ${detail}` : ''}`);
      return ok;
    },
    summary(exitCode) {
      const failed = results.filter((r) => !r.ok).length;
      console.log(`${name} test: ${results.length - failed}/${results.length} checks passed in ${elapsed()}${exitCode ? ' — FAILED' : ''}`);
    },
  };
}

/**
 * Bundles a test page (a .tsx entry) for the browser: React in development mode (StrictMode double-invokes effects
 * only there), @kull/sync-react and @kull/sync-client from their sources (the contract types generated if missing).
 */
export async function bundlePage(entry, outfile) {
  const contract = join(clients, 'packages/sync-client/src/generated/contract.ts');
  if (!existsSync(contract)) {
    const gen = spawnSync(process.execPath, [join(clients, 'packages/sync-client/scripts/generate-types.mjs')], { stdio: 'inherit' });
    if (gen.status !== 0) throw new Error('generating the contract types failed');
  }
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    jsx: 'automatic',
    sourcemap: 'inline',
    define: { 'process.env.NODE_ENV': '"development"' },
    alias: {
      '@kull/sync-react': join(clients, 'packages/sync-react/src/index.ts'),
      '@kull/sync-client': join(clients, 'packages/sync-client/src/index.ts'),
    },
    logLevel: 'warning',
  });
}

/** Imports the harness: stack.ts bundled into outDir (it finds clients/ from its own import.meta.url, kept as the source's). */
export async function loadStack(outDir) {
  mkdirSync(outDir, { recursive: true });
  const stackSource = join(clients, 'integration/stack.ts');
  const stackBundle = join(outDir, 'stack.mjs');
  await build({
    entryPoints: [stackSource],
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(stackSource).href) },
    outfile: stackBundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return import(pathToFileURL(stackBundle).href);
}

/** Debian's Chromium, headless (playwright-core never downloads a browser). */
export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Closes what a browser test opened (each may be undefined when the test failed before opening it). */
export async function shutDown({ browser, server, stack }) {
  await browser?.close().catch(() => {});
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  await stack?.stop().catch(() => {});
}

/** Calls publish() over and over (100 ms apart) until the returned stop() is awaited: a load shape (a steady stream), not a wait. */
export function keepPublishing(publish, everyMs = 100) {
  let publishing = true;
  const loop = (async () => {
    while (publishing) {
      await publish();
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return async () => {
    publishing = false;
    await loop;
  };
}

/** Waits until the element `selector` (data-state, data-pod) shows the page connected to another pod than `old`. */
export function awaitConnectedElsewhere(page, selector, old, timeout = 60_000) {
  return page.waitForFunction(
    ([sel, previous]) => { const el = document.querySelector(sel); return el.dataset.state === 'connected' && el.dataset.pod && el.dataset.pod !== previous; },
    [selector, old], { timeout },
  );
}

/**
 * Holds a page's script: a test server answers the script's request only once `release()` is called, and `asked`
 * resolves when the page requested it, i.e. the document before it is gone (a reload runs no script meanwhile).
 */
export function scriptHold() {
  let release;
  const released = new Promise((r) => (release = r));
  let requested;
  const asked = new Promise((r) => (requested = r));
  return { released, release, asked, requested };
}

/** Polls `condition` (async) every 100 ms until it returns a truthy value; returns it, or undefined after `timeoutMs`. */
export async function waitFor(condition, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}
