/**
 * What one session learns of changes made elsewhere (RFC 3501 §7.4.1, RFC 2177 IDLE): new mail
 * as EXISTS, deletions as EXPUNGE (never during FETCH/STORE/SEARCH), flag changes as FETCH; and
 * the STARTTLS rule that plaintext pipelined behind the command is discarded (RFC 3501 §6.2.1),
 * and the autologout timer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawImapClient, deliver } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { simpleMessage } from '../helpers/smtp-client.js';

let server: TestServer;
let imapPort: number;

before(async () => {
  server = await startServer({ expect: ['smtp', 'imap'] });
  imapPort = server.ports.imap!;
});

after(async () => {
  await server.dispose();
});

describe('IMAP updates from elsewhere', () => {
  it('IDLE pushes EXISTS as mail arrives and EXPUNGE as it is deleted elsewhere, until DONE', async () => {
    await deliver(server.smtpPort, 'idler@tidemail.test', simpleMessage('Before idle'));
    const watcher = await RawImapClient.selected(imapPort, 'idler');
    watcher.write('i1 IDLE\r\n');
    assert.equal(await watcher.response(), '+ idling');

    await deliver(server.smtpPort, 'idler@tidemail.test', simpleMessage('During idle'));
    assert.equal(await watcher.response(), '* 2 EXISTS');
    // Both messages are \Recent here: this session was the first to see each (RFC 3501 §2.3.2).
    assert.equal(await watcher.response(), '* 2 RECENT');

    const other = await RawImapClient.selected(imapPort, 'idler');
    await other.command('STORE 1 +FLAGS (\\Flagged)');
    assert.match(await watcher.response(), /^\* 1 FETCH \(UID \d+ FLAGS \(\\Flagged \\Recent\)\)$/);
    await other.command('STORE 1 +FLAGS.SILENT (\\Deleted)');
    await watcher.response(); // the \Deleted flag change
    await other.command('EXPUNGE');
    assert.equal(await watcher.response(), '* 1 EXPUNGE');
    other.close();

    watcher.write('DONE\r\n');
    assert.equal((await watcher.until('i1')).tagged, 'i1 OK IDLE terminated');
    const search = await watcher.command('SEARCH RECENT');
    assert.deepEqual(search.untagged, ['* SEARCH 1'], 'the message that arrived in this session is \\Recent, now number 1');
    watcher.close();
  });

  it('holds EXPUNGE back during FETCH and reports it on NOOP, keeping sequence numbers stable', async () => {
    for (let i = 1; i <= 3; i++) await deliver(server.smtpPort, 'stable@tidemail.test', simpleMessage(`Stable ${i}`));
    const a = await RawImapClient.selected(imapPort, 'stable');
    const b = await RawImapClient.selected(imapPort, 'stable');
    await b.command('STORE 2 +FLAGS.SILENT (\\Deleted)');
    await b.command('EXPUNGE');

    const fetch = await a.command('FETCH 1:* (FLAGS)');
    assert.ok(!fetch.untagged.some((l) => l.includes('EXPUNGE')), 'no EXPUNGE during FETCH');
    assert.ok(fetch.untagged.some((l) => l.startsWith('* 3 FETCH')), 'message 3 keeps its number until the EXPUNGE is announced');
    const search = await a.command('SEARCH ALL');
    assert.ok(!search.untagged.some((l) => l.includes('EXPUNGE')));
    const noop = await a.command('NOOP');
    assert.deepEqual(noop.untagged, ['* 2 EXPUNGE']);
    assert.deepEqual((await a.command('SEARCH ALL')).untagged, ['* SEARCH 1 2']);

    await deliver(server.smtpPort, 'stable@tidemail.test', simpleMessage('Stable 4'));
    const noop2 = await a.command('NOOP');
    // a selected first, so the two left of its first three and the new one are \Recent in a.
    assert.deepEqual(noop2.untagged, ['* 3 EXISTS', '* 3 RECENT']);
    a.close();
    b.close();
  });
});

describe('IMAP STARTTLS', () => {
  it('discards plaintext pipelined behind STARTTLS and starts over NotAuthenticated', async () => {
    await deliver(server.smtpPort, 'tls@tidemail.test', simpleMessage('Secret'));
    const { client } = await RawImapClient.open(imapPort);
    client.write('a STARTTLS\r\nb LOGIN evil x\r\n');
    assert.equal(await client.response(), 'a OK Begin TLS negotiation now');
    await client.startTls();
    const caps = await client.command('CAPABILITY');
    assert.doesNotMatch(caps.untagged[0]!, /STARTTLS/);
    assert.match(caps.untagged[0]!, /AUTH=PLAIN/);
    const select = await client.command('SELECT INBOX');
    assert.match(select.tagged, /BAD SELECT is not allowed before LOGIN/, 'the injected LOGIN was never run');
    assert.ok(![...caps.untagged, ...select.untagged].some((l) => l.startsWith('b ')), 'b was never answered');
    assert.match((await client.command('STARTTLS')).tagged, /BAD TLS is already active/);
    assert.equal((await client.command('LOGIN tls x')).status, 'OK');
    const fetch = await client.command('SELECT INBOX');
    assert.ok(fetch.untagged.includes('* 1 EXISTS'));
    client.close();
  });
});

describe('IMAP autologout', () => {
  it('ends a quiet session, IDLE included, with BYE after --imap-timeout', async () => {
    const quick = await startServer({ expect: ['imap'], args: ['--imap-timeout', '1s'] });
    try {
      const { client } = await RawImapClient.open(quick.ports.imap!);
      await client.command('LOGIN quiet x');
      await client.command('SELECT INBOX');
      client.write('i IDLE\r\n');
      assert.equal(await client.response(), '+ idling');
      assert.equal(await client.response(), '* BYE Autologout: idle for too long');
      await client.closedByServer();
    } finally {
      await quick.dispose();
    }
  });
});

describe('IMAP connection limits and shutdown', () => {
  it('refuses a connection over the per-IP limit with BYE, and says BYE to sessions at shutdown', async () => {
    const limited = await startServer({ expect: ['imap'], args: ['--max-connections-per-ip', '1'] });
    try {
      const { client: first } = await RawImapClient.open(limited.ports.imap!);
      const second = await RawImapClient.connect(limited.ports.imap!);
      assert.equal(await second.response(), '* BYE Too many connections from your address, try again later');
      await second.closedByServer();
      assert.equal((await first.command('NOOP')).status, 'OK', 'the admitted session is unaffected');
      const stopped = limited.stop();
      assert.equal(await first.response(), '* BYE Server shutting down');
      await first.closedByServer();
      assert.equal(await stopped, 0);
    } finally {
      await limited.dispose();
    }
  });
});
