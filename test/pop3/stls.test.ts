/**
 * STLS (RFC 2595 §4) over a real socket: the upgrade, the capability list before and after, and
 * plaintext pipelined behind STLS being thrown away rather than run inside the TLS session.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { RawLineClient } from '../helpers/line-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { deliver, freshInbox, messages } from './helpers.js';

let server: TestServer;

before(async () => {
  server = await startServer({ expect: ['smtp', 'pop3'] });
});
after(async () => {
  await server.dispose();
});

it('upgrades to TLS, stops offering STLS, and serves the maildrop over TLS', async () => {
  const inbox = freshInbox();
  await deliver(server.smtpPort, inbox, messages(1, inbox));
  const { client } = await RawLineClient.open(server.ports.pop3!);
  assert.ok((await client.sendMulti('CAPA')).lines.includes('STLS'));
  assert.equal(await client.send('STLS'), '+OK Begin TLS negotiation');
  await client.startTls();
  assert.ok(client.encrypted);
  const capa = await client.sendMulti('CAPA');
  assert.ok(!capa.lines.includes('STLS'));
  assert.ok(capa.lines.includes('SASL PLAIN'));
  assert.equal(await client.send('STLS'), '-ERR TLS already active');
  assert.equal(await client.send(`USER ${inbox}`), '+OK Send PASS');
  assert.match(await client.send('PASS x'), new RegExp(`^\\+OK ${inbox} has 1 message `));
  assert.match(await client.send('RETR 1'), /^\+OK \d+ octets$/);
  assert.match((await client.body()).content.toString(), /Subject: Message 1\r\n/);
  assert.match(await client.send('QUIT'), /^\+OK /);
  client.close();
});

it('discards plaintext pipelined behind STLS', async () => {
  const victim = freshInbox('victim');
  await deliver(server.smtpPort, victim, messages(1, victim));
  const { client } = await RawLineClient.open(server.ports.pop3!);
  // An attacker in the middle appends commands to the client's STLS (CVE-2011-0411).
  client.write(`STLS\r\nUSER evil\r\nPASS x\r\nCAPA\r\n`);
  assert.equal(await client.line(), '+OK Begin TLS negotiation');
  // Any plaintext answer to the injected lines would corrupt the handshake below.
  await client.startTls();
  assert.ok(client.encrypted);
  // Had USER evil been kept, PASS would now try to log in as "evil".
  assert.equal(await client.send('PASS x'), '-ERR Send USER first');
  assert.equal(await client.send(`USER ${victim}`), '+OK Send PASS');
  assert.match(await client.send('PASS x'), new RegExp(`^\\+OK ${victim} has 1 message `));
  assert.equal(client.unread.length, 0);
  client.close();
});

it('allows STLS only in the AUTHORIZATION state', async () => {
  const inbox = freshInbox();
  const { client } = await RawLineClient.open(server.ports.pop3!);
  assert.equal(await client.send('STLS now'), '-ERR STLS takes no arguments');
  assert.equal(await client.send(`USER ${inbox}`), '+OK Send PASS');
  assert.match(await client.send('PASS x'), /^\+OK /);
  assert.equal(await client.send('STLS'), '-ERR STLS is not allowed in the TRANSACTION state');
  assert.equal(await client.send('NOOP'), '+OK');
  client.close();
});
