/**
 * How POP3 sessions end other than by QUIT, over real sockets against the real binary: per-IP
 * connection limits, the autologout timer (RFC 1939 §3: close without a response and without
 * UPDATE), and graceful shutdown on SIGTERM (sessions in TRANSACTION delete nothing).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { RawLineClient } from '../helpers/line-client.js';
import { removeDataDir, startServer, type TestServer } from '../helpers/server.js';
import { countIn, countOnceUnlocked, deliver, freshInbox, login, messages } from './helpers.js';

let server: TestServer;
let restarted: TestServer | null = null;

before(async () => {
  server = await startServer({ expect: ['smtp', 'pop3'], args: ['--pop3-timeout', '1s', '--max-connections-per-ip', '3'] });
});
after(async () => {
  await server.stop();
  await restarted?.stop();
  removeDataDir(server.dataDir);
});

it('refuses connections beyond the per-IP limit with -ERR [SYS/TEMP]', async () => {
  const open = await Promise.all([1, 2, 3].map(() => RawLineClient.open(server.ports.pop3!)));
  for (const { greeting } of open) assert.match(greeting, /^\+OK /);
  const { client: refused, greeting } = await RawLineClient.open(server.ports.pop3!);
  assert.equal(greeting, '-ERR [SYS/TEMP] Too many connections from your address, try again later');
  await refused.closedByServer();
  for (const { client } of open) client.close();
});

it('closes an idle session without a response and without deleting', async () => {
  const inbox = freshInbox();
  await deliver(server.smtpPort, inbox, messages(2, inbox));
  const client = await login(server.ports.pop3!, inbox);
  assert.equal(await client.send('DELE 1'), '+OK Message 1 deleted');
  await client.closedByServer();
  assert.equal(client.unread.length, 0, 'no response on autologout (RFC 1939 §3)');
  assert.equal(await countOnceUnlocked(server.ports.pop3!, inbox), 2);
});

it('on SIGTERM ends sessions in TRANSACTION without applying their deletions', async () => {
  const inbox = freshInbox();
  await deliver(server.smtpPort, inbox, messages(2, inbox));
  const client = await login(server.ports.pop3!, inbox);
  assert.equal(await client.send('DELE 1'), '+OK Message 1 deleted');
  assert.equal(await client.send('DELE 2'), '+OK Message 2 deleted');
  const waiting = await RawLineClient.open(server.ports.pop3!);
  const exited = server.stop();
  assert.equal(await client.line(), '-ERR [SYS/TEMP] Server shutting down; no messages were deleted');
  await client.closedByServer();
  assert.match(await waiting.client.line(), /^-ERR \[SYS\/TEMP\] Server shutting down/);
  await waiting.client.closedByServer();
  assert.equal(await exited, 0);

  restarted = await startServer({ expect: ['smtp', 'pop3'], dataDir: server.dataDir });
  assert.equal(await countIn(restarted.ports.pop3!, inbox), 2);
});
