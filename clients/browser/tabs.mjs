// The tab-sharing test: one app in five tabs of one headless Chromium holds ONE connection to the gateway.
//
//   node browser/tabs.mjs        (from clients/; part of npm run test:browser; needs the packaged jars)
//
// 1. bundles browser/page/tabs.tsx (React in StrictMode, the SDK's defaults: tab sharing on) with esbuild,
// 2. starts the real stack (broker, one gateway pod, credit-service) with clients/integration/stack.ts,
// 3. opens five pages of one browser context (tabs of one browser: they share Web Locks and BroadcastChannel),
// 4. counts the sessions on the gateway (its sync_gateway_sessions gauge on /q/metrics) and the WebSockets the
//    pages opened, publishes credit updates through credit-service and checks every tab gets each one once, in
//    order; closes the tab holding the connection while updates are published before, during and after the
//    handover, and checks the other four get every one of them once, in order (by event id); reloads a tab while
//    updates are published and checks it shows those after its stored cursor once, in order; freezes the next
//    leader (its script paused) and checks a tab the user looks at takes over and nothing is lost or doubled,
//    also in the thawed tab; checks another user's tab and tabs with shareTabs: false do not share.
// Exits non-zero when a check fails; prints every check and the figures.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { bundlePage, checks, clients, keepPublishing, launchChromium, loadStack, scriptHold, target, waitFor } from './harness.mjs';

const out = join(target, 'browser-tabs');
const TABS = 5;
const { results, log, check, summary } = checks('tabs');

await bundlePage(join(clients, 'browser/page/tabs.tsx'), join(out, 'tabs.js'));
const { startStack } = await loadStack(out);
log('bundled the page and the harness');

