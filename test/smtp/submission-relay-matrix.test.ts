/**
 * The open-relay matrix: every trick for getting a server to relay that relay testers try
 * (source routes, `%` hacks, `!` paths, quoted local parts, IP literals, our domain spelt
 * otherwise) is refused to a client that may not relay, and the relay queue stays empty. An
 * authenticated user reaching our own domain in another spelling is delivered locally, never
 * relayed; with no --domains (the catch-all) nothing is ever relayed, as in Mailpit and MailHog.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';
import { PASSWORD, plain, startHarness, type Harness } from './submission-fakes.js';

/** Recipient path → the refusal a client that may not relay gets (the parser's 501 for what is not an address at all). */
const MATRIX: ReadonlyArray<readonly [string, RegExp]> = [
  ['<victim@elsewhere.example>', /^550 5\.7\.1 /],
  ['<postmaster@elsewhere.example>', /^550 5\.7\.1 /],
  ['<@ours.test:victim@elsewhere.example>', /^550 5\.7\.1 /],
  ['<@ours.test,@also-ours.test:victim@elsewhere.example>', /^550 5\.7\.1 /],
  ['<victim%elsewhere.example@ours.test>', /^550 5\.7\.1 /],
  ['<victim%elsewhere.example%ours.test@ours.test>', /^550 5\.7\.1 /],
  ['<elsewhere.example!victim@ours.test>', /^550 5\.7\.1 /],
  ['<ours.test!elsewhere.example!victim@ours.test>', /^550 5\.7\.1 /],
  ['<"victim@elsewhere.example"@ours.test>', /^550 5\.7\.1 /],
  ['<"victim%elsewhere.example"@ours.test>', /^550 5\.7\.1 /],
  ['<"elsewhere.example!victim"@ours.test>', /^550 5\.7\.1 /],
  ['<victim@[192.0.2.1]>', /^550 5\.7\.1 /],
  ['<victim@[127.0.0.1]>', /^550 5\.7\.1 /],
  ['<victim@[IPv6:2001:db8::1]>', /^550 5\.7\.1 /],
  ['<victim@sub.ours.test>', /^550 5\.7\.1 /],
  ['<victim@ours.test.elsewhere.example>', /^550 5\.7\.1 /],
  ['<victim@elsewhere.example.>', /^501 5\.1\.3 /],
  ['<victim@OURS.TEST.>', /^501 5\.1\.3 /],
  ['<victim@elsewhere.example@ours.test>', /^501 5\.1\.3 /],
  ['<"victim@elsewhere.example">', /^501 5\.1\.3 /],
  ['<elsewhere.example!victim>', /^501 5\.1\.3 /],
  ['<victim%elsewhere.example>', /^501 5\.1\.3 /],
];

describe('the open-relay matrix', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  for (const [path, refusal] of MATRIX) {
    it(`refuses RCPT TO:${path} on the MX port and queues nothing`, async () => {
      const { client } = await RawSmtpClient.open(h.smtpPort);
      await client.send('EHLO relay-tester.test');
      assert.equal((await client.send('MAIL FROM:<spammer@elsewhere.example>')).code, 250);
      assert.match((await client.send(`RCPT TO:${path}`)).text, refusal);
      assert.match((await client.send('DATA')).text, /^503 5\.5\.1/, 'no recipient was accepted');
      client.close();
      assert.equal(h.queue.enqueued.length, 0);
      assert.equal(h.store.appended.length, 0);
    });
  }

  it('refuses the whole matrix on the submission port without AUTH: MAIL is already 530', async () => {
    for (const [path] of MATRIX) {
      const { client } = await RawSmtpClient.open(h.submissionPort);
      await client.send('EHLO relay-tester.test');
      assert.match((await client.send('MAIL FROM:<spammer@elsewhere.example>')).text, /^530 5\.7\.0/);
      assert.match((await client.send(`RCPT TO:${path}`)).text, /^503 5\.5\.1/);
      client.close();
    }
    assert.equal(h.queue.enqueued.length, 0);
  });

  it('delivers our own domain in another case locally for an authenticated user, never through the queue', async () => {
    const client = await loggedIn(h);
    const r = await sendMail(client, 'app@ours.test', ['Joe@OURS.TEST', 'joe@Also-Ours.Test', 'ann+x@ours.test'], simpleMessage('ours'));
    assert.match(r.text, /^250/);
    await client.send('MAIL FROM:<app@ours.test>');
    assert.match((await client.send('RCPT TO:<joe@ours.test.>')).text, /^501 5\.1\.3/, 'a trailing dot is not a domain (RFC 5321 §4.1.2)');
    client.close();
    assert.equal(h.queue.enqueued.length, 0);
    assert.deepEqual(h.store.appended.at(-1)!.inboxes, ['joe', 'ann']);
  });
});

describe('the catch-all (no --domains) never relays', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ args: ['--domains='] })));
  after(() => h.close());

  it('stores every recipient of an authenticated user locally, IP literals included, and queues nothing', async () => {
    const client = await loggedIn(h);
    const r = await sendMail(client, 'app@myapp.example', ['customer@gmail.example', 'ops@[192.0.2.1]'], simpleMessage('caught'));
    assert.match(r.text, /^250/);
    client.close();
    assert.equal(h.queue.enqueued.length, 0);
    assert.deepEqual(h.store.appended.at(-1)!.inboxes, ['customer', 'ops']);
  });
});

async function loggedIn(h: Harness): Promise<RawSmtpClient> {
  const { client } = await RawSmtpClient.open(h.submissionPort);
  await client.send('EHLO client.test');
  await client.send('STARTTLS');
  await client.startTls();
  await client.send('EHLO client.test');
  assert.match((await client.send(`AUTH PLAIN ${plain('app', PASSWORD)}`)).text, /^235/);
  return client;
}
