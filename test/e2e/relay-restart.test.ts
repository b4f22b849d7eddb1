/**
 * kill -9 in the middle of a delivery loses nothing: the MX (scripted, on 127.0.0.21:25) holds
 * the reply to the end of DATA, Tidemail is killed while its recipients are `delivering`, the MX
 * is replaced by one that accepts, and after the restart every recipient is delivered — at
 * least once: the same message may arrive twice (README, "Sending mail").
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { startScriptedMx, type ScriptedMx } from '../relay/peers.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { eventually } from '../helpers/eventually.js';
import { getJson } from '../helpers/http.js';
import { removeDataDir, startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

const TOKEN = 'restart-token';
const cleanup: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => undefined);
});

async function start(dataDir: string | undefined, dns: TestDnsServer): Promise<TestServer> {
  const server = await startServer({ dataDir, expect: ['smtp', 'http'], args: ['--dns-servers', dns.address, '--admin-token', TOKEN, '--relay-timeout', '120s'] });
  cleanup.push(() => server.stop());
  return server;
}

test('after a kill -9 mid-DATA, the restarted server delivers every queued recipient', async () => {
  const dns = await startDnsServer({ 'k.test': { MX: [{ preference: 10, exchange: 'mx.k.test' }] }, 'mx.k.test': { A: ['127.0.0.21'] } });
  cleanup.push(() => dns.close());
  const hanging: ScriptedMx = await startScriptedMx('127.0.0.21', 'timeout');
  cleanup.push(() => hanging.stop());
  const first = await start(undefined, dns);
  cleanup.push(async () => removeDataDir(first.dataDir));
  const base = `http://127.0.0.1:${first.ports.http}`;

  const { client } = await RawSmtpClient.open(first.smtpPort);
  await client.send('EHLO test.example');
  assert.equal((await sendMail(client, 'sender@example.test', ['keep@a.test'], simpleMessage('kill me', 'Body.', 'keep@a.test'))).code, 250);
  client.close();
  const id = await eventually(async () => (await getJson<{ messages: { id: number }[] }>(`${base}/api/v1/inboxes/keep/messages`)).body.messages[0]?.id, 'the stored message');
  const released = await getJson<{ queueId: number }>(`${base}/api/v1/messages/${id}/release`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to: ['one@k.test', 'two@k.test'] }),
  });
  assert.equal(released.status, 202);

  const data = await hanging.next('data');
  assert.deepEqual(data.rcpt_tos, ['one@k.test', 'two@k.test']);
  const during = await getJson<{ recipients: { state: string }[] }>(`${base}/api/v1/queue/${released.body.queueId}`);
  assert.deepEqual(during.body.recipients.map((r) => r.state), ['delivering', 'delivering']);
  await first.kill();
  await hanging.stop();

  const accepting = await startScriptedMx('127.0.0.21', 'accept');
  cleanup.push(() => accepting.stop());
  const second = await start(first.dataDir, dns);
  const delivered = await accepting.next('message', 20_000);
  assert.deepEqual(delivered.rcpt_tos, ['one@k.test', 'two@k.test']);
  assert.match(Buffer.from(delivered.data!, 'base64').toString(), /Subject: kill me/);
  const after = await eventually(async () => {
    const r = await getJson<{ recipients: { state: string; attemptLog: unknown[] }[] }>(`http://127.0.0.1:${second.ports.http}/api/v1/queue/${released.body.queueId}`);
    return r.body.recipients.every((x) => x.state === 'delivered') ? r.body : null;
  }, 'both recipients delivered after the restart');
  assert.deepEqual(after.recipients.map((r) => r.attemptLog.length), [1, 1], 'the killed attempt was never recorded; the retry was');
});
