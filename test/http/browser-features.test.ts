/**
 * The web UI's reading aids in a real browser (chromium over a real tidemail, mail sent over
 * SMTP): codes with copy buttons and the action link in each inbox row, live; j/k/Enter through
 * lists; the SMTP transcript tab; search from the home and inbox pages; the recently opened
 * inboxes (local storage, clearable); dark mode through prefers-color-scheme. Screenshots of each
 * view go to the temp directory for a person to look at.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { simpleMessage } from '../helpers/smtp-client.js';
import { isFocused, launchChromium, type TestBrowser } from './browser-launch.js';

const shot = (name: string): string => join(tmpdir(), `tidemail-${name}.png`);
const VERIFY = 'https://app.example/verify?token=t1';

let t: HttpTestServer;
let browser: TestBrowser;
let page: Page;

before(async () => {
  t = await startHttpTestServer(['--domains', 'tide.test']);
  browser = await launchChromium();
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.base });
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await t?.stop();
});

// Page code is written as strings: this side is compiled without the DOM's types.
const clipboard = (): Promise<string> => page.evaluate<string>('(window.realClipboard ?? navigator.clipboard).readText()');
type ComputedStyle = (element: unknown) => Record<'backgroundColor' | 'color' | 'outlineStyle', string>;
const style = (locator: Locator, property: keyof ReturnType<ComputedStyle>): Promise<string> =>
  locator.first().evaluate((element, name) => (globalThis as unknown as { getComputedStyle: ComputedStyle }).getComputedStyle(element)[name], property);
/** "Copied" shows for a moment only: every label a copy button takes is recorded as it changes. */
const recordCopyLabels = (): Promise<unknown> =>
  page.evaluate(`window.copyLabels = [];
    new MutationObserver(() => document.querySelectorAll('button.copy').forEach((b) => window.copyLabels.push(b.textContent)))
      .observe(document.body, { subtree: true, childList: true, characterData: true })`);
const labelShown = (label: string): Promise<unknown> => page.waitForFunction(`window.copyLabels.includes(${JSON.stringify(label)})`);
const background = (selector: string): Promise<string> => style(page.locator(selector), 'backgroundColor');

