/**
 * Issue 19 §1, finding by finding, as raw transcripts with the exact commands: an over-long
 * line answered with its tag, `[` in atoms, ENVELOPE groups, source routes and comments,
 * \Recent held by exactly one session, SEARCH TEXT on field names, sequence numbers past
 * EXISTS, and messages expunged by another session (RFC 2180 §4.1, RFC 5530 EXPUNGEISSUED).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawImapClient, deliver } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { simpleMessage } from '../helpers/smtp-client.js';

let server: TestServer;
let imapPort: number;

function message(headers: string[], body = 'Body text.'): string {
  return [...headers, 'Date: Tue, 1 Dec 2026 10:00:00 +0000', 'MIME-Version: 1.0', 'Content-Type: text/plain', '', body, ''].join('\r\n');
}

const GROUPS = message([
  'From: <@route:user@domain>',
  'To: group: g1@d1.org, g2@d2.org;, group2: g3@d3.org;',
  'Cc: group:;, group2: (foo) ;',
  'Subject: groups',
]);
const COMMENTS = message(['From: <user-from (comment)@ (comment) domain.org>', 'To: someone@tidemail.test', 'Subject: comments']);

before(async () => {
  server = await startServer({ expect: ['smtp', 'imap'] });
  imapPort = server.ports.imap!;
  await deliver(server.smtpPort, 'envelopes@tidemail.test', GROUPS);
  await deliver(server.smtpPort, 'envelopes@tidemail.test', COMMENTS);
});

after(async () => {
  await server.dispose();
});

/** The ENVELOPE's address lists, in order: from, sender, reply-to, to, cc, bcc. */
function envelopeOf(line: string): string {
  const at = line.indexOf('ENVELOPE (');
  assert.notEqual(at, -1, line);
  return line.slice(at);
}

