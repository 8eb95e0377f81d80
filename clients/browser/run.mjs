// The browser test: the React bindings and the SDK in real headless Chromium against real gateway processes.
//
//   npm run test:browser        (from clients/; needs the packaged jars: ./mvnw -DskipTests package)
//
// 1. bundles browser/page/app.tsx with esbuild (React in development mode, so StrictMode double-invokes
//    effects; @kull/sync-react and @kull/sync-client from their sources),
// 2. starts the real stack with clients/integration/stack.ts (broker, 2 gateway pods, credit-service, a TCP
//    balancer over the live pods), bundled by esbuild for Node,
// 3. serves the page from a local HTTP server (which also proxies /api/* to the gateways through the
//    balancer, so the device list is same-origin),
// 4. drives Debian's Chromium with playwright-core and checks what the page shows.
// Exits non-zero when a check fails; prints every check. Screenshot: clients/target/browser.png.
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { awaitConnectedElsewhere, bundlePage, checks, keepPublishing, launchChromium, loadStack, scriptHold, shutDown, target } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(target, 'browser');
mkdirSync(out, { recursive: true });

const { results, log, check, summary } = checks('browser');

// ---- build ---------------------------------------------------------------------------------------

await bundlePage(join(here, 'page/app.tsx'), join(out, 'app.js'));
const { startStack } = await loadStack(out);
log('bundled the page and the harness');

// ---- stack, server, browser ----------------------------------------------------------------------

