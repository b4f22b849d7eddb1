/**
 * Debian's Postfix as the receiving MX (a private instance on 127.0.0.22:25, delivery into a
 * maildir): a message relayed by Tidemail arrives byte for byte — Postfix's maildir file is
 * its trace headers followed by exactly what we sent, in LF line ends (maildir convention).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startPostfixMx, type PostfixMx } from '../relay/postfix.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { eventually } from '../helpers/eventually.js';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { simpleMessage } from '../helpers/smtp-client.js';

const TOKEN = 'postfix-token';
let dns: TestDnsServer;
let postfix: PostfixMx;
let tidemail: HttpTestServer;

before(async () => {
  dns = await startDnsServer({ 'p.test': { MX: [{ preference: 10, exchange: 'mx.p.test' }] }, 'mx.p.test': { A: ['127.0.0.22'] } });
  postfix = await startPostfixMx('127.0.0.22', 'p.test');
  tidemail = await startHttpTestServer(['--dns-servers', dns.address, '--admin-token', TOKEN, '--hostname', 'relay.tidemail.test']);
});

after(async () => {
  await tidemail?.stop();
  await postfix?.stop();
  await dns?.close();
});

test('Postfix receives the relayed message byte for byte in its maildir', { timeout: 60_000 }, async () => {
  const body = 'Line one.\r\n.a line starting with a dot\r\n\r\nUTF-8 body: h\u00e9llo w\u00f6rld\r\n';
  await tidemail.deliver('out@a.test', simpleMessage('to postfix', body, 'out@a.test'));
  const id = await eventually(async () => (await getJson<{ messages: { id: number }[] }>(`${tidemail.base}/api/v1/inboxes/out/messages`)).body.messages[0]?.id, 'the stored message');
  const raw = Buffer.from(await (await fetch(`${tidemail.base}/api/v1/messages/${id}/raw`)).arrayBuffer());
  const released = await getJson<{ queueId: number }>(`${tidemail.base}/api/v1/messages/${id}/release`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: ['user@p.test'] }),
  });
  assert.equal(released.status, 202);
  const [file] = await eventually(async () => {
    const files = postfix.delivered();
    return files.length ? files : null;
  }, 'Postfix to deliver into the maildir', 30_000);
  const expected = Buffer.from(raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  assert.ok(file!.subarray(file!.length - expected.length).equals(expected), `maildir file ends with the sent bytes:\n${file!.toString()}`);
  assert.match(file!.toString(), /^Delivered-To: user@p\.test$/m);
  assert.match(file!.toString(), /^Received: from relay\.tidemail\.test /m);
  const detail = await getJson<{ recipients: { state: string; attemptLog: { reply: string }[] }[] }>(`${tidemail.base}/api/v1/queue/${released.body.queueId}`);
  assert.equal(detail.body.recipients[0]!.state, 'delivered');
  assert.match(detail.body.recipients[0]!.attemptLog[0]!.reply, /^250 2\.0\.0 Ok: queued as /);
});
