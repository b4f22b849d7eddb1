/**
 * The JSON API over real HTTP against the real binary: listing, a message with its full parse
 * (and the seen flag it sets), raw bytes, attachments as downloads, search, deletion, the error
 * shapes, and every JSON response checked against the OpenAPI document the server publishes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { validate, type Schema } from '../helpers/json-schema.js';
import { simpleMessage } from '../helpers/smtp-client.js';

let t: HttpTestServer;
let openapi: Schema;

/** Fetch, then check the body against the schema the OpenAPI document declares for this path, method and status. */
async function checked<T>(path: string, template: string, init: RequestInit = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const result = await getJson<T>(`${t.base}${path}`, init);
  const method = (init.method ?? 'get').toLowerCase();
  const operation = (openapi.paths as Record<string, Record<string, { responses: Record<string, Schema> }>>)[template]?.[method];
  assert.ok(operation, `OpenAPI documents ${method.toUpperCase()} ${template}`);
  const response = operation.responses[String(result.status)];
  assert.ok(response, `OpenAPI documents status ${result.status} for ${method.toUpperCase()} ${template}`);
  const schema = (response.content as Record<string, { schema: Schema }> | undefined)?.['application/json']?.schema;
  if (schema) assert.deepEqual(validate(result.body, schema, openapi), [], `${path} matches its OpenAPI schema`);
  else assert.equal(result.body, null, `${path}: status ${result.status} has no body`);
  return result;
}

const BOUNDARY = 'b0undary';
const multipart = [
  'From: "Acme Sign-up" <noreply@acme.example>',
  'To: Alice <alice@tidemail.test>',
  'Subject: Your verification code is 482913',
  'Date: Sat, 21 Nov 2026 10:00:00 +0000',
  'MIME-Version: 1.0',
  `Content-Type: multipart/mixed; boundary="${BOUNDARY}"`,
  '',
  `--${BOUNDARY}`,
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Welcome! Confirm here: https://acme.example/confirm?token=abc123',
  'Your code is 482913.',
  `--${BOUNDARY}`,
  'Content-Type: text/html; name="page.html"',
  'Content-Disposition: attachment; filename="page.html"',
  '',
  '<script>alert(1)</script>',
  `--${BOUNDARY}--`,
  '',
].join('\r\n');

before(async () => {
  t = await startHttpTestServer();
  openapi = (await getJson<Schema>(`${t.base}/api/v1/openapi.json`)).body;
});
after(() => t.stop());

describe('inbox listing', () => {
  test('lists newest first with ISO dates, normalises the inbox name, pages with limit/offset', async () => {
    for (const subject of ['first', 'second', 'third']) await t.deliver('list-me@tidemail.test', simpleMessage(subject));
    const { status, body } = await checked<{ inbox: string; total: number; messages: Array<{ subject: string; receivedAt: string; seen: boolean; from: { address: string } }> }>(
      '/api/v1/inboxes/List-Me+tag@any.example/messages',
      '/api/v1/inboxes/{inbox}/messages',
    );
    assert.equal(status, 200);
    assert.equal(body.inbox, 'list-me');
    assert.equal(body.total, 3);
    assert.deepEqual(body.messages.map((m) => m.subject), ['third', 'second', 'first']);
    assert.equal(body.messages[0]!.from.address, 'sender@example.test');
    assert.equal(body.messages[0]!.seen, false);
    assert.ok(!Number.isNaN(Date.parse(body.messages[0]!.receivedAt)));

    const page = await checked<{ total: number; messages: Array<{ subject: string }> }>('/api/v1/inboxes/list-me/messages?limit=1&offset=1', '/api/v1/inboxes/{inbox}/messages');
    assert.equal(page.body.total, 3);
    assert.deepEqual(page.body.messages.map((m) => m.subject), ['second']);

    const next = await checked<{ subject: string }>('/api/v1/inboxes/list-me/wait?after=0&timeout=1', '/api/v1/inboxes/{inbox}/wait');
    assert.equal(next.body.subject, 'first', 'wait answers with a summary of the documented shape');
    const none = await checked('/api/v1/inboxes/list-me/wait?timeout=0', '/api/v1/inboxes/{inbox}/wait');
    assert.equal(none.status, 204);
  });

  test('a listing polled in a loop shows new mail at once and fills in the preview moments later', async () => {
    type Page = { total: number; messages: Array<{ subject: string; preview: string }> };
    const list = async (): Promise<Page> => (await getJson<Page>(`${t.base}/api/v1/inboxes/poller/messages`)).body;
    assert.equal((await list()).total, 0);
    assert.equal((await list()).total, 0);
    await t.deliver('poller@tidemail.test', simpleMessage('fresh', 'The preview text of this message.'));
    const now = await list();
    assert.equal(now.total, 1, 'the new message is listed right after the 250');
    assert.equal(now.messages[0]!.subject, 'fresh');
    // The indexer announces nothing when it is done: poll, with a deadline.
    const preview = now.messages[0]!.preview || (await eventually(async () => (await list()).messages[0]!.preview, 'the preview'));
    assert.equal(preview, 'The preview text of this message.');
  });

  test('an inbox nobody wrote to is empty, not an error', async () => {
    const { status, body } = await checked<{ total: number; messages: unknown[] }>('/api/v1/inboxes/nobody-here/messages', '/api/v1/inboxes/{inbox}/messages');
    assert.equal(status, 200);
    assert.deepEqual([body.total, body.messages], [0, []]);
  });
});

