/**
 * Routing rules end to end on the real `tidemail serve`: a `drop` rule from the --rules file
 * that Python's smtplib sees as `550 5.7.1` (and nothing stored), a `tag` shown in the API's
 * summaries, and the rules API: reads public, changes only with the admin token (401 without,
 * 403 with a wrong one or none configured), file rules read-only (409), API rules kept across a
 * restart and applied at once.
 */
import { deliveredVisibly } from '../helpers/visible.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../helpers/http.js';
import { freshDataDir, removeDataDir, startServer, type TestServer } from '../helpers/server.js';

const TOKEN = 'rules-admin-token';
const SMTPLIB = `
import smtplib, sys, json
port, to, subject = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = smtplib.SMTP('127.0.0.1', port, timeout=20)
try:
    s.sendmail('sender@example.test', [to], 'From: sender@example.test\\r\\nTo: %s\\r\\nSubject: %s\\r\\n\\r\\nHello.\\r\\n' % (to, subject))
    print(json.dumps({'code': 250}))
except smtplib.SMTPDataError as e:
    print(json.dumps({'code': e.smtp_code, 'text': e.smtp_error.decode()}))
s.quit()
`;

/** Asynchronous, so the test's HTTP client keeps up with the server closing idle keep-alive sockets meanwhile. */
async function smtplibSend(port: number, to: string, subject: string): Promise<{ code: number; text?: string }> {
  const { stdout } = await promisify(execFile)('python3', ['-c', SMTPLIB, String(port), to, subject], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(stdout) as { code: number; text?: string };
}

const FILE_RULES = `
rules:
  - name: no-lottery
    priority: 1
    conditions:
      - { field: subject, op: contains, value: lottery }
    actions: [ { drop: true } ]
  - name: billing
    conditions:
      - { field: to, op: prefix, value: billing }
    actions: [ { tag: invoices } ]
`;

describe('rules end to end', () => {
  let dir: string;
  let dataDir: string;
  let server: TestServer;
  let base: string;
  const start = async (): Promise<void> => {
    server = await startServer({ expect: ['smtp', 'http'], dataDir, args: ['--rules', join(dir, 'rules.yaml'), '--admin-token', TOKEN] });
    base = `http://127.0.0.1:${server.ports.http}`;
  };
  const admin = (method: string, body?: unknown, token = TOKEN): RequestInit => ({
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tidemail-rules-e2e-'));
    writeFileSync(join(dir, 'rules.yaml'), FILE_RULES);
    dataDir = freshDataDir();
    await start();
  });

  after(async () => {
    await server.stop();
    removeDataDir(dataDir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a drop rule refuses the message at the end of DATA with 550 5.7.1, as smtplib sees it, and stores nothing', async () => {
    const reply = await smtplibSend(server.smtpPort, 'winner@tidemail.test', 'You won the lottery');
    assert.equal(reply.code, 550);
    assert.match(reply.text!, /^5\.7\.1 /);
    assert.equal((await smtplibSend(server.smtpPort, 'winner@tidemail.test', 'A normal subject')).code, 250);
    const page = await getJson<{ total: number; messages: Array<{ subject: string }> }>(`${base}/api/v1/inboxes/winner/messages`);
    assert.deepEqual(page.body.messages.map((m) => m.subject), ['A normal subject']);
  });

  it('a tag rule labels the message in the listing and the message itself', async () => {
    // Shown once parsed, a moment after the 250: read it then.
    const sent = await deliveredVisibly(server.smtpPort, ['billing-acme@tidemail.test'], 1, () => smtplibSend(server.smtpPort, 'billing-acme@tidemail.test', 'Invoice 7'));
    assert.equal(sent.code, 250);
    const page = await getJson<{ messages: Array<{ id: number; tags: string[] }> }>(`${base}/api/v1/inboxes/billing-acme/messages`);
    assert.deepEqual(page.body.messages[0]!.tags, ['invoices']);
    const message = await getJson<{ tags: string[] }>(`${base}/api/v1/messages/${page.body.messages[0]!.id}`);
    assert.deepEqual(message.body.tags, ['invoices']);
  });

  it('changes rules only with the admin token', async () => {
    const rule = { name: 'api-drop', priority: 0, conditions: [{ field: 'to', op: 'equals', value: 'blocked@tidemail.test' }], actions: [{ drop: 'Blocked by the operator' }] };
    assert.equal((await fetch(`${base}/api/v1/rules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) })).status, 401);
    assert.equal((await fetch(`${base}/api/v1/rules`, admin('POST', rule, 'wrong'))).status, 403);
    assert.equal((await fetch(`${base}/api/v1/rules/api-drop`, admin('DELETE', undefined, 'wrong'))).status, 403);
    const created = await getJson<{ name: string; source: string }>(`${base}/api/v1/rules`, admin('POST', rule));
    assert.equal(created.status, 201);
    assert.equal(created.body.source, 'api');
    assert.equal((await fetch(`${base}/api/v1/rules`, admin('POST', rule))).status, 409, 'the name is taken');
    const bad = await getJson<{ error: { message: string } }>(`${base}/api/v1/rules/broken`, admin('PUT', { actions: [{ tag: '' }] }));
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /rule "broken": action 1/);
    assert.equal((await fetch(`${base}/api/v1/rules/billing`, admin('PUT', { actions: [{ tag: 'x' }] }))).status, 409, 'a file rule is changed in the file');
    assert.equal((await fetch(`${base}/api/v1/rules/billing`, admin('DELETE'))).status, 409);

    const refused = await smtplibSend(server.smtpPort, 'blocked@tidemail.test', 'Hello');
    assert.deepEqual(refused, { code: 550, text: '5.7.1 Blocked by the operator' });

    const replaced = await fetch(`${base}/api/v1/rules/api-drop`, admin('PUT', { ...rule, name: undefined, enabled: false }));
    assert.equal(replaced.status, 200);
    assert.equal((await smtplibSend(server.smtpPort, 'blocked@tidemail.test', 'Hello')).code, 250, 'the disabled rule no longer drops');
  });

  it('lists file and API rules with their source, and keeps API rules across a restart', async () => {
    const listed = await getJson<{ rules: Array<{ name: string; source: string; enabled: boolean }>; problems: string[] }>(`${base}/api/v1/rules`);
    assert.equal(listed.status, 200, 'reading is public');
    assert.deepEqual(listed.body.rules.map((r) => `${r.source}:${r.name}`), ['api:api-drop', 'file:no-lottery', 'file:billing']);
    assert.deepEqual(listed.body.problems, []);
    await server.stop();
    await start();
    const again = await getJson<{ name: string; enabled: boolean; source: string }>(`${base}/api/v1/rules/api-drop`);
    assert.equal(again.status, 200);
    assert.equal(again.body.enabled, false);
    assert.equal((await fetch(`${base}/api/v1/rules/api-drop`, admin('DELETE'))).status, 204);
    assert.equal((await fetch(`${base}/api/v1/rules/api-drop`)).status, 404);
  });

  it('answers 403 to every change when the server has no --admin-token', async () => {
    const open = await startServer({ expect: ['smtp', 'http'] });
    try {
      const r = await fetch(`http://127.0.0.1:${open.ports.http}/api/v1/rules/x`, admin('PUT', { actions: [{ tag: 'x' }] }));
      assert.equal(r.status, 403);
    } finally {
      await open.dispose();
    }
  });
});
