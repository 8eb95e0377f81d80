// The live console's browser test: the page the gateway serves at /console/ (from its packaged jar, the real
// artifact), in headless Chromium, against real processes: a broker, two gateway pods behind a TCP balancer
// (like a Kubernetes Service: the page, its WebSocket and its API calls all go through it) and credit-service
// with anonymous writes and CORS for the page's origin, as the local stack runs them.
//
//   npm run test:console        (from clients/; needs the packaged jars: ./mvnw -DskipTests package)
//
// Checks: two tabs of one user signed in with dev tokens are connected; the page's credit button updates both
// tabs; the operator view refuses a dev token, lists both pods and the user's sessions on them; stopping the pod
// a tab is on turns its indicator to reconnecting and back to connected on the other pod, with every credit
// update published meanwhile in its event log exactly once, in order; the delivery trace shows them delivered.
// Every wait has a deadline; no check depends on how long something took. Screenshots: clients/target/console/
// (user.png: tab A after the stop; ops-two-pods.png: the ops view before it; ops.png: after it, with the trace).
//
// Against a running local stack instead (deploy/local/run.sh; nothing is stopped there, so no failover; the
// shoot progress button is checked too, shoot-service being part of that stack):
//   CONSOLE_URL=http://localhost:8080/console/ CONSOLE_URL_B=http://localhost:8090/console/ npm run test:console
// (tab B on the second gateway's console; the admin token from ADMIN_TOKEN or target/local-stack/admin-token;
// screenshots into CONSOLE_SCREENSHOTS, default clients/target/console).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checks, launchChromium, loadStack, target } from './harness.mjs';

const out = process.env.CONSOLE_SCREENSHOTS ?? join(target, 'console');
const localStack = process.env.CONSOLE_URL;
const { results, log, check, summary } = checks('console');

const indicator = '#user-view [role="status"][data-state]';
const connected = `${indicator}[data-state="connected"]`;
const creditIdsInLog = (page) =>
  page.$$eval('#event-log li[data-type="CREDIT_UPDATE"]', (lis) =>
    lis.map((li) => ({ seq: Number(li.dataset.seq), id: li.dataset.eventId })).sort((a, b) => a.seq - b.seq).map((e) => e.id));

const { startStack } = await loadStack(join(target, 'console'));

