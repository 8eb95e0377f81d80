// Current state on connect, in Chromium: a tab opened while a shoot is at 20% shows 20% (and the balance) from the
// first render that shows anything but a placeholder, never "No SHOOT_PROGRESS yet", without waiting for an event;
// after RESYNC_REQUIRED it shows the state it missed.
//
//   node browser/state.mjs      (part of `npm run test:browser`; needs the packaged jars: ./mvnw -DskipTests package)
//
// The page (browser/page/state.tsx) uses the bindings' defaults: the state is read from its own origin (/api/...),
// which this script's server routes to shoot-service and credit-service (and the rest of /api to the gateway), as
// an ingress or the app's backend would. The stack: broker, one gateway, credit-service, shoot-service.
// Prints each check and what the reads cost (requests per tab, their bytes); exits non-zero when a check fails.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { bundlePage, checks, launchChromium, loadStack, shutDown, target } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(target, 'browser-state');
const { results, log, check, summary } = checks('browser-state');

await bundlePage(join(here, 'page/state.tsx'), join(out, 'state.js'));
const { startStack } = await loadStack(out);

const html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>state</title></head>'
  + '<body><div id="root"></div><script type="module" src="/state.js"></script></body></html>';

let stack;
let server;
let browser;
let exitCode = 1;
try {
  log('starting the stack (broker, 1 gateway, credit-service, shoot-service) ...');
  stack = await startStack({ gateways: 1, shoot: true, name: 'browser-state' });
  const balancerPort = Number(new URL(stack.balancerUrl).port);

  /** Every /api request the page made: path and the size of the answer. */
  const requests = [];
  const upstreamOf = (path) =>
    path.startsWith('/api/credits') ? stack.creditUrl
      : path.startsWith('/api/shoots') || /^\/api\/users\/[^/]+\/shoots/.test(path) ? stack.shootUrl
        : `http://127.0.0.1:${balancerPort}`;
  server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/api/')) {
      const upstream = new URL(upstreamOf(path));
      const record = { path, status: 0, bytes: 0 };
      requests.push(record);
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: { ...req.headers, host: upstream.host } },
        (answer) => {
          record.status = answer.statusCode ?? 0;
          answer.on('data', (chunk) => (record.bytes += chunk.length));
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (e) => res.writeHead(502).end(String(e)));
      req.pipe(forward);
      return;
    }
    if (path === '/state.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(out, 'state.js')));
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(html);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  const pageUrl = (token, shoot) => `${origin}/?${new URLSearchParams({ url: stack.balancerUrl, token, shoot })}`;
  browser = await launchChromium();

  /** A tab of its own (fresh storage), with the frames it received and its page errors. */
  const openTab = async (initScript) => {
    const context = await browser.newContext();
    if (initScript) await context.addInitScript(initScript.fn, initScript.arg);
    const page = await context.newPage();
    const frames = [];
    const errors = [];
    page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
    page.on('pageerror', (e) => errors.push(String(e)));
    return { context, page, frames, errors, framesOf: (type) => frames.filter((f) => f.includes(`"type":"${type}"`)) };
  };
  const renders = (page, what) => page.evaluate((w) => window.__renders.filter((r) => r.what === w), what);
  const NOTHING_YET = /^No .* yet$/;
  /**
   * Publishes through `publish` and resolves once another device of the user, connected straight to the gateway,
   * got the event (text containing `marker`): the gateway has routed it, so a session attached later does not get
   * it live (it would while the gateway was still reading it).
   */
  const publishRouted = async (userId, marker, publish) => {
    const watcher = new WebSocket(`${stack.gateways[0].wsUrl}?token=${stack.token(userId, 'watcher')}`);
    const routed = new Promise((resolve) => watcher.on('message', (m) => String(m).includes(marker) && resolve()));
    await new Promise((resolve, reject) => { watcher.once('open', resolve); watcher.once('error', reject); });
    await publish();
    await routed;
    watcher.close();
  };

  // ---- 1. a new tab while a shoot is at 20% ----
  const userId = `state-tab-${Date.now()}`;
  const shootId = `shoot-${Date.now()}`;
  await stack.publishCredit(userId, 1500, 500, 'top-up');
  await publishRouted(userId, '"processedCount":20', () => stack.publishShootProgress(userId, shootId, 20, 100));
  const tab = await openTab();
  await tab.page.goto(pageUrl(stack.token(userId, 'chromium-state'), shootId));
  await tab.page.waitForSelector('[role="status"][data-state="connected"]', { timeout: 20_000 });
  const shown = await tab.page.waitForSelector(`[data-testid="shoot-${shootId}"][data-percent="20"]`, { timeout: 15_000 }).then(() => true, () => false);
  await tab.page.waitForSelector('[data-testid="balance"][data-balance="1500"]', { timeout: 15_000 }).catch(() => {});
  check('a tab opened while the shoot is at 20% shows 20% without an event (no SHOOT_PROGRESS frame received)',
    shown && tab.framesOf('SHOOT_PROGRESS').length === 0,
    `frames: ${tab.frames.map((f) => JSON.parse(f).type).join(', ')}`);
  const bar = await renders(tab.page, `shoot:${shootId}`);
  const firstConnected = bar.find((r) => r.state === 'connected');
  const texts = bar.map((r) => `${r.text}@${r.state}`);
  check('the shoot bar never rendered "No SHOOT_PROGRESS yet"; the first render after connect shows the value or the loading placeholder',
    !bar.some((r) => NOTHING_YET.test(r.text)) && (firstConnected?.text === '20%' || firstConnected?.text === 'Loading…'),
    `first render after connect: "${firstConnected?.text}"; renders: ${[...new Set(texts)].join(' -> ')}`);
  log(`the first render after connect showed ${firstConnected?.text === '20%' ? 'the value (the state answered before CONNECTION_ESTABLISHED)' : 'the placeholder (the state answered after CONNECTION_ESTABLISHED)'}`);
  const list = await renders(tab.page, 'shoots');
  const balance = await renders(tab.page, 'balance');
  check('the shoot list and the balance never rendered "nothing yet" and show the shoot and 1500',
    !list.some((r) => NOTHING_YET.test(r.text)) && !balance.some((r) => NOTHING_YET.test(r.text))
      && list.at(-1)?.text === shootId && balance.at(-1)?.text === '1500',
    `shoots: ${[...new Set(list.map((r) => r.text))].join(' -> ')}; balance: ${[...new Set(balance.map((r) => r.text))].join(' -> ')}`);
  const stateRequests = requests.filter((r) => !r.path.includes('/devices'));
  const perPath = stateRequests.map((r) => `${r.path.replace(userId, '{userId}').replace(shootId, '{shootId}')} (${r.status}, ${r.bytes} B)`);
  log(`STATE-ON-CONNECT new tab: ${stateRequests.length} requests, ${stateRequests.reduce((n, r) => n + r.bytes, 0)} B of answers: ${perPath.join(' | ')}`);
  // At mount (nothing known), and once more for the connection: it did not resume (cursor=acked, none kept), so
  // what happened between the first read and its attach is read again; its RESYNC_REQUIRED shares that request.
  check('two requests per value for a new tab whose connection did not resume (StrictMode, three components and the RESYNC_REQUIRED add none)',
    stateRequests.length === 6, `${stateRequests.length} requests; RESYNC_REQUIRED frames: ${tab.framesOf('RESYNC_REQUIRED').length}`);

  // ---- 2. live events keep it current ----
  await stack.publishShootProgress(userId, shootId, 30, 100);
  const live = await tab.page.waitForSelector(`[data-testid="shoot-${shootId}"][data-percent="30"]`, { timeout: 15_000 }).then(() => true, () => false);
  check('a live SHOOT_PROGRESS moves the bar to 30%', live && tab.framesOf('SHOOT_PROGRESS').length === 1);
  // A reload resumes from the tab's stored cursor: the values are read once at mount, the resumed connection adds none.
  const beforeReload = requests.length;
  await tab.page.reload();
  await tab.page.waitForSelector('[role="status"][data-state="connected"]', { timeout: 20_000 });
  await tab.page.waitForSelector(`[data-testid="shoot-${shootId}"][data-percent="30"]`, { timeout: 15_000 });
  await tab.page.waitForSelector('[data-testid="balance"][data-balance="1500"]', { timeout: 15_000 }).catch(() => {});
  const resumedWith = tab.framesOf('CONNECTION_ESTABLISHED').at(-1) ?? '';
  const afterReload = requests.slice(beforeReload);
  log(`STATE-ON-CONNECT reload (resumed): ${afterReload.length} requests, ${afterReload.reduce((n, r) => n + r.bytes, 0)} B of answers`);
  check('a reload that resumes reads each value once, at mount, and shows 30% again', resumedWith.includes('"resumed":true') && afterReload.length === 3,
    `${afterReload.length} requests; ${resumedWith.slice(0, 120)}`);
  check('no page errors', tab.errors.length === 0, tab.errors.slice(0, 3).join(' | '));
  await tab.context.close();

  // ---- 3. RESYNC_REQUIRED: the tab shows what it missed ----
  // A tab with a cursor the gateway cannot use (an unreadable one stands for any too old to replay), whose socket
  // is held at the balancer: it reads 30% at mount, 45% is published while it has no connection, then the
  // connection is let through and the gateway answers RESYNC_REQUIRED. No SHOOT_PROGRESS for 45% reaches it.
  const resyncDevice = 'chromium-resync';
  const token = stack.token(userId, resyncDevice);
  stack.balancer.hold();
  const resyncTab = await openTab({
    fn: ({ key }) => localStorage.setItem(key, 'not-a-cursor'),
    arg: { key: `kull-sync-cursor:${stack.balancerUrl}:${userId}:${resyncDevice}` },
  });
  await resyncTab.page.goto(pageUrl(token, shootId));
  await resyncTab.page.waitForSelector(`[data-testid="shoot-${shootId}"][data-percent="30"]`, { timeout: 15_000 });
  await publishRouted(userId, '"processedCount":45', () => stack.publishShootProgress(userId, shootId, 45, 100));
  stack.balancer.release();
  await resyncTab.page.waitForSelector('[role="status"][data-state="connected"]', { timeout: 20_000 });
  const caughtUp = await resyncTab.page.waitForSelector(`[data-testid="shoot-${shootId}"][data-percent="45"]`, { timeout: 15_000 }).then(() => true, () => false);
  check('after RESYNC_REQUIRED the tab shows the 45% it missed, read from shoot-service (no SHOOT_PROGRESS frame)',
    caughtUp && resyncTab.framesOf('RESYNC_REQUIRED').length === 1 && resyncTab.framesOf('SHOOT_PROGRESS').length === 0,
    `frames: ${resyncTab.frames.map((f) => JSON.parse(f).type).join(', ')}`);
  check('no page errors', resyncTab.errors.length === 0, resyncTab.errors.slice(0, 3).join(' | '));
  await resyncTab.context.close();

  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (error) {
  console.error('FAIL browser state test aborted:', error);
  exitCode = 1;
} finally {
  await shutDown({ browser, server, stack });
  summary(exitCode);
}
process.exit(exitCode);
