/**
 * The scheduler against real scripted MX hosts on 127.0.0.2–9:25 found through the test DNS
 * server, on a ManualClock: delivery, next MX on failure, greylisting retried on schedule, 5xx
 * bounced at once with a DSN, null MX, SERVFAIL, timeouts and drops deferred, one connection
 * carrying many messages, and a 5-day lifetime run in seconds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { message, startRig, type Rig } from './harness.js';
import { startScriptedMx, type PeerMode, type ScriptedMx } from './peers.js';

let dns: TestDnsServer;
const peers = new Map<string, ScriptedMx>();
const MODES: Record<string, PeerMode> = {
  '127.0.0.2': 'accept',
  '127.0.0.5': 'greylist',
  '127.0.0.6': 'refuse-some',
  '127.0.0.7': 'timeout',
  '127.0.0.8': 'drop',
  '127.0.0.9': 'defer',
};
const rigs: Rig[] = [];

function rig(...args: Parameters<typeof startRig> extends [string, ...infer R] ? R : never): Rig {
  const r = startRig(dns.address, ...args);
  rigs.push(r);
  return r;
}

before(async () => {
  const mx = (name: string, ip: string) => ({ [name]: { MX: [{ preference: 10, exchange: `mx.${name}` }] }, [`mx.${name}`]: { A: [ip] } });
  dns = await startDnsServer({
    ...mx('a.test', '127.0.0.2'),
    'b.test': { MX: [{ preference: 10, exchange: 'dead.b.test' }, { preference: 20, exchange: 'mx.a.test' }] },
    'dead.b.test': { A: ['127.0.0.3'] },
    ...mx('grey.test', '127.0.0.5'),
    ...mx('refuse.test', '127.0.0.6'),
    ...mx('slow.test', '127.0.0.7'),
    ...mx('drop.test', '127.0.0.8'),
    ...mx('defer.test', '127.0.0.9'),
    'null.test': { MX: [{ preference: 0, exchange: '.' }] },
    'broken.test': 'SERVFAIL',
  });
  await Promise.all(Object.entries(MODES).map(async ([ip, mode]) => peers.set(ip, await startScriptedMx(ip, mode))));
});

after(async () => {
  await Promise.all(rigs.map((r) => r.close()));
  await Promise.all([...peers.values()].map((p) => p.stop()));
  await dns.close();
});

test('two recipients at one domain go in one transaction, byte for byte, and are marked delivered', async () => {
  const r = rig();
  const sent = message(['one@a.test', 'two@a.test']);
  const id = await r.queue.enqueue(sent);
  const received = await peers.get('127.0.0.2')!.next('message');
  const outcomes = await r.settled(2);
  assert.deepEqual(received.rcpt_tos, ['one@a.test', 'two@a.test']);
  assert.equal(received.mail_from, 'sender@tidemail.test');
  assert.deepEqual(Buffer.from(received.data!, 'base64'), sent.raw, 'dot-stuffing undone, bytes unchanged');
  assert.deepEqual(outcomes.map((o) => o.state), ['delivered', 'delivered']);
  const detail = r.queue.get(id)!;
  assert.deepEqual(detail.recipients.map((x) => x.state), ['delivered', 'delivered']);
  assert.match(detail.recipients[0]!.attemptLog[0]!.host, /^mx\.a\.test\[127\.0\.0\.2\]:25$/);
  assert.match(detail.recipients[0]!.attemptLog[0]!.reply, /^250/);
  assert.equal(r.sent.length, 0, 'no DSN for a delivery');
});

test('a dead first MX falls through to the next by preference', async () => {
  const r = rig();
  await r.queue.enqueue(message(['x@b.test']));
  const received = await peers.get('127.0.0.2')!.next('message');
  assert.deepEqual(received.rcpt_tos, ['x@b.test']);
  const [outcome] = await r.settled(1);
  assert.equal(outcome!.state, 'delivered');
});

test('greylisting (451) is retried on the schedule, not bounced, and then delivered', async () => {
  const r = rig();
  const id = await r.queue.enqueue(message(['grey@grey.test']));
  const [first] = await r.settled(1);
  assert.equal(first!.state, 'deferred');
  assert.match(first!.attempt.reply, /^451 4\.7\.1/);
  assert.equal(first!.nextAttemptAtMs, r.clock.now() + 300_000, 'first retry after 5 minutes');
  r.clock.advance(299_000);
  assert.equal(r.queue.get(id)!.recipients[0]!.state, 'deferred', 'not before its time');
  r.clock.advance(1_000);
  const [second] = await r.settled(1);
  assert.equal(second!.state, 'delivered');
  assert.equal(r.queue.get(id)!.recipients[0]!.attemptLog.length, 2);
  assert.equal(r.sent.length, 0);
});

test('a 550 bounces at once with an RFC 3464 DSN to the sender; the accepted recipient is delivered', async () => {
  const r = rig();
  await r.queue.enqueue(message(['bad@refuse.test', 'good@refuse.test'], { subject: 'will bounce' }));
  const outcomes = await r.settled(2);
  assert.deepEqual(outcomes.map((o) => o.state).sort(), ['bounced', 'delivered']);
  const received = await peers.get('127.0.0.6')!.next('message');
  assert.deepEqual(received.rcpt_tos, ['good@refuse.test']);
  await waitFor(() => r.sent.length === 1, 'the DSN');
  const dsn = r.sent[0]!;
  assert.equal(dsn.mailFrom, '', 'null reverse path (RFC 5321 §4.5.5)');
  assert.deepEqual(dsn.recipients, ['sender@tidemail.test']);
  assert.equal(dsn.origin, 'bounce');
  const text = dsn.raw.toString();
  assert.match(text, /^Content-Type: multipart\/report; report-type=delivery-status; boundary="/m);
  assert.match(text, /^Content-Type: message\/delivery-status\r\n\r\nReporting-MTA: dns; relay\.tidemail\.test\r\n/m);
  assert.match(text, /^Final-Recipient: rfc822; bad@refuse\.test\r\nAction: failed\r\nStatus: 5\.1\.1\r\nRemote-MTA: dns; mx\.refuse\.test\r\nDiagnostic-Code: smtp; 550 5\.1\.1 no such user here\r\n/m);
  assert.doesNotMatch(text, /good@refuse\.test>?:/, 'the delivered recipient is not reported');
  assert.match(text, /^Content-Type: text\/rfc822-headers\r\n\r\nFrom: Sender <sender@tidemail\.test>\r\n[\s\S]*^Subject: will bounce\r\n/m);
  assert.doesNotMatch(text, /Hello over the relay/, 'headers only, not the body');
});

test('a null MX bounces with 556 5.1.10; a bounce of a null-sender message is never sent', async () => {
  const r = rig();
  await r.queue.enqueue(message(['x@null.test']));
  const [outcome] = await r.settled(1);
  assert.equal(outcome!.state, 'bounced');
  assert.match(outcome!.attempt.reply, /^556 5\.1\.10/);
  await waitFor(() => r.sent.length === 1, 'the DSN');
  assert.match(r.sent[0]!.raw.toString(), /^Status: 5\.1\.10\r\n/m);
  await r.queue.enqueue(message(['y@null.test'], { from: '' }));
  const [second] = await r.settled(1);
  assert.equal(second!.state, 'bounced');
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(r.sent.length, 1, 'no DSN to the null sender');
});

test('SERVFAIL, a timeout and a drop mid-DATA are temporary: deferred for a retry', async () => {
  const r = rig();
  await r.queue.enqueue(message(['x@broken.test']));
  await r.queue.enqueue(message(['x@slow.test']));
  await r.queue.enqueue(message(['x@drop.test']));
  const outcomes = await r.settled(3, 20_000);
  assert.deepEqual(outcomes.map((o) => o.state), ['deferred', 'deferred', 'deferred']);
  const replies = outcomes.map((o) => o.attempt.reply).join('\n');
  assert.match(replies, /^451 4\.4\.3 MX lookup for broken\.test failed \(ESERVFAIL\)/m);
  assert.match(replies, /ETIMEDOUT/);
  assert.match(replies, /ECONNECTION|closed/i);
  assert.equal(r.sent.length, 0);
});

test('one connection carries many messages for its destination (RSET between)', async () => {
  const r = rig({ perDestination: 1 });
  const peer = peers.get('127.0.0.2')!;
  const before = peer.messages().length;
  for (let i = 0; i < 8; i++) await r.queue.enqueue(message([`n${i}@a.test`]));
  await r.settled(8);
  const got = peer.messages().slice(before);
  assert.equal(got.length, 8);
  assert.equal(new Set(got.map((m) => m.session)).size, 1, 'all in one SMTP session');
});

test('a recipient deferred for the whole 5-day lifetime is tried on the schedule, then bounced with 5.4.7', async () => {
  const r = rig();
  const start = r.clock.now();
  const id = await r.queue.enqueue(message(['late@defer.test']));
  const times: number[] = [];
  for (;;) {
    const [outcome] = await r.settled(1);
    times.push(r.clock.now() - start);
    if (outcome!.state === 'bounced') break;
    r.clock.advance(outcome!.nextAttemptAtMs! - r.clock.now());
  }
  const minutes = times.map((t) => t / 60_000);
  assert.deepEqual(minutes.slice(0, 7), [0, 5, 15, 35, 75, 145, 215], '5m, 10m, 20m, 40m, 70m, then every 70m');
  assert.equal(times.at(-1), 5 * 86_400_000, 'the last try is at the deadline');
  const detail = r.queue.get(id)!;
  assert.equal(detail.recipients[0]!.state, 'bounced');
  assert.match(detail.recipients[0]!.lastReply, /^554 5\.4\.7 .*last reply: 451 4\.3\.2 try again later/);
  await waitFor(() => r.sent.length === 1, 'the DSN');
  assert.match(r.sent[0]!.raw.toString(), /^Status: 5\.4\.7\r\n/m);
});

async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