let stack;
let server;
let browser;
let exitCode = 1;
try {
  log('starting the stack (broker, 2 gateways, credit-service, balancer) ...');
  stack = await startStack({ gateways: 2, name: 'browser' });
  const balancerPort = Number(new URL(stack.balancerUrl).port);
  log(`stack up: balancer ${stack.balancerUrl}, pods ${stack.gateways.map((g) => g.podId).join(', ')}`);

  const indexHtml = readFileSync(join(here, 'page/index.html'));
  // While set, app.js is held until `hold.release()`: a reloading page runs no script meanwhile (step 7).
  let hold;
  server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/api/')) {
      // Same-origin device list: proxied to a gateway through the balancer.
      const upstream = http.request(
        { host: '127.0.0.1', port: balancerPort, path: req.url, method: req.method, headers: { ...req.headers, host: `127.0.0.1:${balancerPort}` } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(e));
      });
      req.pipe(upstream);
      return;
    }
    if (path === '/app.js') {
      const held = hold;
      held?.requested();
      void (held?.released ?? Promise.resolve()).then(() => {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(readFileSync(join(out, 'app.js')));
      });
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(indexHtml);
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const pageOrigin = `http://127.0.0.1:${server.address().port}`;
  const pageUrl = (token, extra = {}) => `${pageOrigin}/?${new URLSearchParams({ url: stack.balancerUrl, token, ...extra })}`;

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  const page = await context.newPage();
  const sockets = [];
  page.on('websocket', (ws) => {
    sockets.push(ws.url());
    log(`page opened WebSocket #${sockets.length}`);
  });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });

  /** The user's sessions and recently closed ones on every pod, from the gateways' admin API (via a live pod). */
  const adminUser = async (user) => {
    const live = stack.gateways.find((g) => g.alive());
    const response = await fetch(`${live.httpUrl}/api/admin/users/${user}`, {
      headers: { authorization: `Bearer ${stack.token('browser-operator', 'ops', { groups: ['sync-admin'] })}` },
    });
    if (!response.ok) throw new Error(`GET /api/admin/users/${user} answered ${response.status}`);
    return response.json();
  };
  /** Sessions open and closed for one device, as the gateways saw them. */
  const gatewaySessions = async (user, device) => {
    const view = await adminUser(user);
    const open = view.sessions.filter((s) => s.deviceId === device).length;
    const closed = view.recentlyClosed.filter((s) => s.deviceId === device).length;
    return { open, closed, text: `${open} open and ${closed} closed on the gateways` };
  };

  const userId = `browser-user-${Date.now()}`;
  const deviceId = 'chromium-1';
  const attr = (selector, name) => page.getAttribute(selector, name);
  const indicator = '[role="status"][data-state]';
  const credits = async () => page.$$eval('#credits li', (lis) => lis.map((li) => Number(li.getAttribute('data-balance'))));
  let balance = 1000;
  let published = [];
  const publish = async () => {
    balance += 1;
    await stack.publishCredit(userId, balance, 1, `credit ${balance}`);
    published.push(balance);
  };

  // ---- 1. connected, green, one WebSocket under StrictMode ----
  await page.goto(pageUrl(stack.token(userId, deviceId)));
  await page.waitForSelector(`${indicator}[data-state="connected"]`, { timeout: 20_000 });
  const podA = await attr(indicator, 'data-pod');
  check('SyncIndicator green on connect', (await attr(indicator, 'data-color')) === 'green', `data-state=connected, pod ${podA}, label "${await attr(indicator, 'aria-label')}"`);

  // ---- 2. a credit update through credit-service appears ----
  await publish();
  await page.waitForFunction((n) => document.querySelectorAll('#credits li').length >= n, 1, { timeout: 15_000 });
  check('credit update from credit-service shown', (await page.textContent('#balance')) === String(balance), `balance ${await page.textContent('#balance')}`);
  // StrictMode mounts (and unmounts) before the page connects; the update's round trip through the stack came after.
  const strictSessions = await gatewaySessions(userId, deviceId);
  check('StrictMode opened exactly one WebSocket', sockets.length === 1 && strictSessions.open === 1 && strictSessions.closed === 0,
    `${sockets.length} socket(s), ${strictSessions.text}; url has refusal=close: ${sockets[0]?.includes('refusal=close')}`);

  // ---- 3. DeviceList: fetched, then live DEVICE_CONNECTED / DEVICE_DISCONNECTED ----
  await page.waitForSelector(`[data-testid="device-list"] li[data-device-id="${deviceId}"]`, { timeout: 15_000 }).catch(() => {});
  check('DeviceList lists this device (GET /api/users/{userId}/devices)', (await page.$(`li[data-device-id="${deviceId}"]`)) !== null,
    await page.$eval('[data-testid="device-list"]', (el) => el.textContent ?? ''));
  const ipad = new WebSocket(`${stack.gateways.find((g) => g.podId !== podA).wsUrl}?token=${stack.token(userId, 'ipad-7')}`);
  await new Promise((r, j) => { ipad.once('open', r); ipad.once('error', j); });
  const ipadShown = await page.waitForSelector('li[data-device-id="ipad-7"]', { timeout: 15_000 }).then(() => true, () => false);
  check('DeviceList adds a device on DEVICE_CONNECTED', ipadShown);
  ipad.close();
  const ipadGone = await page.waitForSelector('li[data-device-id="ipad-7"]', { state: 'detached', timeout: 20_000 }).then(() => true, () => false);
  check('DeviceList removes it on DEVICE_DISCONNECTED', ipadGone);

  // ---- 4. the pod the page is on is stopped: yellow, then green on another pod; credits exactly once, in order ----
  // Record every state the indicator actually displayed.
  await page.evaluate((sel) => {
    const el = document.querySelector(sel);
    window.__indicator = [[el.dataset.state, el.dataset.color, el.dataset.pod]];
    new MutationObserver(() => {
      const seen = window.__indicator;
      const next = [el.dataset.state, el.dataset.color, el.dataset.pod];
      const last = seen[seen.length - 1];
      if (!last || next.join() !== last.join()) seen.push(next);
    }).observe(el, { attributes: true });
  }, indicator);

  /** Waits until the page lists at least `count` credit updates. */
  const shownCount = (count) => page.waitForFunction((n) => document.querySelectorAll('#credits li').length >= n, count, { timeout: 30_000 });
  const failover = async (label, stop, expectPodNot) => {
    const before = published.length;
    const stopPublishing = keepPublishing(publish);
    await shownCount(before + 3); // live updates flowing through the pod about to stop
    log(`${label}: stopping ${expectPodNot}`);
    const stopped = stop();
    await awaitConnectedElsewhere(page, indicator, expectPodNot);
    const newPod = await attr(indicator, 'data-pod');
    await shownCount(published.length + 3); // live updates flowing through the new pod
    await stopPublishing();
    await stopped;
    await publish(); // a marker: anything shown twice arrives before it
    await page.waitForSelector(`#credits li[data-balance="${balance}"]`, { timeout: 20_000 }).catch(() => {});
    const shown = await credits();
    // Read what was shown since the last call; keep the current state as the start of the next record.
    const seen = await page.evaluate(() => {
      const all = window.__indicator;
      window.__indicator = [all[all.length - 1]];
      return all.map((s) => s.join('/'));
    });
    const sawYellow = seen.some((s) => s.startsWith('reconnecting/yellow'));
    check(`${label}: indicator went yellow (reconnecting) and back to green on ${newPod}`, sawYellow && newPod !== expectPodNot, seen.join(' -> '));
    const exact = shown.length === published.length && shown.every((b, i) => b === published[i]);
    check(`${label}: ${published.length - before} credit updates published during the failover appear exactly once, in order`, exact,
      exact ? `all ${shown.length} shown` : `published ${JSON.stringify(published)} shown ${JSON.stringify(shown)}`);
    return newPod;
  };

  const gatewayA = stack.gateways.find((g) => g.podId === podA);
  const podB = await failover('SIGTERM (drain, 1012)', () => gatewayA.terminate(), podA);
  log(`starting gateway-c so there is a pod to fail over to ...`);
  await stack.startGateway('gateway-c');
  const gatewayB = stack.gateways.find((g) => g.podId === podB);
  const podC = await failover('SIGKILL (crash, 1006)', () => gatewayB.kill(), podB);
  log(`page now on ${podC}; stats ${await page.textContent('#stats')}`);
  const socketsAfter = sockets.length;
  check('one WebSocket per connection (no duplicate sockets from React)', socketsAfter >= 3 && socketsAfter <= 6, `${socketsAfter} sockets over 3 connections (reconnect attempts included)`);

  // DeviceList refetched after the reconnects: this device is listed on its current pod.
  const onNewPod = await page
    .waitForSelector(`li[data-device-id="${deviceId}"][data-pod="${podC}"]`, { timeout: 15_000 })
    .then(() => true, () => false);
  check('DeviceList refetched after the reconnect: this device is on the new pod', onNewPod,
    await page.$eval('[data-testid="device-list"]', (el) => el.textContent ?? ''));
  check('no page errors', pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));

  await page.screenshot({ path: join(target, 'browser.png'), fullPage: true });
  log(`screenshot: ${join(target, 'browser.png')}`);

  // ---- 5. a refused upgrade is actionable: an expired token shows close code 4401 ----
  const refusedContext = await browser.newContext();
  const refused = await refusedContext.newPage();
  const refusedSockets = [];
  refused.on('websocket', (ws) => refusedSockets.push(ws));
  await refused.goto(pageUrl(stack.token(userId, 'chromium-expired', { expiresInSeconds: -120 })));
  const got4401 = await refused
    .waitForSelector('#connection[data-close-code="4401"]', { timeout: 20_000 })
    .then(() => true, () => false);
  await refused.waitForSelector('#connection[data-state="failed"]', { timeout: 10_000 }).catch(() => {});
  const refusedState = await refused.getAttribute('#connection', 'data-state');
  const closeCode = await refused.getAttribute('#connection', 'data-close-code');
  const authErrors = await refused.$$eval('#errors li[data-kind="auth"]', (lis) => lis.map((li) => li.textContent));
  check('expired token: the page shows close code 4401 (refusal=close)', got4401,
    `close code ${closeCode || '(none)'}, state ${refusedState}, indicator "${await refused.getAttribute(indicator, 'aria-label')}", auth errors ${JSON.stringify(authErrors)}`);
  check('expired token: the SDK stops (failed) after the refreshed token is refused too', refusedState === 'failed', `state ${refusedState}, ${refusedSockets.length} socket(s)`);
  await refused.screenshot({ path: join(out, 'refused.png') });
  await refusedContext.close();

  // ---- 6. the recommended setup (a client created outside render, passed as `client`) under StrictMode ----
  const appClientContext = await browser.newContext();
  const appClientPage = await appClientContext.newPage();
  let appClientSockets = 0;
  appClientPage.on('websocket', () => appClientSockets++);
  await appClientPage.goto(pageUrl(stack.token(userId, 'chromium-2'), { mode: 'client' }));
  const appClientUp = await appClientPage.waitForSelector(`${indicator}[data-state="connected"]`, { timeout: 20_000 }).then(() => true, () => false);
  await publish(); // a round trip through the stack after StrictMode's mounts
  await appClientPage.waitForSelector(`#credits li[data-balance="${balance}"]`, { timeout: 20_000 }).catch(() => {});
  const appClientSessions = await gatewaySessions(userId, 'chromium-2');
  check('client prop (created outside render): green, one WebSocket under StrictMode',
    appClientUp && appClientSockets === 1 && appClientSessions.open === 1 && appClientSessions.closed === 0,
    `${appClientSockets} socket(s), ${appClientSessions.text}, pod ${await appClientPage.getAttribute(indicator, 'data-pod')}`);
  await appClientContext.close();

  // ---- 7. the cursor survives a reload: what was published while the page reloaded arrives once, nothing twice ----
  const reloadUser = `browser-reload-${Date.now()}`;
  const reloadContext = await browser.newContext();
  const reloadPage = await reloadContext.newPage();
  const reloadSockets = [];
  reloadPage.on('websocket', (ws) => reloadSockets.push(ws.url()));
  reloadPage.on('pageerror', (e) => pageErrors.push(String(e)));
  const reloadCredits = () => reloadPage.$$eval('#credits li', (lis) => lis.map((li) => Number(li.getAttribute('data-balance'))));
  const publishTo = async (list, value) => {
    await stack.publishCredit(reloadUser, value, 1, `credit ${value}`);
    list.push(value);
  };
  await reloadPage.goto(pageUrl(stack.token(reloadUser, 'chromium-reload')));
  await reloadPage.waitForSelector(`${indicator}[data-state="connected"]`, { timeout: 20_000 });
  const beforeReload = [];
  for (let value = 1; value <= 3; value++) await publishTo(beforeReload, value);
  await reloadPage.waitForFunction(() => document.querySelectorAll('#credits li').length >= 3, null, { timeout: 15_000 });
  const stored = await reloadPage.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('kull-sync-cursor:')));
  check('the cursor is kept in web storage, keyed by user and device', stored.length === 1 && stored[0].endsWith(`:${reloadUser}:chromium-reload`), JSON.stringify(stored));

  const held = (hold = scriptHold());
  const reloading = reloadPage.reload({ waitUntil: 'load', timeout: 30_000 });
  await held.asked; // the old document is gone (its socket with it), the new one has not run yet
  const duringReload = [];
  for (let value = 4; value <= 8; value++) await publishTo(duringReload, value);
  hold = undefined;
  held.release();
  await reloading;
  await reloadPage.waitForSelector(`${indicator}[data-state="connected"]`, { timeout: 20_000 });
  const afterReload = [];
  for (let value = 9; value <= 11; value++) await publishTo(afterReload, value); // 11: a marker, anything shown twice comes before it
  const expected = [...duringReload, ...afterReload];
  await reloadPage.waitForSelector('#credits li[data-balance="11"]', { timeout: 20_000 }).catch(() => {});
  const shownAfterReload = await reloadCredits();
  const resumeUrl = new URL(reloadSockets.at(-1) ?? 'ws://none/');
  check('after the reload the page resumed from its stored cursor (not from scratch, not from the acknowledged one)',
    reloadSockets.length === 2 && /~/.test(resumeUrl.searchParams.get('cursor') ?? ''),
    `${reloadSockets.length} sockets; cursor ${resumeUrl.searchParams.get('cursor')}; stats ${await reloadPage.textContent('#stats')}`);
  check(`the ${duringReload.length} credit updates published while the page reloaded appear after it exactly once, in order, and nothing from before`,
    JSON.stringify(shownAfterReload) === JSON.stringify(expected), `shown ${JSON.stringify(shownAfterReload)}, expected ${JSON.stringify(expected)}`);
  await reloadContext.close();

  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (error) {
  console.error('FAIL browser test aborted:', error);
  exitCode = 1;
} finally {
  await shutDown({ browser, server, stack });
  summary(exitCode);
}
process.exit(exitCode);