/** Relative luminance of a computed `rgb(r, g, b)` colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number).map((c) => c / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

test('each inbox row shows its code with a copy button and the action link, live as mail arrives', async () => {
  await page.goto(`${t.base}/inbox/signup`);
  await page.getByText('live', { exact: true }).waitFor();
  await t.deliver(
    'signup@tide.test',
    simpleMessage('Your sign-in code is 731904', `Confirm your address: ${VERIFY}\r\n\r\nNot you? https://app.example/unsubscribe`, 'signup@tide.test'),
  );
  const row = page.locator('li.message', { hasText: 'Your sign-in code' });
  await row.waitFor();
  // The row comes with the commit; its code with the background parse, moments later.
  await row.locator('code.code').waitFor();
  assert.deepEqual(await row.locator('code.code').allTextContents(), ['731904'], 'the code is in the row, without reloading the page');
  const action = row.getByRole('link', { name: /Open link app\.example/ });
  assert.equal(await action.getAttribute('href'), VERIFY, 'the action link is the verify link, not the unsubscribe one');
  assert.equal(await action.getAttribute('target'), '_blank');
  assert.match((await action.getAttribute('rel'))!, /noopener/);

  // The Clipboard API (127.0.0.1 is a secure context) ...
  await recordCopyLabels();
  await row.getByRole('button', { name: 'Copy code 731904' }).click();
  await labelShown('Copied code 731904');
  assert.equal(await clipboard(), '731904');

  // ... and the fallback for plain-HTTP hosts, where navigator.clipboard does not exist.
  await page.evaluate(`(async () => {
    await navigator.clipboard.writeText('something else');
    window.realClipboard = navigator.clipboard;
    Object.defineProperty(Navigator.prototype, 'clipboard', { get: () => undefined, configurable: true });
  })()`);
  assert.equal(await clipboard(), 'something else');
  await page.evaluate('window.copyLabels.length = 0');
  await row.getByRole('button', { name: 'Copy code 731904' }).click();
  await labelShown('Copied code 731904');
  assert.equal(await clipboard(), '731904', 'copied without the Clipboard API');
  await page.screenshot({ path: shot('inbox-codes'), fullPage: true });
});

test('j and k move a visible selection through the list, and Enter opens the selected message', async () => {
  await page.reload();
  await page.getByText('live', { exact: true }).waitFor();
  await t.deliver('signup@tide.test', simpleMessage('Weekly digest', 'Nothing new this week.', 'signup@tide.test'));
  const digest = page.locator('li.message', { hasText: 'Weekly digest' });
  const signIn = page.locator('li.message', { hasText: 'Your sign-in code' });
  // Once parsed (the preview is there) the rows stop changing under the locators below.
  await digest.locator('.preview', { hasText: 'Nothing new this week.' }).waitFor();
  await signIn.waitFor();
  const selected = page.locator('li.selected');

  await page.keyboard.press('j');
  assert.equal(await selected.count(), 1);
  assert.equal(await digest.getAttribute('aria-current'), 'true', 'j selects the newest message first');
  assert.ok(await isFocused(digest.locator('a.open')), 'and moves the focus there');
  assert.equal(await style(digest.locator('a.open'), 'outlineStyle'), 'solid', 'the focus is visible');
  await page.keyboard.press('j');
  assert.equal(await signIn.getAttribute('aria-current'), 'true');
  assert.equal(await digest.getAttribute('aria-current'), null, 'one selection at a time');
  await page.keyboard.press('k');
  assert.equal(await digest.getAttribute('aria-current'), 'true');
  await page.keyboard.press('j');
  await page.keyboard.press('j'); // past the end stays on the last row
  assert.equal(await signIn.getAttribute('aria-current'), 'true');

  // A click on the page's background takes the focus away; the selection stays, and Enter opens it.
  await page.locator('#inbox-address').click();
  assert.equal(await isFocused(signIn.locator('a.open')), false);
  assert.match((await signIn.getAttribute('class'))!, /\bselected\b/);
  const id = await signIn.getAttribute('data-id');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${t.base}/message/${id}`);
});

test('the message view has an SMTP tab with the session that delivered the message', async () => {
  await page.locator('#message-subject').waitFor();
  assert.equal(await page.locator('#codes code').first().textContent(), '731904');
  await page.getByRole('tab', { name: 'SMTP' }).click();
  const panel = page.getByRole('tabpanel');
  const session = panel.locator('#smtp-session');
  await session.waitFor();
  assert.match((await session.textContent())!, /127\.0\.0\.1/);
  assert.match((await session.textContent())!, /HELO\s*test\.example/);
  assert.match((await session.textContent())!, /none \(plain text\)/);
  const client = await panel.locator('.smtp-lines li.client code').allTextContents();
  assert.deepEqual(client.slice(0, 3), ['EHLO test.example', 'MAIL FROM:<sender@example.test>', 'RCPT TO:<signup@tide.test>']);
  const server = await panel.locator('.smtp-lines li.server code').allTextContents();
  assert.match(server[0]!, /^220 /, 'starts with the greeting');
  assert.match(server.at(-1)!, /^250 /, 'ends with the 250 that took this message');
  await page.screenshot({ path: shot('message-smtp'), fullPage: true });
});

test('search from the inbox page stays in that inbox; from the home page it spans all; results open the message', async () => {
  await t.deliver('other@tide.test', simpleMessage('Monthly digest', 'Other news.', 'other@tide.test'));
  await page.goto(`${t.base}/inbox/signup`);
  await page.locator('li.message').first().waitFor();
  await page.keyboard.press('/');
  assert.ok(await isFocused(page.getByLabel('Search this inbox')), '/ jumps to the search box');
  await page.keyboard.type('jk');
  assert.equal(await page.getByLabel('Search this inbox').inputValue(), 'jk', 'j and k typed into the box are letters there');
  assert.equal(await page.locator('li.selected').count(), 0, 'and move no selection');
  await page.getByLabel('Search this inbox').fill('digest');
  await page.getByLabel('Search this inbox').press('Enter');
  const results = page.locator('.search-results li');
  await page.getByText('1 message match “digest”.').waitFor();
  assert.deepEqual(await results.locator('.subject').allTextContents(), ['Weekly digest']);
  assert.match(page.url(), /\?q=digest$/);

  await page.reload();
  await page.getByText('1 message match “digest”.').waitFor();
  await page.getByLabel('Search this inbox').fill('zzznothing');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByText('No messages match “zzznothing”.').waitFor();
  assert.equal(await results.count(), 0);

  await page.goto(`${t.base}/`);
  await page.getByLabel('Search all inboxes').fill('digest');
  await page.getByLabel('Search all inboxes').press('Enter');
  await page.getByText('2 messages match “digest”.').waitFor();
  assert.deepEqual(await results.locator('.subject').allTextContents(), ['Monthly digest', 'Weekly digest']);
  assert.deepEqual(await results.locator('.inbox-name').allTextContents(), ['in other', 'in signup']);
  await page.screenshot({ path: shot('home-search'), fullPage: true });
  const link = results.first().locator('a.open');
  const href = (await link.getAttribute('href'))!;
  assert.match(href, /^\/message\/\d+$/);
  await link.click();
  await page.waitForURL(`${t.base}${href}`);
  assert.equal(await page.locator('#message-subject').textContent(), 'Monthly digest');
});

test('the home page lists the inboxes opened in this browser, newest first, until cleared', async () => {
  await page.goto(`${t.base}/inbox/other`);
  await page.getByText('live', { exact: true }).waitFor();
  await page.goto(`${t.base}/`);
  const recent = page.getByRole('region', { name: 'Recent inboxes' });
  assert.deepEqual(await recent.getByRole('link').allTextContents(), ['other@tide.test', 'signup@tide.test']);

  // The keyboard reaches them too: Escape leaves the name field, j selects, Enter opens.
  await page.keyboard.press('Escape');
  await page.keyboard.press('j');
  await page.keyboard.press('Enter');
  await page.waitForURL(`${t.base}/inbox/other`);
  await page.goto(`${t.base}/`);
  assert.deepEqual(await recent.getByRole('link').allTextContents(), ['other@tide.test', 'signup@tide.test'], 'kept across page loads');
  await page.screenshot({ path: shot('home-light'), fullPage: true });

  await recent.getByRole('button', { name: 'Clear recent inboxes' }).click();
  assert.equal(await recent.count(), 0);
  assert.ok(await isFocused(page.locator('#inbox-name')), 'the focus goes back to the name field');
  await page.reload();
  await page.locator('#inbox-name').waitFor();
  assert.equal(await recent.count(), 0, 'still cleared after a reload');
});

test('dark mode follows prefers-color-scheme', async () => {
  await page.goto(`${t.base}/inbox/signup`);
  await page.locator('li.message', { hasText: 'Your sign-in code' }).waitFor();
  await page.emulateMedia({ colorScheme: 'light' });
  const light = { page: await background('html'), list: await background('.messages'), code: await background('code.code') };
  await page.screenshot({ path: shot('inbox-light'), fullPage: true });
  await page.emulateMedia({ colorScheme: 'dark' });
  const dark = { page: await background('html'), list: await background('.messages'), code: await background('code.code') };
  await page.screenshot({ path: shot('inbox-dark'), fullPage: true });
  assert.notEqual(dark.page, light.page);
  assert.ok(luminance(light.page) > 0.8 && luminance(dark.page) < 0.05, `light ${light.page}, dark ${dark.page}`);
  assert.ok(luminance(dark.list) < 0.05 && luminance(dark.code) < 0.05, `dark cards and codes too: ${JSON.stringify(dark)}`);
  const text = await style(page.locator('.message .subject'), 'color');
  assert.ok(luminance(text) > 0.5, `light text on the dark page (${text})`);

  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
  assert.ok(overflow <= 1, `rows with codes fit a phone screen (overflow ${overflow}px)`);
  await page.screenshot({ path: shot('inbox-dark-phone'), fullPage: true });
  await page.setViewportSize({ width: 1000, height: 900 });
  const id = await page.locator('li.message', { hasText: 'Your sign-in code' }).getAttribute('data-id');
  await page.goto(`${t.base}/message/${id}`);
  await page.getByRole('tab', { name: 'SMTP' }).click();
  await page.locator('#smtp-session').waitFor();
  assert.ok(luminance(await background('.panel')) < 0.05, 'the message view is dark too');
  await page.screenshot({ path: shot('message-smtp-dark'), fullPage: true });
  await page.goto(`${t.base}/`);
  await page.screenshot({ path: shot('home-dark'), fullPage: true });
  await page.emulateMedia({ colorScheme: null });
});
