// The cross-origin browser test: the sync-react README's setup (the app on its own origin, the gateway on another)
// in headless Chromium against real gateway processes whose HTTP API allows the app's origin (GATEWAY_CORS_ORIGINS).
//
//   npm run test:browser        (from clients/; needs the packaged jars: ./mvnw -DskipTests package)
//
// Two page servers on 127.0.0.1 (two origins: one allowed, one not), the stack (broker, 2 gateways behind a TCP
// balancer) with only the first origin allowed. Checks: the allowed app lists its own device from the gateway's
// device list, with `apiBaseUrl` the gateway and with the provider's default; the other origin's page still syncs
// (WebSocket) but its device-list request is refused by the browser, and the list still shows this device.
// Exits non-zero when a check fails; prints every check. Screenshots: clients/target/cross-origin/.
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, checks, launchChromium, loadStack, target } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(target, 'cross-origin');
mkdirSync(out, { recursive: true });
const { results, log, check, summary } = checks('cross-origin');

await bundlePage(join(here, 'page/cross-origin.tsx'), join(out, 'app.js'));
const { startStack } = await loadStack(out);

/** A static server for the page: its own origin, no proxy (unlike run.mjs), so the device list is cross-origin. */
async function pageServer() {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/app.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(join(out, 'app.js')));
    } else if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(readFileSync(join(here, 'page/index.html')));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

let stack;
let browser;
const servers = [];
let exitCode = 1;
try {
  const allowed = await pageServer();
  const other = await pageServer();
  servers.push(allowed.server, other.server);
  log(`pages: allowed ${allowed.origin}, not allowed ${other.origin}`);
  stack = await startStack({ gateways: 2, name: 'cross-origin', credit: false, gatewayEnv: { GATEWAY_CORS_ORIGINS: allowed.origin } });
  const gatewayHttp = stack.balancerUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
  log(`stack up: gateway API ${gatewayHttp}`);

  browser = await launchChromium();
  const userId = `cross-origin-${Date.now()}`;
  const open = async (origin, deviceId, extra) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    // What the gateway's device list answered this page (a refused request has no response to read).
    const answers = [];
    page.on('response', async (response) => {
      if (!response.url().includes('/devices') || response.request().method() !== 'GET') return;
      answers.push((await response.json().catch(() => ({ devices: [] }))).devices.map((d) => d.deviceId));
    });
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}/?${new URLSearchParams({ url: stack.balancerUrl, token: stack.token(userId, deviceId), ...extra })}`);
    await page.waitForSelector('[role="status"][data-state="connected"]', { timeout: 20_000 });
    return { context, page, errors, answers };
  };
  const listText = (page) => page.$eval('[data-testid="device-list"]', (el) => el.textContent ?? '');
  const listed = (page, deviceId) =>
    page.waitForSelector(`[data-testid="device-list"] li[data-device-id="${deviceId}"]`, { timeout: 15_000 }).then(() => true, () => false);

  // ---- 1. the README's setup: apiBaseUrl the gateway, the app on an allowed origin ----
  const a = await open(allowed.origin, 'web-allowed', { api: gatewayHttp });
  const aListed = await listed(a.page, 'web-allowed');
  // The directory learns of a session through Kafka: the fetch after settleMs has it.
  const answeredSelf = async (tab, deviceId) => {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !tab.answers.some((ids) => ids.includes(deviceId))) await new Promise((r) => setTimeout(r, 100));
    return tab.answers.some((ids) => ids.includes(deviceId));
  };
  const aAnswered = await answeredSelf(a, 'web-allowed');
  check('allowed origin, apiBaseUrl the gateway: the device list loads, and the gateway\'s answer lists this device',
    aListed && aAnswered && !(await a.page.$('[role="alert"]')), `${await listText(a.page)}; answers ${JSON.stringify(a.answers)}`);
  await a.page.screenshot({ path: join(out, 'allowed.png') });

  // ---- 2. the provider's default apiBaseUrl (the gateway the client connects to) ----
  const d = await open(allowed.origin, 'web-default', {});
  const dListed = (await listed(d.page, 'web-default')) && (await answeredSelf(d, 'web-default'));
  const dOther = await d.page.waitForSelector('li[data-device-id="web-allowed"]', { timeout: 15_000 }).then(() => true, () => false);
  check('allowed origin, default apiBaseUrl: the device list lists this device and the other tab', dListed && dOther && !(await d.page.$('[role="alert"]')),
    await listText(d.page));
  await d.page.screenshot({ path: join(out, 'default.png') });

  // ---- 3. an origin the gateway does not allow: syncing works (WebSocket), the HTTP API is refused ----
  const o = await open(other.origin, 'web-other', { api: gatewayHttp });
  const refused = await o.page.waitForSelector('[role="alert"]', { timeout: 15_000 }).then(() => true, () => false);
  const alert = refused ? await o.page.textContent('[role="alert"]') : '';
  check('origin not allowed: the device list request is refused (Failed to fetch), the WebSocket still connects', refused && /Failed to fetch/.test(alert ?? ''),
    `${alert}; indicator ${await o.page.getAttribute('[role="status"]', 'data-state')}`);
  const selfShown = await listed(o.page, 'web-other');
  check('origin not allowed: the list still shows this device (known from the connection), not "No devices connected"',
    selfShown && !/No devices connected/.test(await listText(o.page)), await listText(o.page));
  await o.page.screenshot({ path: join(out, 'refused.png') });

  // ---- 4. what the browser saw: the preflight and the answer's CORS headers, from the allowed origin ----
  const preflight = await a.page.evaluate(async ([api, user, token]) => {
    try {
      const response = await fetch(`${api}/api/users/${user}/devices`, { headers: { Authorization: `Bearer ${token}` } });
      return { status: response.status, count: (await response.json()).devices.length };
    } catch (failure) {
      return { error: String(failure) };
    }
  }, [gatewayHttp, userId, stack.token(userId, 'probe')]);
  check('a fetch with Authorization from the allowed origin is answered (preflight passed)', preflight.status === 200 && preflight.count >= 2,
    JSON.stringify(preflight));
  check('no page errors on the allowed origin', a.errors.length === 0 && d.errors.length === 0, [...a.errors, ...d.errors].slice(0, 5).join(' | '));

  exitCode = results.every((r) => r.ok) ? 0 : 1;
} catch (error) {
  console.error('FAIL cross-origin test aborted:', error);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  for (const server of servers) await new Promise((r) => server.close(r));
  await stack?.stop().catch(() => {});
  summary(exitCode);
}
process.exit(exitCode);
