/**
 * The Policy page's greylist section in a real browser: a recipient greylisted for a real
 * untrusted SMTP client (127.0.0.3; `--trusted-networks 127.0.0.1/32`) shows up live with its
 * network, sender, recipient and state, beside the greylist's rules and counts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { RawSmtpClient } from '../helpers/smtp-client.js';
import { launchChromium, type TestBrowser } from '../http/browser-launch.js';

let t: HttpTestServer;
let browser: TestBrowser;
let page: Page;

before(async () => {
  t = await startHttpTestServer(['--trusted-networks', '127.0.0.1/32', '--greet-wait', '0', '--greylist', 'on', '--greylist-delay', '10m', '--greylist-hammer', '3m']);
  browser = await launchChromium();
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await t?.stop();
});

test('the policy page shows the greylist rules, counts and entries live', async () => {
  await page.goto(`${t.base}/policy`);
  await page.getByText('No greylist entries yet.').waitFor();
  const rules = await page.locator('#greylist-rules').innerText();
  assert.match(rules, /wait 10 min and must retry within 24 h; passed ones are kept 35 d/);
  assert.match(rules, /sooner than 3 min restarts the clock/);
  assert.match(rules, /after 5 passes/);

  const { client } = await RawSmtpClient.open(t.server.smtpPort, '127.0.0.3');
  await client.send('EHLO mx.grey.test');
  await client.send('MAIL FROM:<alice@grey.test>');
  assert.match((await client.send('RCPT TO:<page@tidemail.test>')).text, /^451 4\.7\.1 Greylisted, try again in 600 seconds/);
  client.close();

  const row = page.locator('#greylist tr[data-kind="grey"]');
  await row.waitFor(); // the page reads the policy again by itself
  const text = await row.innerText();
  assert.match(text, /127\.0\.0\.0\/24/);
  assert.match(text, /alice@grey\.test → page@tidemail\.test/);
  assert.match(text, /grey\s+\S.*\s+0\s+/);
  await page.getByRole('heading', { name: 'Greylist (1 grey, 0 white, 0 client networks)' }).waitFor();
});
