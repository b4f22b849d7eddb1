/**
 * The Policy page in a real browser: a ban and a refused session made by a real untrusted SMTP
 * client (127.0.0.2; `--trusted-networks 127.0.0.1/32`) show up live, the refused session opens
 * to its transcript, and the ban is lifted from the page with the admin token (and not without).
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { RawSmtpClient } from '../helpers/smtp-client.js';
import { launchChromium, type TestBrowser } from './browser-launch.js';

const TOKEN = 'policy-page-token-42';
let t: HttpTestServer;
let browser: TestBrowser;
let page: Page;

before(async () => {
  t = await startHttpTestServer(['--trusted-networks', '127.0.0.1/32', '--greet-wait', '0', '--ip-rate', '1/60s', '--admin-token', TOKEN]);
  browser = await launchChromium();
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await t?.stop();
});

test('the policy page shows bans and refused sessions live, and lifts a ban with the admin token', async () => {
  await page.goto(`${t.base}/policy`);
  await page.getByText('No bans in force.').waitFor();
  await page.getByRole('link', { name: 'Policy' }).waitFor();

  // An untrusted client sends a bounce (refused), then pushes past twice its rate (banned).
  const { client } = await RawSmtpClient.open(t.server.smtpPort, '127.0.0.2');
  await client.send('EHLO pusher.test');
  assert.match((await client.send('MAIL FROM:<>')).text, /^550 5\.7\.1/);
  for (const expected of [/^250/, /^450 4\.7\.1/, /^421 4\.7\.1/]) {
    const reply = await client.send('MAIL FROM:<p@pusher.test>');
    assert.match(reply.text, expected);
    if (reply.code === 250) await client.send('RSET');
  }
  await client.closedByServer();

  const row = page.locator('#bans tr[data-ban]');
  await row.waitFor(); // the page reads the policy again by itself
  assert.match(await row.innerText(), /ip\s+127\.0\.0\.2/);
  const refused = page.locator('#refused > li', { hasText: 'bounce from' });
  await refused.waitFor();
  assert.match(await refused.innerText(), /bounce from .*127\.0\.0\.2 \(HELO pusher\.test\)/);
  await refused.locator('summary').click();
  await refused.getByText('MAIL FROM:<>').waitFor();
  await refused.getByText(/^550 5\.7\.1 Bounces are not accepted/).waitFor();
  await page.screenshot({ path: join(tmpdir(), 'tidemail-policy.png'), fullPage: true });

  await row.getByRole('button', { name: /Lift the ban on 127\.0\.0\.2/ }).click();
  await page.getByText(/Cannot lift ban \d+: send the admin token/).waitFor();
  await page.fill('#admin-token', TOKEN);
  await page.locator('#admin-token').dispatchEvent('change');
  await row.getByRole('button', { name: /Lift the ban/ }).click();
  await page.getByText('No bans in force.').waitFor();
  const { client: again, greeting } = await RawSmtpClient.open(t.server.smtpPort, '127.0.0.2');
  assert.equal(greeting.code, 220, 'the lifted ban lets the client in');
  again.close();
});
