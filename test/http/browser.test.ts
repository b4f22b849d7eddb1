/**
 * The web UI in a real browser (Debian's chromium driven by playwright-core): a message sent
 * over SMTP appears live in the inbox view, opens with the keyboard, and a hostile message
 * (`<script>`, inline event handlers, `javascript:` links, remote images, stylesheets, fonts,
 * meta refresh, frames, forms) runs no script and makes no request to any other host until
 * the reader clicks "Load remote content". The "other host" is a server of our own on
 * 127.0.0.1 that records every request it gets.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { simpleMessage } from '../helpers/smtp-client.js';
import { isFocused, launchChromium, type TestBrowser } from './browser-launch.js';

export const SCREENSHOT = join(tmpdir(), 'tidemail-message-view.png');

let t: HttpTestServer;
let remote: http.Server;
let remoteBase: string;
const remoteHits: string[] = [];
const remoteWaiters = new Set<() => void>();
/** Resolves when the remote host has been asked for `path` (at once if it already was). */
function remoteHit(path: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      remoteWaiters.delete(wake);
      reject(new Error(`the remote host was not asked for ${path} (got ${JSON.stringify(remoteHits)})`));
    }, timeoutMs);
    const wake = (): void => {
      if (!remoteHits.includes(path)) return;
      clearTimeout(timer);
      remoteWaiters.delete(wake);
      resolve();
    };
    remoteWaiters.add(wake);
    wake();
  });
}
let browser: TestBrowser;
let page: Page;
const dialogs: string[] = [];
const requests: string[] = [];
/** The UI's own "Delete this message?" confirm, expected once; any other dialog is a script from the mail. */
let expectConfirm = false;