describe('IMAP protocol errors (issue 19 §1)', () => {
  it('1. answers an over-long line with its tag and keeps serving; 8,192-octet lines are accepted', async () => {
    const { client } = await RawImapClient.open(imapPort);
    // A LOGIN line of exactly 8,192 octets (without its CRLF): any password is accepted here.
    const prefix = 'a1 LOGIN envelopes "';
    const exact = `${prefix}${'p'.repeat(8192 - prefix.length - 1)}"`;
    assert.equal(Buffer.byteLength(exact), 8192);
    client.write(`${exact}\r\n`);
    assert.match((await client.until('a1')).tagged, /^a1 OK /);
    // Far over the limit, sent in two writes: the tag comes from the line's start.
    client.write(`a2 SEARCH TEXT "${'x'.repeat(40_000)}`);
    client.write(`${'y'.repeat(60_000)}"\r\n`);
    assert.match(await client.response(), /^a2 BAD Command line too long/);
    client.write('a3 NOOP\r\n');
    assert.equal((await client.until('a3')).tagged, 'a3 OK NOOP completed');
    client.close();
  });

  it("2. parses [ as an ATOM-CHAR: SELECT !#$&'+,-.0123456789:;<=>?@^_`|[} is NO, not BAD; LIST patterns too", async () => {
    const { client } = await RawImapClient.open(imapPort);
    await client.command('LOGIN envelopes x');
    const select = await client.command("SELECT !#$&'+,-.0123456789:;<=>?@^_`|[}");
    assert.match(select.tagged, /^a2 NO \[NONEXISTENT\] /);
    const list = await client.command("LIST \"\" !#$&'+,-.0123456789:;<=>?@^_`|[}%");
    assert.equal(list.tagged, 'a3 OK LIST completed');
    assert.deepEqual(list.untagged, []);
    assert.equal((await client.command('LIST "" [')).tagged, 'a4 OK LIST completed');
    assert.deepEqual((await client.command('LIST [ *')).untagged, []);
    client.close();
  });

  it('3, 4. ENVELOPE keeps group syntax (§7.4.2) and splits source routes', async () => {
    const c = await RawImapClient.selected(imapPort, 'envelopes');
    const env = envelopeOf((await c.command('FETCH 1 ENVELOPE')).untagged[0]!);
    const from = '((NIL "@route" "user" "domain"))';
    const to = '((NIL NIL "group" NIL)(NIL NIL "g1" "d1.org")(NIL NIL "g2" "d2.org")(NIL NIL NIL NIL)(NIL NIL "group2" NIL)(NIL NIL "g3" "d3.org")(NIL NIL NIL NIL))';
    const cc = '((NIL NIL "group" NIL)(NIL NIL NIL NIL)(NIL NIL "group2" NIL)(NIL NIL NIL NIL))';
    assert.equal(env, `ENVELOPE ("Tue, 1 Dec 2026 10:00:00 +0000" "groups" ${from} ${from} ${from} ${to} ${cc} NIL NIL NIL))`);
    c.close();
  });

  it('5. leaves comments out of addresses (CFWS), and SEARCH FROM finds the address', async () => {
    const c = await RawImapClient.selected(imapPort, 'envelopes');
    const env = envelopeOf((await c.command('FETCH 2 ENVELOPE')).untagged[0]!);
    assert.ok(env.startsWith('ENVELOPE ("Tue, 1 Dec 2026 10:00:00 +0000" "comments" ((NIL NIL "user-from" "domain.org")) '), env);
    assert.deepEqual((await c.command('SEARCH FROM user-from@domain.org')).untagged, ['* SEARCH 2']);
    assert.deepEqual((await c.command('SEARCH TO g3@d3.org')).untagged, ['* SEARCH 1']);
    c.close();
  });

  it('6. \\Recent: mail that arrived with no session selected is \\Recent in the first session only', async () => {
    await deliver(server.smtpPort, 'recent@tidemail.test', simpleMessage('Early 1'));
    await deliver(server.smtpPort, 'recent@tidemail.test', simpleMessage('Early 2'));
    const { client: status } = await RawImapClient.open(imapPort);
    await status.command('LOGIN recent x');
    assert.deepEqual((await status.command('STATUS INBOX (MESSAGES RECENT)')).untagged, ['* STATUS INBOX (MESSAGES 2 RECENT 2)']);

    const a = await RawImapClient.connect(imapPort);
    await a.response();
    await a.command('LOGIN recent x');
    const selectA = await a.command('SELECT INBOX');
    assert.ok(selectA.untagged.includes('* 2 RECENT'), selectA.untagged.join('\n'));
    assert.deepEqual((await a.command('SEARCH NEW')).untagged, ['* SEARCH 1 2']);
    assert.deepEqual((await a.command('FETCH 1 FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Recent))']);

    const b = await RawImapClient.connect(imapPort);
    await b.response();
    await b.command('LOGIN recent x');
    assert.ok((await b.command('SELECT INBOX')).untagged.includes('* 0 RECENT'));
    assert.deepEqual((await status.command('STATUS INBOX (RECENT)')).untagged, ['* STATUS INBOX (RECENT 0)']);

    // Delivered while both have it selected: \Recent in exactly one of them (the first told).
    await deliver(server.smtpPort, 'recent@tidemail.test', simpleMessage('While both watch'));
    assert.deepEqual((await a.command('NOOP')).untagged, ['* 3 EXISTS', '* 3 RECENT']);
    assert.deepEqual((await b.command('NOOP')).untagged, ['* 3 EXISTS', '* 0 RECENT']);
    assert.deepEqual((await a.command('SEARCH RECENT')).untagged, ['* SEARCH 1 2 3']);
    assert.deepEqual((await b.command('SEARCH RECENT')).untagged, ['* SEARCH']);

    // EXAMINE (read-only) sees unclaimed mail as \Recent without taking it away.
    await deliver(server.smtpPort, 'recent-ro@tidemail.test', simpleMessage('Look, do not take'));
    const viewer = await RawImapClient.connect(imapPort);
    await viewer.response();
    await viewer.command('LOGIN recent-ro x');
    assert.ok((await viewer.command('EXAMINE INBOX')).untagged.includes('* 1 RECENT'));
    const taker = await RawImapClient.selected(imapPort, 'recent-ro');
    assert.deepEqual((await taker.command('SEARCH RECENT')).untagged, ['* SEARCH 1']);
    for (const c of [status, a, b, viewer, taker]) c.close();
  });

  it('7. SEARCH TEXT matches header field names ("header or body", §6.4.4)', async () => {
    const c = await RawImapClient.selected(imapPort, 'envelopes');
    assert.deepEqual((await c.command('SEARCH TEXT "MIME-Version"')).untagged, ['* SEARCH 1 2']);
    assert.deepEqual((await c.command('SEARCH TEXT "Body text"')).untagged, ['* SEARCH 1 2']);
    assert.deepEqual((await c.command('SEARCH TEXT "no such words"')).untagged, ['* SEARCH']);
    c.close();
  });

  it('8. sequence numbers past EXISTS, and * in an empty mailbox, are BAD; UIDs past the last are not', async () => {
    const c = await RawImapClient.selected(imapPort, 'envelopes');
    assert.match((await c.command('FETCH 999 UID')).tagged, /^a3 BAD Invalid message sequence number 999: the mailbox has 2 messages$/);
    assert.equal((await c.command('STORE 3 +FLAGS (\\Seen)')).status, 'BAD');
    assert.equal((await c.command('FETCH 1:3 FLAGS')).status, 'BAD');
    assert.deepEqual((await c.command('UID FETCH 999999 UID')), { untagged: [], tagged: 'a6 OK UID FETCH completed', status: 'OK' });
    c.close();

    const empty = await RawImapClient.selected(imapPort, 'nothing-here');
    assert.match((await empty.command('FETCH * UID')).tagged, /^a3 BAD Invalid message sequence number: the mailbox is empty$/);
    assert.equal((await empty.command('UID FETCH * UID')).tagged, 'a4 OK UID FETCH completed');
    empty.close();
  });

  it('9. messages expunged by another session: FETCH says NO [EXPUNGEISSUED], SEARCH OK [EXPUNGEISSUED]', async () => {
    for (let i = 1; i <= 3; i++) await deliver(server.smtpPort, 'shared@tidemail.test', simpleMessage(`Shared ${i}`));
    const a = await RawImapClient.selected(imapPort, 'shared');
    const b = await RawImapClient.selected(imapPort, 'shared');
    await b.command('STORE 2 +FLAGS.SILENT (\\Deleted)');
    await b.command('EXPUNGE');

    const fetch = await a.command('FETCH 2 BODY.PEEK[]');
    assert.ok(!fetch.untagged.some((l) => l.includes('BODY[]')), fetch.untagged.join('\n'));
    assert.match(fetch.tagged, /^a3 NO \[EXPUNGEISSUED\] /);
    const some = await a.command('FETCH 1:3 (UID)');
    assert.deepEqual(some.untagged.map((l) => /^\* (\d+) FETCH/.exec(l)?.[1]), ['1', '3']);
    assert.match(some.tagged, /^a4 NO \[EXPUNGEISSUED\] /);
    const search = await a.command('SEARCH ALL');
    assert.deepEqual(search.untagged, ['* SEARCH 1 3']);
    assert.match(search.tagged, /^a5 OK \[EXPUNGEISSUED\] /);
    assert.match((await a.command('STORE 2 +FLAGS (\\Seen)')).tagged, /^a6 NO \[EXPUNGEISSUED\] /);
    assert.deepEqual((await a.command('NOOP')).untagged, ['* 2 EXPUNGE']);
    assert.equal((await a.command('SEARCH ALL')).tagged, 'a8 OK SEARCH completed');
    a.close();
    b.close();
  });
});