describe('one message', () => {
  let id: number;
  before(async () => {
    await t.deliver('alice@tidemail.test', multipart);
    id = (await getJson<{ messages: Array<{ id: number }> }>(`${t.base}/api/v1/inboxes/alice/messages`)).body.messages[0]!.id;
  });

  test('has headers, text, links, codes, attachments and envelope, and is marked seen', async () => {
    const { status, body } = await checked<{
      seen: boolean; text: string; links: string[]; codes: string[]; envelope: { mailFrom: string; rcptTo: string[] };
      attachments: Array<{ index: number; filename: string; contentType: string }>; headers: Array<{ name: string; value: string }>; from: { name: string };
    }>(`/api/v1/messages/${id}`, '/api/v1/messages/{id}');
    assert.equal(status, 200);
    assert.equal(body.seen, true);
    assert.equal(body.from.name, 'Acme Sign-up');
    assert.match(body.text, /Confirm here/);
    assert.deepEqual(body.links, ['https://acme.example/confirm?token=abc123']);
    assert.equal(body.codes[0], '482913', 'the code from the subject comes first');
    assert.deepEqual(body.envelope.rcptTo, ['alice@tidemail.test']);
    assert.equal(body.envelope.mailFrom, 'sender@example.test');
    assert.equal(body.attachments.length, 1);
    assert.equal(body.attachments[0]!.filename, 'page.html');
    assert.ok(body.headers.some((h) => h.name.toLowerCase() === 'subject'));

    const listed = await getJson<{ messages: Array<{ id: number; seen: boolean; attachments: number }> }>(`${t.base}/api/v1/inboxes/alice/messages`);
    assert.equal(listed.body.messages.find((m) => m.id === id)!.seen, true, 'the listing shows it seen afterwards');
  });

  test('raw is message/rfc822 and ends with exactly the bytes sent', async () => {
    const response = await fetch(`${t.base}/api/v1/messages/${id}/raw`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'message/rfc822');
    const raw = Buffer.from(await response.arrayBuffer());
    assert.ok(raw.toString('latin1').startsWith('Received: '), 'our trace header comes first');
    assert.ok(raw.subarray(raw.length - Buffer.byteLength(multipart)).equals(Buffer.from(multipart)), 'the message follows byte for byte');
  });

  test('an HTML attachment is a download, never rendered', async () => {
    const response = await fetch(`${t.base}/api/v1/messages/${id}/attachments/0`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-disposition')!, /^attachment; filename="page\.html"/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(response.headers.get('content-security-policy')!, /sandbox/);
    assert.equal((await response.text()).trimEnd(), '<script>alert(1)</script>');
    const missing = await checked(`/api/v1/messages/${id}/attachments/7`, '/api/v1/messages/{id}/attachments/{index}');
    assert.equal(missing.status, 404);
  });

  test('the HTML view is sanitised and served under a CSP that allows no script and no remote host', async () => {
    await t.deliver('html@tidemail.test', [
      'From: a@b.test', 'Subject: html', 'Content-Type: text/html', '',
      '<p onclick="alert(1)">Hi <a href="javascript:alert(2)">click</a><img src="https://tracker.example/p.gif"><script>alert(3)</script></p>',
    ].join('\r\n'));
    const htmlId = (await getJson<{ messages: Array<{ id: number }> }>(`${t.base}/api/v1/inboxes/html/messages`)).body.messages[0]!.id;
    const response = await fetch(`${t.base}/api/v1/messages/${htmlId}/html`);
    const csp = response.headers.get('content-security-policy')!;
    const body = await response.text();
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /sandbox/);
    assert.doesNotMatch(csp, /script-src/);
    assert.doesNotMatch(csp, /img-src[^;]*https:/, 'remote images are not allowed until asked for');
    assert.doesNotMatch(body, /<script|onclick|javascript:/i);
    const remote = await fetch(`${t.base}/api/v1/messages/${htmlId}/html?remote=1`);
    assert.match(remote.headers.get('content-security-policy')!, /img-src[^;]*https:/);
    await remote.text();
  });

  test('delete answers 204, then the message is gone (404)', async () => {
    await t.deliver('doomed@tidemail.test');
    const doomed = (await getJson<{ messages: Array<{ id: number }> }>(`${t.base}/api/v1/inboxes/doomed/messages`)).body.messages[0]!.id;
    assert.equal((await checked(`/api/v1/messages/${doomed}`, '/api/v1/messages/{id}', { method: 'DELETE' })).status, 204);
    assert.equal((await checked(`/api/v1/messages/${doomed}`, '/api/v1/messages/{id}')).status, 404);
    assert.equal((await checked(`/api/v1/messages/${doomed}`, '/api/v1/messages/{id}', { method: 'DELETE' })).status, 404);
    assert.equal((await fetch(`${t.base}/api/v1/messages/${doomed}/raw`)).status, 404);
  });
});