before(async () => {
  remote = http.createServer((req, res) => {
    remoteHits.push(req.url ?? '');
    for (const wake of remoteWaiters) wake();
    const type = req.url?.endsWith('.css') ? 'text/css' : req.url?.endsWith('.png') ? 'image/png' : 'text/plain';
    res.writeHead(200, { 'Content-Type': type, 'Access-Control-Allow-Origin': '*' });
    res.end(type === 'image/png' ? Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex') : '');
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  remoteBase = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
  t = await startHttpTestServer(['--domains', 'tide.test']);
  browser = await launchChromium();
  browser.context.on('request', (request) => requests.push(request.url()));
  page = browser.page;
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'confirm' && expectConfirm) {
      expectConfirm = false;
      void dialog.accept();
      return;
    }
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
});

after(async () => {
  await browser?.close();
  await t?.stop();
  remote?.close();
});

/**
 * Resolves once the frame's load event has fired: every resource it asked for was answered or
 * refused by then, so any request it made has reached the remote host and the request log.
 */
const loaded = (frame: FrameLocator): Promise<unknown> =>
  frame.locator('html').evaluate('new Promise((resolve) => document.readyState === "complete" ? resolve() : addEventListener("load", () => resolve()))');

function hostile(base: string): string {
  const html = `<html><head>
<meta http-equiv="refresh" content="0;url=${base}/refresh">
<link rel="stylesheet" href="${base}/link.css">
<style>@import url("${base}/import.css"); @font-face { font-family: x; src: url("${base}/font.woff"); } body { background: url("${base}/bg.png"); font-family: x; }</style>
<script>fetch("${base}/script"); alert("script ran");</script>
</head><body onload="fetch('${base}/onload')">
<h2>Welcome aboard</h2>
<p>Your verification code is 482913.</p>
<img src="${base}/pixel.png" alt="tracker" onerror="fetch('${base}/onerror')">
<img src="x" onerror="alert('onerror ran')">
<div style="background-image:url('${base}/inline-bg.png')">styled</div>
<p><a id="js-link" href="javascript:alert('link ran')">Confirm your account</a>
<a href="https://example.com/confirm?token=abc">https://example.com/confirm?token=abc</a></p>
<iframe src="${base}/frame"></iframe>
<object data="${base}/object"></object>
<svg onload="alert('svg ran')"><image href="${base}/svg.png"/></svg>
<form action="${base}/form"><button id="form-button">Go</button></form>
</body></html>`;
  return [
    'From: "Acme" <noreply@acme.example>', 'To: victim@tide.test', 'Subject: Your verification code is 482913',
    'Date: Sat, 21 Nov 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/html; charset=utf-8', '', html.replace(/\n/g, '\r\n'),
  ].join('\r\n');
}

test('home page: open an inbox by typing its name, with the full address shown from the configured domain', async () => {
  await page.goto(`${t.base}/`);
  await page.getByRole('button', { name: 'Random inbox' }).click();
  assert.match((await page.locator('#full-address').textContent())!, /^[a-z]+-[a-z]+-\d{4}@tide\.test$/);
  await page.locator('#inbox-name').fill('Victim+news@tide.test');
  assert.equal(await page.locator('#full-address').textContent(), 'victim@tide.test');
  await page.locator('#inbox-name').press('Enter');
  await page.waitForURL(`${t.base}/inbox/victim`);
});

test('mail appears live in the inbox view, and opens with the keyboard', async () => {
  await page.getByText('live', { exact: true }).waitFor();
  await t.deliver('victim@tide.test', simpleMessage('A friendly hello', 'Nothing to see here.', 'victim@tide.test'));
  await page.locator('li.message', { hasText: 'A friendly hello' }).waitFor();
  await t.deliver('victim@tide.test', hostile(remoteBase));
  const row = page.locator('li.message', { hasText: 'Your verification code is 482913' });
  await row.waitFor();
  assert.equal(await page.locator('li.message').count(), 2, 'both arrived without a reload');

  // Keyboard only: Tab until the message link has focus, then Enter.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press('Tab');
    if (await isFocused(row.locator('a.open'))) break;
  }
  assert.ok(await isFocused(row.locator('a.open')), 'the message is reachable with Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/message\/\d+$/);
});

test('hostile HTML is shown but runs no script and makes no outside request', async () => {
  await page.locator('#message-subject').waitFor();
  const frameElement = page.locator('#message-frame');
  await frameElement.waitFor();
  assert.equal(await frameElement.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
  const frame = page.frameLocator('#message-frame');
  await frame.getByText('Welcome aboard').waitFor();
  await frame.locator('#js-link').click();
  // No form survives sanitising; should its button, clicking it must send nothing anywhere.
  const formButton = frame.locator('#form-button');
  if ((await formButton.count()) > 0) await formButton.click();
  await loaded(frame);

  assert.equal(await page.locator('#codes code').first().textContent(), '482913');
  assert.deepEqual(dialogs, [], 'no script ran: no alert');
  assert.deepEqual(remoteHits, [], 'the remote host received no request');
  const outside = requests.filter((url) => !url.startsWith(t.base) && !url.startsWith('data:'));
  assert.deepEqual(outside, [], 'the browser requested nothing outside tidemail');
  assert.equal(await frame.locator('script, iframe, object, form, link, meta[http-equiv]').count(), 0);
  assert.equal(await frame.locator('[onload], [onerror], [onclick]').count(), 0);
  assert.equal(page.url().includes('/message/'), true, 'no meta refresh or javascript: link navigated away');

  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

test('remote content loads only when the reader asks, and still no script runs', async () => {
  await page.getByRole('button', { name: 'Load remote content' }).click();
  const frame = page.frameLocator('#message-frame');
  await frame.getByText('Welcome aboard').waitFor();
  await remoteHit('/pixel.png');
  assert.ok(remoteHits.includes('/pixel.png'), `the image loads after the click (got ${JSON.stringify(remoteHits)})`);
  await loaded(frame);
  const forbidden = remoteHits.filter((path) => ['/script', '/onload', '/onerror', '/refresh', '/frame', '/object', '/form', '/link.css'].includes(path));
  assert.deepEqual(forbidden, [], 'nothing scripted or stripped was fetched');
  assert.deepEqual(dialogs, []);
});

test('the message view fits a phone screen, tabs work with arrow keys, and delete returns to the inbox', async () => {
  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.ok(overflow <= 1, `no horizontal scrolling on a phone (overflow ${overflow}px)`);
  await page.locator('#tab-html').focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.locator('#tab-text').getAttribute('aria-selected'), 'true');
  await page.getByRole('tabpanel').getByText('Your verification code is 482913').waitFor();
  expectConfirm = true;
  await page.locator('#delete-message').click();
  await page.waitForURL(`${t.base}/inbox/victim`);
  await page.locator('li.message', { hasText: 'A friendly hello' }).waitFor();
  assert.equal(await page.locator('li.message', { hasText: 'verification code' }).count(), 0);
  assert.deepEqual(dialogs, [], 'only the delete confirmation was shown');
});
