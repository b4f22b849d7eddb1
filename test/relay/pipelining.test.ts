/**
 * Against an MX that offers PIPELINING (pipelining-peer.ts on 127.0.0.31:25): one connection
 * carries message after message, byte for byte, and each transaction is ended by an RSET sent
 * behind the content, before the end-of-data reply (RFC 2920 §3.1); a refusal at the dot
 * bounces that message only and the connection goes on; a 421 at the dot defers the message
 * and the next one goes on a new connection.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { message, startRig, type Rig } from './harness.js';
import { startPipeliningPeer, type PipeliningPeer } from './pipelining-peer.js';

let dns: TestDnsServer;
let peer: PipeliningPeer;
const rigs: Rig[] = [];

before(async () => {
  dns = await startDnsServer({ 'pipe.test': { MX: [{ preference: 10, exchange: 'mx.pipe.test' }] }, 'mx.pipe.test': { A: ['127.0.0.31'] } });
  peer = await startPipeliningPeer('127.0.0.31');
});

after(async () => {
  await Promise.all(rigs.map((r) => r.close()));
  await peer.stop();
  await dns.close();
});

test('with PIPELINING, messages follow one another on one connection, each ended by an RSET sent behind its content', async () => {
  const r = startRig(dns.address, { perDestination: 1 });
  rigs.push(r);
  const sent = Array.from({ length: 6 }, (_, i) => message([`p${i}@pipe.test`], { subject: `pipelined ${i}` }));
  for (const m of sent) await r.queue.enqueue(m);
  const outcomes = await r.settled(6);
  assert.deepEqual(outcomes.map((o) => o.state), Array(6).fill('delivered'));
  const received = await peer.received(6);
  assert.equal(new Set(received.map((m) => m.session)).size, 1, 'all in one SMTP session');
  assert.deepEqual(received.map((m) => m.data), sent.map((m) => m.raw), 'byte for byte, dot-stuffing undone');
  assert.deepEqual(received.map((m) => m.rcptTo), sent.map((m) => m.recipients));
  const session = received[0]!.session;
  const verbs = peer.commands.filter((c) => c.session === session).map((c) => c.verb);
  assert.deepEqual(verbs.slice(0, 1 + 6 * 4), ['EHLO', ...Array(6).fill(['MAIL', 'RCPT', 'DATA', 'RSET']).flat()], 'RSET between transactions');
  const resets = peer.commands.filter((c) => c.session === session && c.verb === 'RSET');
  assert.ok(resets.every((c) => c.whileReplyHeld), `every RSET arrived before the end-of-data reply was sent: ${JSON.stringify(resets)}`);
});

test('a refusal at the dot bounces only that message; a 421 at the dot defers it and the next goes on a new connection', async () => {
  const r = startRig(dns.address, { perDestination: 1 });
  rigs.push(r);
  const before = peer.messages.length;
  const order = ['refuse-at-dot', 'after refusal', 'close-at-dot', 'after close'];
  const ids: number[] = [];
  for (const subject of order) ids.push(await r.queue.enqueue(message([`${subject.replace(/ /g, '-')}@pipe.test`], { subject })));
  const outcomes = await r.settled(4);
  const stateOf = new Map(outcomes.map((o) => [o.messageId, o]));
  assert.deepEqual(ids.map((id) => stateOf.get(id)!.state), ['bounced', 'delivered', 'deferred', 'delivered']);
  assert.match(stateOf.get(ids[0]!)!.attempt.reply, /^554 5\.6\.0/);
  assert.match(stateOf.get(ids[2]!)!.attempt.reply, /421|closed/i);
  const received = peer.messages.slice(before);
  assert.equal(received.length, 4);
  const [refused, next, closed, fresh] = received;
  assert.equal(next!.session, refused!.session, 'the connection went on after the refusal');
  assert.equal(closed!.session, refused!.session);
  assert.notEqual(fresh!.session, closed!.session, 'a new connection after the 421');
});
