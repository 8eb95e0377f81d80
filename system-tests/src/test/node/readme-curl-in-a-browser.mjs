// "Tried as a new team would": a browser tab of a user (the live console served by the gateway, headless Chromium)
// is open when the README's curl command runs; the event must show in that tab's event log. Run by PublishApiIT:
// CONSOLE_URL (the gateway's /console/), DEVICE_TOKEN (a device JWT of the user), CURL (the README's command, with
// the test's URL, key and user). Prints the event log's entry and exits 0, or says what is missing and exits 1.
import { execSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// playwright-core comes from the clients workspace (its npm ci runs earlier in the build); never a browser download.
const require = createRequire(fileURLToPath(new URL('../../../../clients/package.json', import.meta.url)));
const { chromium } = require('playwright-core');

const { CONSOLE_URL, DEVICE_TOKEN, CURL } = process.env;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let exit = 1;
try {
  const tab = await browser.newPage();
  await tab.goto(CONSOLE_URL);
  await tab.fill('#user-token', DEVICE_TOKEN);
  await tab.press('#user-token', 'Enter');
  await tab.waitForSelector('#user-view [role="status"][data-state="connected"]', { timeout: 30_000 });
  const answer = JSON.parse(execSync(CURL, { shell: '/bin/bash' }).toString());
  const entry = await tab.waitForSelector(`#event-log li[data-type="NOTIFICATION_NEW"][data-event-id="${answer.id}"]`,
    { timeout: 20_000 }).catch(() => null);
  if (entry) {
    console.log(`SHOWN ${answer.id}: ${await entry.textContent()}`);
    exit = 0;
  } else {
    console.log(`NOT SHOWN ${answer.id}; event log: ${await tab.textContent('#event-log')}`);
  }
} finally {
  await browser.close();
}
process.exit(exit);