test('deleting an inbox empties it', async () => {
  await t.deliver('wipe@tidemail.test');
  await t.deliver('wipe@tidemail.test');
  assert.equal((await checked('/api/v1/inboxes/wipe', '/api/v1/inboxes/{inbox}', { method: 'DELETE' })).status, 204);
  assert.equal((await getJson<{ total: number }>(`${t.base}/api/v1/inboxes/wipe/messages`)).body.total, 0);
});

test('search finds by body word, optionally within one inbox', async () => {
  await t.deliver('searcher@tidemail.test', simpleMessage('Quarterly numbers', 'the zanzibar report is attached'));
  await t.deliver('other@tidemail.test', simpleMessage('Other', 'zanzibar again'));
  // The subject is searchable in the same commit as the message; body words follow moments later.
  const bySubject = await checked<{ messages: Array<{ inbox: string }> }>('/api/v1/search?q=quarterly', '/api/v1/search');
  assert.deepEqual(bySubject.body.messages.map((m) => m.inbox), ['searcher']);
  const search = () => checked<{ messages: Array<{ inbox: string }> }>('/api/v1/search?q=zanzibar', '/api/v1/search');
  const everywhere = await eventually(async () => {
    const found = await search();
    return found.body.messages.length >= 2 && found;
  }, 'both bodies to be indexed');
  assert.deepEqual(everywhere.body.messages.map((m) => m.inbox).sort(), ['other', 'searcher']);
  const one = await checked<{ messages: Array<{ inbox: string; subject: string }> }>('/api/v1/search?q=zanzibar&inbox=searcher', '/api/v1/search');
  assert.deepEqual(one.body.messages.map((m) => m.subject), ['Quarterly numbers']);
  assert.equal((await checked('/api/v1/search', '/api/v1/search')).status, 400);
});