let stack;
let browser;
let exitCode = 1;
try {
  if (!localStack) log('starting the stack (broker, 2 gateways, credit-service, balancer) ...');
  stack = localStack ? undefined : await startStack({
    gateways: 2,
    name: 'console',
    // Local development as deploy/local/run.sh sets it up: raw dev tokens on the gateways; on credit-service
    // anonymous writes and CORS for the console's origin (the balancer, on 127.0.0.1 and a free port).
    gatewayEnv: { GATEWAY_AUTH_DEV_TOKENS: 'true' },
    creditEnv: { SYNC_SERVICE_ALLOW_ANONYMOUS: 'true', QUARKUS_HTTP_CORS_ENABLED: 'true', QUARKUS_HTTP_CORS_ORIGINS: '/http://127[.]0[.]0[.]1:[0-9]+/' },
  });
  const consoleUrl = localStack ?? `http://127.0.0.1:${stack.balancer.port}/console/?${new URLSearchParams({ credit: stack.creditUrl, poll: '1000' })}`;
  const adminToken = localStack ? process.env.ADMIN_TOKEN ?? readFileSync(join(target, '../../target/local-stack/admin-token'), 'utf8').trim()
    : stack.token('console-operator', 'ops', { groups: ['sync-admin'] });
  log(`console ${consoleUrl}${stack ? `, pods ${stack.gateways.map((g) => g.podId).join(', ')}` : ' (a running local stack)'}`);

  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const pageErrors = [];
  const open = async (name, hash = '', url = consoleUrl) => {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(`${name}: ${e}`));
    await page.goto(url + hash);
    return page;
  };
  const signIn = async (page, token) => {
    await page.fill('#user-token', token);
    await page.press('#user-token', 'Enter');
  };

  // ---- 1. two tabs of one user, dev tokens: connected ----
  const userId = `console-user-${Date.now()}`;
  const tabA = await open('tab A');
  const tabB = await open('tab B', '', (localStack && process.env.CONSOLE_URL_B) || consoleUrl);
  await signIn(tabA, `${userId}:tab-a`);
  await signIn(tabB, `${userId}:tab-b`);
  for (const [name, tab] of [['A', tabA], ['B', tabB]]) {
    const up = await tab.waitForSelector(connected, { timeout: 30_000 }).then(() => true, () => false);
    check(`tab ${name}: SyncIndicator connected with a dev token`, up,
      `pod ${await tab.getAttribute(indicator, 'data-pod')}, "${await tab.getAttribute(indicator, 'aria-label')}"`);
  }
  const bothListed = await tabA.waitForSelector('[data-testid="device-list"] li[data-device-id="tab-b"]', { timeout: 20_000 }).then(() => true, () => false);
  check('tab A: DeviceList shows tab B, live', bothListed, await tabA.$eval('[data-testid="device-list"]', (el) => el.textContent ?? ''));
  const tabBAsWeb = await tabA.waitForSelector('[data-testid="device-list"] li[data-device-id="tab-b"]:has-text("· web")', { timeout: 20_000 }).then(() => true, () => false);
  check('tab A: tab B (a dev token with a device, in Chromium) is listed as platform web, not unknown', tabBAsWeb,
    await tabA.$eval('[data-testid="device-list"]', (el) => el.textContent ?? ''));
  const startingBalance = await tabA.waitForSelector('#balance[data-balance="0"]', { timeout: 20_000 }).then(() => true, () => false);
  check("tab A: a new user's balance is credit-service's starting 0 (not a 404 and '—')", startingBalance, `balance ${await tabA.textContent('#balance')}`);

  // ---- 2. the page's credit button: both tabs get it ----
  await tabA.click('#send-credit');
  const sent = await tabA.waitForSelector('#sent li[data-kind="credit"]', { timeout: 30_000 });
  const sentStatus = await sent.getAttribute('data-status');
  const [creditId] = (await sent.getAttribute('data-event-ids')).split(',');
  check('credit button: credit-service accepted the page\'s request (CORS, anonymous write)', sentStatus === '200', await sent.textContent());
  for (const [name, tab] of [['A', tabA], ['B', tabB]]) {
    const shown = await tab.waitForSelector(`#event-log li[data-type="CREDIT_UPDATE"][data-event-id="${creditId}"]`, { timeout: 20_000 }).then(() => true, () => false);
    check(`tab ${name}: the button's CREDIT_UPDATE is in the event log and the balance`, shown && (await tab.textContent('#balance')) === '100',
      `balance ${await tab.textContent('#balance')}`);
  }

  // ---- 3. ops view: a dev token is refused; an admin JWT lists both pods and the user's sessions ----
  const ops = await open('ops', '#ops');
  await ops.fill('#admin-token', `${userId}:tab-a`);
  await ops.press('#admin-token', 'Enter');
  const refusal = await ops.waitForSelector('#ops-view [role="alert"]', { timeout: 20_000 }).then((el) => el.getAttribute('data-status'), () => null);
  check('ops view: a dev token gets no admin answer', refusal === '401' || refusal === '403', `status ${refusal}: ${await ops.textContent('#ops-view [role="alert"]').catch(() => '')}`);
  await ops.click('text=Forget admin token');
  await ops.fill('#admin-token', adminToken);
  await ops.press('#admin-token', 'Enter');
  const podIds = stack ? stack.gateways.map((g) => g.podId).sort() : [];
  const listed = await ops
    .waitForFunction((ids) => (ids.length ? ids.every((id) => document.querySelector(`#pods tr[data-pod-id="${id}"]`)) : document.querySelectorAll('#pods tr[data-pod-id]').length >= 2), podIds, { timeout: 30_000 })
    .then(() => true, () => false);
  check('ops view: the pods table lists both pods', listed, await ops.$$eval('#pods tr[data-pod-id]', (rows) => rows.map((r) => r.dataset.podId).join(', ')));
  await ops.fill('#inspect-user', userId);
  await ops.press('#inspect-user', 'Enter');
  const podOf = { 'tab-a': await tabA.getAttribute(indicator, 'data-pod'), 'tab-b': await tabB.getAttribute(indicator, 'data-pod') };
  const inspected = await ops
    .waitForFunction((pods) => Object.entries(pods).every(([device, pod]) => document.querySelector(`#user-sessions tr[data-device-id="${device}"][data-pod-id="${pod}"]`)), podOf, { timeout: 20_000 })
    .then(() => true, () => false);
  check('ops view: the user inspector shows both tabs\' sessions on their pods', inspected,
    await ops.$eval('[data-testid="user-answer"]', (el) => el.textContent ?? '').catch(() => '(no answer)'));
  await ops.screenshot({ path: join(out, 'ops-two-pods.png'), fullPage: true });
  await ops.click('#start-trace');
  const tracing = await ops.waitForSelector('[data-testid="trace"][data-active="true"]', { timeout: 20_000 }).then(() => true, () => false);
  check('ops view: a delivery trace of the user started', tracing);

  if (localStack) {
    // ---- shoot progress bars (shoot-service is in the local stack): five steps of ten images ----
    // A shoot id of this run's own: shoot-service refuses steps of a shoot another user owns (409).
    const shootId = `shoot-${Date.now()}`;
    await tabA.fill('#shoot-id', shootId);
    for (let i = 0; i < 5; i++) {
      await tabA.click('#send-shoot');
      await tabA.waitForFunction((n) => document.querySelectorAll('#sent li[data-kind="shoot"]').length >= n, i + 1, { timeout: 20_000 });
    }
    await tabA.click('#send-prompt');
    const half = await tabB.waitForSelector(`[data-testid="shoots"] li[data-shoot-id="${shootId}"][data-percent="50"]`, { timeout: 20_000 }).then(() => true, () => false);
    check('tab B: the shoot progress bar follows the page\'s SHOOT_PROGRESS steps (50%)', half,
      await tabB.$eval('[data-testid="shoots"]', (el) => el.textContent ?? '').catch(() => '(none)'));
    await tabA.waitForSelector('#event-log li[data-type="PROMPT_CHANGE"]', { timeout: 20_000 }).catch(() => {});
    await tabA.screenshot({ path: join(out, 'user.png'), fullPage: true });
    await ops.screenshot({ path: join(out, 'ops.png'), fullPage: true });
    log(`screenshots: ${join(out, 'user.png')}, ${join(out, 'ops.png')}`);
    check('no page errors', pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));
    exitCode = results.every((r) => r.ok) ? 0 : 1;
  } else {
    // ---- 4. the pod tab A is on stops: reconnecting, then connected on the other pod; nothing lost ----
    const podA = await tabA.getAttribute(indicator, 'data-pod');
    await tabA.evaluate((sel) => {
      const el = document.querySelector(sel);
      window.__states = [el.dataset.state];
      new MutationObserver(() => {
        if (window.__states[window.__states.length - 1] !== el.dataset.state) window.__states.push(el.dataset.state);
      }).observe(el, { attributes: true });
    }, indicator);
    const published = [];
    let balance = 100;
    const publish = async () => {
      balance += 1;
      const response = await fetch(`${stack.creditUrl}/api/sync/credit-update`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ userId, newBalance: balance, change: 1, reason: `failover ${balance}` }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = await response.json();
      if (!response.ok) throw new Error(`credit-update answered ${response.status}: ${JSON.stringify(body)}`);
      published.push(...body.eventIds);
    };
    let publishing = true;
    let reconnected = false;
    let publishedAfterReconnect = 0;
    const publisher = (async () => {
      // Until the tab is back and five more went out after that (what arrives live on the new pod).
      while (publishing && publishedAfterReconnect < 5) {
        await publish();
        if (reconnected) publishedAfterReconnect++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await tabA.waitForFunction((n) => document.querySelectorAll('#event-log li[data-type="CREDIT_UPDATE"]').length >= n, 4, { timeout: 20_000 });
    log(`stopping ${podA} (SIGTERM: the pod drains, closing its sessions with 1012)`);
    const gatewayA = stack.gateways.find((g) => g.podId === podA);
    const stopped = gatewayA.terminate();
    const back = await tabA
      .waitForFunction(([sel, old]) => { const el = document.querySelector(sel); return el.dataset.state === 'connected' && el.dataset.pod && el.dataset.pod !== old; }, [indicator, podA], { timeout: 60_000 })
      .then(() => true, () => false);
    reconnected = true;
    const newPod = await tabA.getAttribute(indicator, 'data-pod');
    const publisherDone = await Promise.race([publisher.then(() => true), new Promise((r) => setTimeout(() => r(false), 60_000))]);
    publishing = false;
    await publisher.catch(() => {});
    await stopped;
    const states = await tabA.evaluate(() => window.__states);
    check('tab A: the indicator went to reconnecting and back to connected on the other pod', back && states.includes('reconnecting') && newPod !== podA,
      `${states.join(' -> ')}, now on ${newPod}`);
    const logged = await tabA.$$eval('#event-log li[data-kind="connection"]', (lis) =>
      lis.map((li) => ({ seq: Number(li.dataset.seq), state: li.dataset.type })).sort((a, b) => a.seq - b.seq).map((e) => e.state));
    check('tab A: the event log shows the reconnect', logged.includes('reconnecting') && logged.lastIndexOf('connected') > logged.indexOf('reconnecting'), logged.join(' -> '));
    for (const [name, tab] of [['A', tabA], ['B', tabB]]) {
      await tab
        .waitForFunction((ids) => ids.every((id) => document.querySelector(`#event-log li[data-event-id="${id}"]`)), published, { timeout: 30_000 })
        .catch(() => {});
      const ids = (await creditIdsInLog(tab)).filter((id) => published.includes(id));
      const exact = publisherDone && ids.length === published.length && ids.every((id, i) => id === published[i]);
      check(`tab ${name}: the ${published.length} credit updates published around the stop are in the event log exactly once, in order`, exact,
        exact ? `all ${ids.length}` : `published ${published.length}, logged ${ids.length} (${new Set(ids).size} distinct)`);
    }

    // ---- 5. the trace saw them delivered ----
    await ops.click('text=Show trace');
    const traced = await ops
      .waitForFunction((id) => document.querySelector(`#trace-entries tr[data-event-id="${id}"][data-outcome="DELIVERED"]`), published[published.length - 1], { timeout: 20_000 })
      .then(() => true, () => false);
    check('ops view: the delivery trace shows the last credit update DELIVERED', traced,
      await ops.$$eval('#trace-entries tr[data-outcome]', (rows) => `${rows.length} entries: ${[...new Set(rows.map((r) => r.dataset.outcome))].join(', ')}`).catch(() => 'no entries'));
    check('no page errors', pageErrors.length === 0, pageErrors.slice(0, 5).join(' | '));

    await tabA.screenshot({ path: join(out, 'user.png'), fullPage: true });
    await ops.screenshot({ path: join(out, 'ops.png'), fullPage: true });
    log(`screenshots: ${join(out, 'user.png')}, ${join(out, 'ops.png')}`);
    exitCode = results.every((r) => r.ok) ? 0 : 1;
  }
} catch (error) {
  console.error('FAIL console test aborted:', error);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await stack?.stop().catch(() => {});
  summary(exitCode);
}
process.exit(exitCode);