let stack;
let server;
let browser;
let exitCode = 1;
try {
  log('starting the stack (broker, 1 gateway, credit-service) ...');
  stack = await startStack({ gateways: 1, name: 'tabs' });
  const gateway = stack.gateways[0];
  /** Sessions open on the gateway, from its own metrics. */
  const sessions = async () => {
    const text = await (await fetch(`${gateway.httpUrl}/q/metrics`)).text();
    const lines = text.split('\n').filter((line) => /^sync_gateway_sessions(\{|\s)/.test(line));
    if (lines.length === 0) throw new Error('no sync_gateway_sessions gauge on /q/metrics');
    return lines.reduce((sum, line) => sum + Number(line.trim().split(/\s+/).pop()), 0);
  };

  const bundle = join(out, 'tabs.js');
  // While set, the page's script is held until `hold.release()`: a reloading tab runs nothing meanwhile.
  let hold;
  server = http.createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/tabs.js') {
      const held = hold;
      if (held) {
        held.requested();
        await held.released;
      }
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(bundle));
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>tabs</title></head>'
        + '<body><div id="root"></div><script type="module" src="/tabs.js"></script></body></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const pageUrl = (token, extra = {}) => `http://127.0.0.1:${server.address().port}/?${new URLSearchParams({ url: stack.balancerUrl, token, ...extra })}`;

  browser = await launchChromium();
  const context = await browser.newContext();
  const userId = `tabs-user-${Date.now()}`;
  const token = stack.token(userId, 'chromium-tabs');
  /** Which page opened each WebSocket, in order. */
  const sockets = [];
  const pageErrors = [];
  const openTab = async (tokenForTab, extra) => {
    const page = await context.newPage();
    page.on('websocket', () => sockets.push(page));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(pageUrl(tokenForTab, extra));
    return page;
  };
  const pages = [];
  for (let i = 0; i < TABS; i++) pages.push(await openTab(token));
  const state = (page) => page.getAttribute('#tab', 'data-state');
  const allConnected = async (list) => (await Promise.all(list.map(state))).every((s) => s === 'connected');
  const upAt = Date.now();
  check(`${TABS} tabs of one app connected`, await waitFor(() => allConnected(pages)), `in ${Date.now() - upAt} ms`);
  const oneSession = await waitFor(async () => (await sessions()) === 1, 10_000);
  check(`the gateway holds ONE session for the ${TABS} tabs (sync_gateway_sessions)`, oneSession,
    `${await sessions()} session(s); ${sockets.length} WebSocket(s) opened by the pages`);
  check('the pages opened one WebSocket in all', sockets.length === 1, `${sockets.length}`);

  const published = [];
  let balance = 0;
  const publish = async () => {
    balance += 1;
    await stack.publishCredit(userId, balance, 1, `credit ${balance}`);
    published.push(balance);
  };
  const received = (page) => page.evaluate(() => window.__tab.events);
  /** Where each page's list starts in `published` (a reloaded page shows only what came after its reload). */
  const shownFrom = new Map();
  const expectedFor = (page) => published.slice(shownFrom.get(page) ?? 0);
  /** Every update published since the page's start exactly once and in order, by event id. */
  const exact = (events, page) => new Set(events.map((e) => e.id)).size === events.length
    && JSON.stringify(events.map((e) => e.balance)) === JSON.stringify(expectedFor(page));
  /** Each page's events once it has as many as were published for it (or what it has after 30 s), and whether all are exact. */
  const allReceived = async (list) => {
    const complete = async () => {
      const got = await Promise.all(list.map(received));
      return got.every((events, i) => events.length >= expectedFor(list[i]).length) && got;
    };
    const got = (await waitFor(complete, 30_000)) || (await Promise.all(list.map(received)));
    return { got, ok: got.every((events, i) => exact(events, list[i])), counts: got.map((events) => events.length).join(', ') };
  };

  // ---- every tab gets every event once, in order ----
  for (let i = 0; i < 10; i++) await publish();
  let got = await allReceived(pages);
  check(`each of the ${TABS} tabs got the ${published.length} credit updates once, in order`, got.ok, got.counts);

  // ---- a follower tab sends through the leader: deliver() confirmed, requestPending() answered ----
  const leader = sockets[0];
  const follower = pages.find((page) => page !== leader);
  const receipt = await follower.evaluate(() => window.__tab.client.deliver('UPDATE_PROGRESS', {
    shootId: 'tabs-shoot', status: 'processing', processedCount: 1, totalCount: 4, provider: 'test',
  }));
  check('a follower tab\'s deliver() is confirmed by the gateway (RECEIVED through the leader)', receipt.confirmed === true, JSON.stringify(receipt));
  const pending = await follower.evaluate(() => window.__tab.client.requestPending());
  check('a follower tab\'s requestPending() is answered', typeof pending === 'number', `delivered ${pending}`);

  // ---- the leader's tab closes while updates are published: the others keep every update once, in order ----
  const stopPublishing = keepPublishing(publish, 50); // about one update per 60-100 ms
  const others = pages.filter((page) => page !== leader);
  const beforeClose = published.length;
  await waitFor(() => published.length >= beforeClose + 5);
  const closedAt = Date.now();
  const atClose = published.length;
  await leader.close();
  log(`closed the leader's tab after update ${atClose}`);
  const handedOver = await waitFor(async () => sockets.length >= 2 && (await allConnected(others)) && (await sessions()) === 1, 30_000);
  const handoverMs = Date.now() - closedAt;
  const atReconnect = published.length;
  const newLeader = sockets.at(-1);
  check('after the leader closed, another tab holds the one connection', handedOver && others.includes(newLeader),
    `${handoverMs} ms; ${sockets.length} WebSockets in all; ${await sessions()} session(s) on the gateway`);
  await waitFor(() => published.length >= atReconnect + 10);
  await stopPublishing();
  log(`published ${beforeClose} before, ${atClose - beforeClose} more before the close, ${atReconnect - atClose} during the handover, ${published.length - atReconnect} after`);
  // The last update published is a marker: an update shown twice arrives before it, and exact() sees it.
  got = await allReceived(others);
  check(`each of the ${others.length} remaining tabs got all ${published.length} updates (before, during and after the handover) once, in order`,
    got.ok, got.got.map((events) => `${events.length} (${new Set(events.map((e) => e.id)).size} distinct)`).join(', '));
  const attempts = await Promise.all(others.map((page) => page.getAttribute('#tab', 'data-attempts')));
  log(`reconnect attempts shown by the remaining tabs: ${attempts.join(', ')}`);
  check('still one session after the handover', (await sessions()) === 1, `${await sessions()}`);

  // ---- a tab reloads while updates are published: it resumes after its stored cursor from the frames kept ----
  const reloading = others.find((page) => page !== newLeader);
  const had = (await received(reloading)).length;
  const held = (hold = scriptHold());
  const reloaded = reloading.reload();
  await held.asked; // the old document is gone, the new one has not run yet
  for (let i = 0; i < 5; i++) await publish();
  hold = undefined;
  held.release();
  await reloaded;
  for (let i = 0; i < 3; i++) await publish();
  shownFrom.set(reloading, had);
  const sinceReload = await allReceived([reloading]);
  check(`a reloaded tab shows the ${expectedFor(reloading).length} updates published during and after its reload once, in order (from its stored cursor)`,
    sinceReload.ok, `shown ${JSON.stringify(sinceReload.got[0].map((e) => e.balance))}, expected ${JSON.stringify(expectedFor(reloading))}; ${await sessions()} session(s)`);
  got = await allReceived(others.filter((page) => page !== reloading));
  check('the other tabs still have every update once, in order', got.ok, got.counts);

  // ---- the leader's tab is frozen (its script stops, as Chrome and Safari do to background tabs): another takes over ----
  // CDP's Page.setWebLifecycleState does not freeze a visible page, and headless pages are visible: the debugger
  // pauses the leader's script instead; like a frozen tab, it runs nothing and its socket and channel queue up.
  const frozenLeader = newLeader;
  const awake = others.filter((page) => page !== frozenLeader);
  const cdp = await context.newCDPSession(frozenLeader);
  await cdp.send('Debugger.enable');
  await cdp.send('Debugger.pause');
  const socketsBeforeFreeze = sockets.length;
  for (let i = 0; i < 5; i++) await publish();
  const frozenAt = Date.now();
  // The user switches to another tab: it finds the leader silent and takes the lock over.
  await awake[0].evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  const tookOver = await waitFor(async () => sockets.length > socketsBeforeFreeze && awake.includes(sockets.at(-1)) && (await allConnected(awake)), 30_000);
  check('a tab takes the connection over from a frozen leader', tookOver, `${Date.now() - frozenAt} ms after the user looked at another tab`);
  for (let i = 0; i < 5; i++) await publish();
  got = await allReceived(awake);
  check(`the ${awake.length} awake tabs got every update once, in order, while the old leader was frozen`, got.ok, `${got.counts} (${published.length} published)`);
  log(`sessions while the old leader is frozen: ${await sessions()} (its socket stays open until it runs again)`);
  await cdp.send('Debugger.resume');
  const thawed = await waitFor(async () => (await state(frozenLeader)) === 'connected' && (await sessions()) === 1, 30_000);
  for (let i = 0; i < 3; i++) await publish();
  got = await allReceived(others);
  check('the thawed tab gave its connection up and follows: one session, and every tab (the thawed one too) has every update once, in order',
    thawed && got.ok, `${await sessions()} session(s); ${got.counts} (${published.length} published)`);

  // ---- another user in the same browser gets a connection of its own ----
  const otherUser = await openTab(stack.token(`${userId}-b`, 'chromium-tabs'));
  const separate = await waitFor(async () => (await state(otherUser)) === 'connected' && (await sessions()) === 2, 20_000);
  check('another user\'s tab in the same browser does not share: two sessions', separate, `${await sessions()} session(s)`);

  // ---- shareTabs: false: a socket per tab ----
  const unshared = [];
  for (let i = 0; i < 3; i++) unshared.push(await openTab(stack.token(`${userId}-c`, 'chromium-tabs'), { share: 'off' }));
  const perTab = await waitFor(async () => (await allConnected(unshared)) && (await sessions()) === 5, 20_000);
  check('with shareTabs: false three tabs of a third user hold three sessions of their own', perTab, `${await sessions()} session(s) in all`);
  check('no page errors', pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));

  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (error) {
  console.error('FAIL tabs test aborted:', error);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await new Promise((r) => (server ? server.close(r) : r()));
  await stack?.stop().catch(() => {});
  summary(exitCode);
}
process.exit(exitCode);