describe('errors', () => {
  const shape = (body: unknown, code: string): void => {
    const error = (body as { error: { code: string; message: string } }).error;
    assert.equal(error.code, code);
    assert.ok(error.message.length > 0);
  };

  test('400 for a malformed inbox name, id or parameter', async () => {
    shape((await checked('/api/v1/inboxes/bad%20name/messages', '/api/v1/inboxes/{inbox}/messages')).body, 'invalid_inbox');
    shape((await checked('/api/v1/inboxes/ok/messages?limit=abc', '/api/v1/inboxes/{inbox}/messages')).body, 'invalid_parameter');
    shape((await checked('/api/v1/inboxes/ok/messages?limit=100000', '/api/v1/inboxes/{inbox}/messages')).body, 'invalid_parameter');
    shape((await checked('/api/v1/messages/abc', '/api/v1/messages/{id}')).body, 'invalid_parameter');
    shape((await checked('/api/v1/messages/-1', '/api/v1/messages/{id}')).body, 'invalid_parameter');
    shape((await checked('/api/v1/inboxes/ok/wait?timeout=301', '/api/v1/inboxes/{inbox}/wait')).body, 'invalid_parameter');
    shape((await checked('/api/v1/inboxes/ok/wait?after=x', '/api/v1/inboxes/{inbox}/wait')).body, 'invalid_parameter');
  });

  test('404 for an unknown id or path', async () => {
    const r = await checked('/api/v1/messages/999999', '/api/v1/messages/{id}');
    assert.equal(r.status, 404);
    shape(r.body, 'not_found');
    const unknown = await getJson(`${t.base}/api/v1/nothing-here`);
    assert.equal(unknown.status, 404);
    shape(unknown.body, 'not_found');
  });

  test('405 with Allow for a method a path lacks', async () => {
    const r = await getJson(`${t.base}/api/v1/messages/1`, { method: 'PUT', body: 'x' });
    assert.equal(r.status, 405);
    shape(r.body, 'method_not_allowed');
    assert.equal(r.headers.get('allow'), 'GET, HEAD, DELETE');
    const post = await getJson(`${t.base}/api/v1/inboxes/a/messages`, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
  });

  test('413 for a request body larger than the API reads', async () => {
    const r = await getJson(`${t.base}/api/v1/inboxes/a`, { method: 'DELETE', body: 'x'.repeat(200_000) });
    assert.equal(r.status, 413);
    shape(r.body, 'payload_too_large');
    assert.equal((await fetch(`${t.base}/healthz`)).status, 200, 'still serving');
  });
});

test('healthz and metrics', async () => {
  const health = await checked<{ status: string; messages: number }>('/healthz', '/healthz');
  assert.equal(health.body.status, 'ok');
  assert.ok(health.body.messages > 0);
  const metrics = await (await fetch(`${t.base}/metrics`)).text();
  assert.match(metrics, /^tidemail_messages_received_total [1-9]/m);
  assert.match(metrics, /^tidemail_messages_stored_total [1-9]/m);
  assert.match(metrics, /^tidemail_store_messages [1-9]/m, 'store gauges are fresh at scrape time');
  assert.match(metrics, /^tidemail_store_bytes [1-9]/m);
  assert.match(metrics, /^tidemail_ingest_seconds_count [1-9]/m);
  assert.match(metrics, /^tidemail_sessions_open\{protocol="http"\} [1-9]/m);
  assert.match(metrics, /# TYPE tidemail_messages_rejected_total counter/);
});

test('the OpenAPI document is OpenAPI 3 and documents every API route', async () => {
  assert.match(String(openapi.openapi), /^3\./);
  const paths = Object.keys(openapi.paths as object);
  for (const p of ['/api/v1/inboxes/{inbox}/messages', '/api/v1/messages/{id}', '/api/v1/messages/{id}/raw', '/api/v1/inboxes/{inbox}/wait', '/api/v1/search', '/api/v1/events', '/api/v1/policy', '/api/v1/policy/bans/{id}']) {
    assert.ok(paths.includes(p), `documents ${p}`);
  }
});
