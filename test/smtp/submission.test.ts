/**
 * The submission port (RFC 6409, AUTH RFC 4954) and the relay hand-off, over real sockets
 * against in-process listeners built from fakes (submission-fakes.ts): AUTH offered only after
 * STARTTLS, required before MAIL, PLAIN and LOGIN, 535 counted as an error, the brute-force
 * throttle on an injected clock, credentials kept out of the transcript, and relayed recipients
 * handed to the RelayQueue, committed before the 250, in the order routed.ts documents.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';
import { ManualClock } from '../helpers/clock.js';
import { PASSWORD, b64, plain, startHarness, type Harness } from './submission-fakes.js';

async function openTls(port: number, from?: string): Promise<RawSmtpClient> {
  const { client } = await RawSmtpClient.open(port, from);
  await client.send('EHLO client.test');
  assert.equal((await client.send('STARTTLS')).code, 220);
  await client.startTls();
  await client.send('EHLO client.test');
  return client;
}

async function loggedIn(port: number): Promise<RawSmtpClient> {
  const client = await openTls(port);
  assert.match((await client.send(`AUTH PLAIN ${plain('app', PASSWORD)}`)).text, /^235 2\.7\.0/);
  return client;
}

describe('submission: AUTH', () => {
  let h: Harness;
  before(async () => (h = await startHarness()));
  after(() => h.close());

  it('offers AUTH only after STARTTLS, refuses it before (538 5.7.11), and requires it before MAIL (530 5.7.0)', async () => {
    const { client } = await RawSmtpClient.open(h.submissionPort);
    const ehlo = await client.send('EHLO client.test');
    assert.doesNotMatch(ehlo.text, /AUTH/);
    assert.match(ehlo.text, /STARTTLS/);
    assert.match((await client.send(`AUTH PLAIN ${plain('app', PASSWORD)}`)).text, /^538 5\.7\.11/);
    assert.match((await client.send('MAIL FROM:<app@ours.test>')).text, /^530 5\.7\.0/);
    assert.equal((await client.send('STARTTLS')).code, 220);
    await client.startTls();
    const secure = await client.send('EHLO client.test');
    assert.match(secure.text, /^250-AUTH PLAIN LOGIN\r$/m);
    assert.match((await client.send('MAIL FROM:<app@ours.test>')).text, /^530 5\.7\.0/, 'still not logged in');
    client.close();
  });

  it('does not offer AUTH on the MX port', async () => {
    const client = await openTls(h.smtpPort);
    assert.doesNotMatch((await client.send('EHLO client.test')).text, /AUTH/);
    assert.match((await client.send(`AUTH PLAIN ${plain('app', PASSWORD)}`)).text, /^502 5\.5\.1/);
    client.close();
  });

  it('logs in with PLAIN as a continuation (334, then the response) and with LOGIN; AUTH twice is 503', async () => {
    const client = await openTls(h.submissionPort);
    assert.equal((await client.send('AUTH PLAIN')).text, '334 \r\n');
    assert.match((await client.send(plain('app', PASSWORD))).text, /^235 2\.7\.0/);
    assert.match((await client.send('AUTH LOGIN')).text, /^503 5\.5\.1/);
    client.close();

    const login = await openTls(h.submissionPort);
    assert.equal((await login.send('AUTH LOGIN')).text, '334 VXNlcm5hbWU6\r\n');
    assert.equal((await login.send(b64('app'))).text, '334 UGFzc3dvcmQ6\r\n');
    assert.match((await login.send(b64(PASSWORD))).text, /^235 2\.7\.0/);
    assert.equal((await login.send('MAIL FROM:<app@ours.test> AUTH=<>')).code, 250, 'the AUTH= parameter is accepted (RFC 4954 §5)');
    login.close();

    const initial = await openTls(h.submissionPort);
    assert.equal((await initial.send(`AUTH LOGIN ${b64('app')}`)).text, '334 UGFzc3dvcmQ6\r\n', 'LOGIN with the user name as initial response');
    assert.match((await initial.send(b64(PASSWORD))).text, /^235/);
    initial.close();
  });

  it('cancels on *, refuses undecodable responses and unknown mechanisms, and goes on', async () => {
    const client = await openTls(h.submissionPort);
    await client.send('AUTH LOGIN');
    assert.match((await client.send('*')).text, /^501 5\.7\.0/);
    assert.match((await client.send('AUTH PLAIN !!!')).text, /^501 5\.5\.2/);
    assert.match((await client.send('AUTH CRAM-MD5')).text, /^504 5\.5\.4/);
    assert.equal((await client.send('NOOP')).code, 250, 'back in the command state');
    client.close();
  });

  it('answers a wrong password or an unknown user 535 5.7.8, and ten errors close the session', async () => {
    const client = await openTls(h.submissionPort);
    assert.match((await client.send(`AUTH PLAIN ${plain('app', 'wrong')}`)).text, /^535 5\.7\.8/);
    assert.match((await client.send(`AUTH PLAIN ${plain('nobody', PASSWORD)}`)).text, /^535 5\.7\.8/);
    client.close();
  });
});

describe('submission: every wrong password counts toward the session\'s errors', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ args: ['--auth-failures', '0'] })));
  after(() => h.close());

  it('closes with 421 4.7.0 after the tenth 5xx', async () => {
    const client = await openTls(h.submissionPort);
    for (let i = 1; i < 10; i++) assert.match((await client.send(`AUTH PLAIN ${plain('app', `guess${i}`)}`)).text, /^535 5\.7\.8/);
    assert.match((await client.send(`AUTH PLAIN ${plain('app', 'guess10')}`)).text, /^535 5\.7\.8/);
    assert.match((await client.reply()).text, /^421 4\.7\.0/);
    await client.closedByServer();
  });
});

describe('submission: brute-force throttle per client address', () => {
  const clock = new ManualClock();
  let h: Harness;
  before(async () => (h = await startHarness({ clock, args: ['--auth-failures', '3/10m'] })));
  after(() => h.close());

  it('refuses every AUTH from an address past 3 failures with 454 4.7.0, even with the right password, until the window ends', async () => {
    const client = await openTls(h.submissionPort);
    for (let i = 0; i < 3; i++) assert.match((await client.send(`AUTH PLAIN ${plain('app', `guess${i}`)}`)).text, /^535/);
    const throttled = await client.send(`AUTH PLAIN ${plain('app', PASSWORD)}`);
    assert.match(throttled.text, /^454 4\.7\.0 .*try again in 600 seconds/);
    client.close();

    const other = await openTls(h.submissionPort, '127.0.0.2');
    assert.match((await other.send(`AUTH PLAIN ${plain('app', PASSWORD)}`)).text, /^235/, 'another address is not throttled');
    other.close();

    clock.advance(10 * 60_000);
    const later = await openTls(h.submissionPort);
    assert.match((await later.send(`AUTH PLAIN ${plain('app', PASSWORD)}`)).text, /^235/, 'the window has passed');
    later.close();
    assert.match(await h.metrics.registry.metrics(), /tidemail_submission_logins_total\{outcome="throttled"\} 1/);
  });
});

describe('submission: relaying', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ args: ['--relay-networks', '127.0.0.3/32'] })));
  after(() => h.close());

  it('stores the recipients at our domains and queues the others, both before the 250', async () => {
    const client = await loggedIn(h.submissionPort);
    const r = await sendMail(client, 'app@ours.test', ['Joe@OURS.test', 'ann@elsewhere.example', 'bob@far.example'], simpleMessage('mixed'));
    assert.match(r.text, /^250 2\.0\.0/);
    const stored = h.store.inbox('joe');
    assert.equal(stored.length, 1);
    assert.deepEqual(stored[0]!.inboxes, ['joe'], 'only our recipient is stored');
    assert.equal(h.queue.enqueued.length, 1);
    const queued = h.queue.enqueued[0]!;
    assert.deepEqual(queued.recipients, ['ann@elsewhere.example', 'bob@far.example']);
    assert.equal(queued.mailFrom, 'app@ours.test');
    assert.equal(queued.origin, 'submission');
    assert.match(queued.raw.toString(), /^Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n\tby .* with ESMTPS id /, 'relayed with our trace header');
    assert.match(queued.raw.toString(), /\r\nSubject: mixed\r\n/);
    client.close();
  });

  it('keeps the credentials out of the transcript stored with the message', async () => {
    const client = await openTls(h.submissionPort);
    await client.send('AUTH LOGIN');
    await client.send(b64('app'));
    assert.match((await client.send(b64(PASSWORD))).text, /^235/);
    await sendMail(client, 'app@ours.test', ['keeper@ours.test'], simpleMessage('transcript'));
    const [message] = h.store.inbox('keeper');
    const lines = message!.transcript!.lines.map((l) => l.text).join('\n');
    assert.match(lines, /AUTH LOGIN/);
    assert.match(lines, /<sasl response>/);
    assert.ok(!lines.includes(b64(PASSWORD)) && !lines.includes(b64('app')), lines);
    client.close();

    const initial = await openTls(h.submissionPort);
    await initial.send(`AUTH PLAIN ${plain('app', PASSWORD)}`);
    await sendMail(initial, 'app@ours.test', ['keeper@ours.test'], simpleMessage('transcript 2'));
    const second = h.store.inbox('keeper')[1]!.transcript!.lines.map((l) => l.text).join('\n');
    assert.match(second, /AUTH PLAIN <credentials>/);
    assert.ok(!second.includes(plain('app', PASSWORD)));
    initial.close();
  });

  it('lets a client of --relay-networks relay on the MX port without AUTH, and no one else', async () => {
    const before = h.queue.enqueued.length;
    const { client } = await RawSmtpClient.open(h.smtpPort, '127.0.0.3');
    await client.send('EHLO lan.test');
    assert.match((await sendMail(client, 'cron@lan.test', ['ops@elsewhere.example'], simpleMessage('from the LAN'))).text, /^250/);
    assert.equal(h.queue.enqueued.length, before + 1);
    assert.equal(h.queue.enqueued.at(-1)!.origin, 'relay-network');
    client.close();

    const { client: stranger } = await RawSmtpClient.open(h.smtpPort, '127.0.0.4');
    await stranger.send('EHLO stranger.test');
    await stranger.send('MAIL FROM:<x@stranger.test>');
    assert.match((await stranger.send('RCPT TO:<ops@elsewhere.example>')).text, /^550 5\.7\.1/);
    stranger.close();
    assert.equal(h.queue.enqueued.length, before + 1);
  });

  it('answers 451 4.3.0 when the queue fails, after keeping the local part (a retry stores it twice, relays it once)', async () => {
    h.queue.failWith = new Error('queue down');
    const storedBefore = h.store.appended.length;
    const client = await loggedIn(h.submissionPort);
    const r = await sendMail(client, 'app@ours.test', ['local@ours.test', 'far@elsewhere.example'], simpleMessage('queue down'));
    h.queue.failWith = null;
    assert.match(r.text, /^451 4\.3\.0/);
    assert.equal(h.store.appended.length, storedBefore + 1, 'the local part was committed first');
    client.close();
  });

  it('queues nothing when the store fails: the local part comes first', async () => {
    h.store.failWith = new Error('disk');
    const queuedBefore = h.queue.enqueued.length;
    const client = await loggedIn(h.submissionPort);
    const r = await sendMail(client, 'app@ours.test', ['local@ours.test', 'far@elsewhere.example'], simpleMessage('store down'));
    h.store.failWith = null;
    assert.match(r.text, /^451 4\.3\.0/);
    assert.equal(h.queue.enqueued.length, queuedBefore);
    client.close();
  });
});

describe('submission: capture outbound', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ args: ['--capture-outbound', 'on'] })));
  after(() => h.close());

  it('stores a copy of relayed mail in the sender\'s inbox, marked outbound, and the queue links to it', async () => {
    const client = await loggedIn(h.submissionPort);
    assert.match((await sendMail(client, 'Shop+orders@ours.test', ['buyer@elsewhere.example'], simpleMessage('your order'))).text, /^250/);
    const [copy] = h.store.inbox('shop');
    assert.ok(copy, 'a copy in the sender\'s inbox');
    assert.equal(copy.subject, 'your order');
    const queued = h.queue.enqueued[0]!;
    assert.equal(queued.sourceId, copy.ids[0]);
    assert.ok(queued.raw.equals(copy.raw), 'the copy is what was relayed');
    assert.deepEqual(h.capture!.marks.list('shop', 10), [copy.ids[0]]);
    client.close();
  });
});

describe('submission: without a relay queue', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ noQueue: true })));
  after(() => h.close());

  it('refuses relaying even to an authenticated user (550 5.7.1), and still delivers locally', async () => {
    const client = await loggedIn(h.submissionPort);
    await client.send('MAIL FROM:<app@ours.test>');
    assert.match((await client.send('RCPT TO:<far@elsewhere.example>')).text, /^550 5\.7\.1 .*no relay queue/);
    assert.equal((await client.send('RCPT TO:<near@ours.test>')).code, 250);
    client.close();
  });
});
