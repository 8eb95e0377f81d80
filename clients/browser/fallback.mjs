// The SSE fallback in a real browser: headless Chromium with every WebSocket upgrade refused at the network, as
// corporate proxies and some mobile networks do, against real gateway processes.
//
//   node browser/fallback.mjs   (from clients/, part of `npm run test:browser`; needs the packaged jars)
//
// The page (browser/page/app.tsx) is served by a proxy in front of the stack's TCP balancer (two gateway pods)
// that passes plain HTTP through and answers every upgrade 403 (stack.ts, startUpgradeRefusingProxy). The SDK falls
// back to Server-Sent Events; credit updates published meanwhile must appear once and in order, also across a
// SIGKILL of the pod serving the stream. Exits non-zero when a check fails.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { awaitConnectedElsewhere, bundlePage, checks, keepPublishing, launchChromium, loadStack, target } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(target, 'browser-fallback');
const { results, log, check, summary } = checks('fallback');

await bundlePage(join(here, 'page/app.tsx'), join(out, 'app.js'));
const { startStack, startUpgradeRefusingProxy } = await loadStack(out);

let stack;
let proxy;
let browser;
let exitCode = 1;
try {
  log('starting the stack (broker, 2 gateways, credit-service, balancer) ...');
  stack = await startStack({ gateways: 2, name: 'fallback' });
  const indexHtml = readFileSync(join(here, 'page/index.html'));
  // The page and the gateways on one origin, behind the proxy: no CORS involved, only the blocked upgrade.
  proxy = await startUpgradeRefusingProxy(stack.balancer.port, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(indexHtml);
      return true;
    }
    if (path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(out, 'app.js')));
      return true;
    }
    return false;
  });
  const origin = `http://127.0.0.1:${proxy.port}`;
  log(`stack up; page and gateways behind ${origin}, which refuses WebSocket upgrades`);

  browser = await launchChromium();
  const page = await (await browser.newContext()).newPage();
  const sockets = [];
  page.on('websocket', (ws) => sockets.push(ws.url()));
  const streams = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/sse') streams.push({ url: request.url(), headers: request.headers() });
  });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  // The SDK's debug log (localStorage.debug = 'ws:*'), printed when a step fails.
  const sdkLog = [];
  await page.addInitScript(() => localStorage.setItem('debug', 'ws:*'));
  page.on('console', (m) => sdkLog.push(m.text()));
  const failWith = (error) => {
    console.log(`SDK log (last 30 lines):\n  ${sdkLog.slice(-30).join('\n  ')}`);
    throw error;
  };

  const userId = `fallback-user-${Date.now()}`;
  const indicator = '#connection';
  const published = [];
  let balance = 0;
  const publish = async () => {
    balance += 1;
    await stack.publishCredit(userId, balance, 1, `credit ${balance}`);
    published.push(balance);
  };
  const credits = () => page.$$eval('#credits li', (lis) => lis.map((li) => Number(li.getAttribute('data-balance'))));
  /** Waits until the page lists at least `count` credit updates. */
  const shownCount = (count) => page.waitForFunction((n) => document.querySelectorAll('#credits li').length >= n, count, { timeout: 30_000 });

  // ---- 1. WebSocket refused twice: the SDK connects over SSE ----
  await page.goto(`${origin}/?${new URLSearchParams({ url: `ws://127.0.0.1:${proxy.port}/ws`, token: stack.token(userId, 'chromium-sse') })}`);
  await page.waitForSelector(`${indicator}[data-state="connected"]`, { timeout: 60_000 }).catch(failWith);
  const transport = await page.getAttribute(indicator, 'data-transport');
  const podA = await page.getAttribute(indicator, 'data-pod');
  check('WebSocket upgrades refused, the SDK connected over SSE', transport === 'sse' && proxy.refused() >= 2,
    `transport ${transport}, pod ${podA}, ${sockets.length} WebSocket attempt(s), ${proxy.refused()} upgrade(s) refused by the proxy`);
  check('the token travels in Authorization, not in the stream URL (proxies log URLs)',
    streams.length > 0 && streams.every((s) => (s.headers.authorization ?? '').startsWith('Bearer ') && !/[?&]token=/.test(s.url)),
    `${streams.length} stream request(s): ${streams[0]?.url}`);

  // ---- 2. live events over SSE ----
  for (let i = 0; i < 5; i++) await publish();
  await shownCount(5);
  const firstFive = await credits();
  check('5 credit updates arrive over SSE once, in order', JSON.stringify(firstFive) === JSON.stringify(published), JSON.stringify(firstFive));

  // ---- 3. SIGKILL of the pod serving the stream: nothing lost, nothing twice ----
  const stopPublishing = keepPublishing(publish);
  await shownCount(published.length + 3); // live updates flowing over the stream about to die
  log(`SIGKILL ${podA}`);
  await stack.gateways.find((g) => g.podId === podA).kill();
  await awaitConnectedElsewhere(page, indicator, podA);
  const podB = await page.getAttribute(indicator, 'data-pod');
  await shownCount(published.length + 3); // live updates flowing over the new stream
  await stopPublishing();
  await publish(); // a marker: anything shown twice arrives before it
  await page.waitForSelector(`#credits li[data-balance="${balance}"]`, { timeout: 20_000 }).catch(() => {});
  const shown = await credits();
  const exact = shown.length === published.length && shown.every((b, i) => b === published[i]);
  check(`SIGKILL of ${podA}: resumed over SSE on ${podB}; all ${published.length} credit updates shown exactly once, in order`,
    exact && podB !== podA && (await page.getAttribute(indicator, 'data-transport')) === 'sse',
    exact ? `stats ${await page.textContent('#stats')}` : `published ${JSON.stringify(published)} shown ${JSON.stringify(shown)}`);
  const stats = JSON.parse(await page.textContent('#stats'));
  check('one reconnect for one killed pod (no POST lost its session meanwhile)', stats.reconnects === 1, `stats ${JSON.stringify(stats)}`);
  // The SDK acknowledges what it processed with ACKs POSTed to its session (relayed when they reach the other pod).
  const metrics = await fetch(`${stack.gateways.find((g) => g.podId === podB).httpUrl}/q/metrics`).then((r) => r.text());
  const posted = [...metrics.matchAll(/^sync_gateway_sse_messages_total\{status="200"\S*\s+(\S+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  check('client messages POSTed and answered 200 on the serving pod', posted > 0, `${posted} on ${podB}`);
  check('no page errors', pageErrors.length === 0, pageErrors.slice(0, 3).join(' | '));
  log(`SDK closes seen: ${sdkLog.filter((line) => /ws:sync closed/.test(line)).join(' | ')}`);
  await page.screenshot({ path: join(target, 'browser-fallback.png'), fullPage: true });

  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (error) {
  console.error('FAIL fallback test aborted:', error);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await proxy?.close().catch(() => {});
  await stack?.stop().catch(() => {});
  summary(exitCode);
}
process.exit(exitCode);
