/**
 * `--smart-host HOST:PORT` with `--smart-host-auth FILE`: every relayed message goes to the
 * smart host (no MX lookup), after AUTH with the credentials from the file (the password holds
 * a colon, and never appears on the command line). The peer is aiosmtpd requiring AUTH on
 * 127.0.0.23:25.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startScriptedMx, type ScriptedMx } from '../relay/peers.js';
import { eventually } from '../helpers/eventually.js';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { simpleMessage } from '../helpers/smtp-client.js';

const TOKEN = 'smarthost-token';
let peer: ScriptedMx;
let tidemail: HttpTestServer;
let secrets: string;

before(async () => {
  secrets = mkdtempSync(join(tmpdir(), 'tidemail-smarthost-'));
  writeFileSync(join(secrets, 'auth'), 'relay:s3cret: with colon\n', { mode: 0o600 });
  peer = await startScriptedMx('127.0.0.23', 'auth');
  tidemail = await startHttpTestServer(['--smart-host', '127.0.0.23:25', '--smart-host-auth', join(secrets, 'auth'), '--admin-token', TOKEN, '--dns-servers', '127.0.0.1:9']);
});

after(async () => {
  await tidemail?.stop();
  await peer?.stop();
  rmSync(secrets, { recursive: true, force: true });
});

test('mail for any domain goes to the smart host after AUTH with the file\'s credentials', async () => {
  assert.doesNotMatch(tidemail.server.process.spawnargs.join(' '), /s3cret/, 'no password on the command line');
  await tidemail.deliver('keep@a.test', simpleMessage('via smart host', 'Body.', 'keep@a.test'));
  const id = await eventually(async () => (await getJson<{ messages: { id: number }[] }>(`${tidemail.base}/api/v1/inboxes/keep/messages`)).body.messages[0]?.id, 'the stored message');
  const released = await getJson<{ queueId: number }>(`${tidemail.base}/api/v1/messages/${id}/release`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: ['someone@nowhere.example', 'other@elsewhere.example'] }),
  });
  assert.equal(released.status, 202);
  const auth = await peer.next('auth');
  assert.equal(auth.ok, true);
  const got = await peer.next('message');
  assert.deepEqual(got.rcpt_tos, ['someone@nowhere.example', 'other@elsewhere.example']);
  const detail = await eventually(async () => {
    const r = await getJson<{ recipients: { state: string; attemptLog: { host: string }[] }[] }>(`${tidemail.base}/api/v1/queue/${released.body.queueId}`);
    return r.body.recipients.every((x) => x.state === 'delivered') ? r.body : null;
  }, 'delivered');
  assert.match(detail.recipients[0]!.attemptLog[0]!.host, /^127\.0\.0\.23\[127\.0\.0\.23\]:25$/);
});
