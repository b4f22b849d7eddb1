/**
 * IMAP session transcripts over a real socket: states and the commands each allows, LOGIN and
 * AUTHENTICATE PLAIN, the namespace every inbox starts with, literals (synchronizing and LITERAL+), and bad
 * input: every malformed line gets BAD, the server keeps serving, an abusive session is ended.
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
  await deliver(server.smtpPort, 'states@tidemail.test', simpleMessage('First'));
});

after(async () => {
  await server.dispose();
});

describe('IMAP states and login', () => {
  it('greets with its capabilities, and refuses mailbox commands before login', async () => {
    const { client, greeting } = await RawImapClient.open(imapPort);
    assert.match(greeting, /^\* OK \[CAPABILITY IMAP4rev1 [^\]]*STARTTLS[^\]]*AUTH=PLAIN\] /);
    const caps = await client.command('CAPABILITY');
    assert.match(caps.untagged[0]!, /^\* CAPABILITY IMAP4rev1 .*LITERAL\+ .*IDLE .*UIDPLUS .*UNSELECT .*MOVE .*SPECIAL-USE .*APPENDLIMIT=\d+/);
    const select = await client.command('SELECT INBOX');
    assert.match(select.tagged, /^a2 BAD SELECT is not allowed before LOGIN/);
    const fetch = await client.command('FETCH 1 FLAGS');
    assert.equal(fetch.status, 'BAD');
    assert.equal((await client.command('NOOP')).status, 'OK');
    client.close();
  });

  it('logs in with the inbox name or a full address, and refuses a second LOGIN', async () => {
    const { client } = await RawImapClient.open(imapPort);
    const login = await client.command('LOGIN States+tag@any.domain secret');
    assert.match(login.tagged, /^a1 OK \[CAPABILITY IMAP4rev1 [^\]]*\] Logged in to inbox states$/);
    assert.doesNotMatch(login.tagged, /STARTTLS|AUTH=PLAIN/);
    const again = await client.command('LOGIN states x');
    assert.match(again.tagged, /^a2 BAD LOGIN is not allowed once authenticated/);
    const bad = await RawImapClient.open(imapPort);
    assert.match((await bad.client.command('LOGIN "bad/name" x')).tagged, /^a1 NO \[AUTHENTICATIONFAILED\]/);
    bad.client.close();
    client.close();
  });

  it('AUTHENTICATE PLAIN with an initial response (SASL-IR) and after a continuation', async () => {
    const token = Buffer.from('\0states\0pw').toString('base64');
    const first = await RawImapClient.open(imapPort);
    assert.match((await first.client.command(`AUTHENTICATE PLAIN ${token}`)).tagged, /^a1 OK .*Logged in to inbox states/);
    first.client.close();

    const second = await RawImapClient.open(imapPort);
    second.client.write('x1 AUTHENTICATE PLAIN\r\n');
    assert.equal(await second.client.response(), '+ ');
    second.client.write(`${token}\r\n`);
    assert.match((await second.client.until('x1')).tagged, /^x1 OK /);
    assert.equal((await second.client.command('SELECT INBOX')).status, 'OK');
    second.client.close();

    const cancelled = await RawImapClient.open(imapPort);
    cancelled.client.write('x1 AUTHENTICATE PLAIN\r\n');
    await cancelled.client.response();
    cancelled.client.write('*\r\n');
    assert.match((await cancelled.client.until('x1')).tagged, /^x1 BAD AUTHENTICATE cancelled/);
    assert.match((await cancelled.client.command('AUTHENTICATE CRAM-MD5')).tagged, /NO \[CANNOT\]/);
    cancelled.client.close();
  });

  it('LIST, LSUB and STATUS show INBOX and the special-use folders every inbox has', async () => {
    const { client } = await RawImapClient.open(imapPort);
    await client.command('LOGIN states x');
    const everyInbox = [
      '* LIST (\\HasNoChildren) "/" INBOX',
      '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
      '* LIST (\\HasNoChildren \\Sent) "/" Sent',
      '* LIST (\\HasNoChildren \\Junk) "/" Junk',
      '* LIST (\\HasNoChildren \\Trash) "/" Trash',
    ];
    assert.deepEqual((await client.command('LIST "" "*"')).untagged, everyInbox);
    assert.deepEqual((await client.command('LIST "" ""')).untagged, ['* LIST (\\Noselect) "/" ""']);
    assert.deepEqual((await client.command('LIST "" "Other*"')).untagged, []);
    assert.deepEqual((await client.command('LIST "" "inbox"')).untagged, [everyInbox[0]], 'INBOX matches in any case');
    assert.deepEqual((await client.command('LIST "" "sent"')).untagged, [], 'other names match exactly');
    assert.deepEqual((await client.command('LSUB "" "%"')).untagged, everyInbox.map((l) => l.replace('LIST', 'LSUB')));
    const status = await client.command('STATUS inbox (MESSAGES UNSEEN UIDNEXT UIDVALIDITY)');
    assert.match(status.untagged[0]!, /^\* STATUS INBOX \(MESSAGES 1 UNSEEN 1 UIDNEXT \d+ UIDVALIDITY \d+\)$/);
    assert.deepEqual((await client.command('STATUS Trash (MESSAGES UNSEEN)')).untagged, ['* STATUS Trash (MESSAGES 0 UNSEEN 0)']);
    assert.match((await client.command('STATUS Archive (MESSAGES)')).tagged, /NO \[NONEXISTENT\]/);
    assert.match((await client.command('SELECT Archive')).tagged, /NO \[NONEXISTENT\]/);
    assert.deepEqual((await client.command('NAMESPACE')).untagged, ['* NAMESPACE (("" "/")) NIL NIL']);
    client.close();
  });

  it('SELECT reports the mailbox; EXAMINE is read-only; UNSELECT and CLOSE go back to Authenticated', async () => {
    const { client } = await RawImapClient.open(imapPort);
    await client.command('LOGIN states x');
    const select = await client.command('SELECT INBOX');
    assert.ok(select.untagged.includes('* 1 EXISTS'));
    assert.ok(select.untagged.includes('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)'));
    assert.ok(select.untagged.some((l) => /^\* OK \[UIDVALIDITY \d+\]/.test(l)));
    assert.ok(select.untagged.some((l) => /^\* OK \[UIDNEXT \d+\]/.test(l)));
    assert.ok(select.untagged.includes('* OK [UNSEEN 1] First unseen message'));
    assert.match(select.tagged, /OK \[READ-WRITE\] SELECT completed/);
    assert.equal((await client.command('UNSELECT')).status, 'OK');
    assert.equal((await client.command('FETCH 1 FLAGS')).status, 'BAD');

    const examine = await client.command('EXAMINE INBOX');
    assert.match(examine.tagged, /OK \[READ-ONLY\]/);
    assert.ok(examine.untagged.includes('* OK [PERMANENTFLAGS ()] Read-only'));
    assert.match((await client.command('STORE 1 +FLAGS (\\Deleted)')).tagged, /NO \[READ-ONLY\]/);
    // Reading in EXAMINE does not mark the message \Seen.
    const fetched = await client.command('FETCH 1 (BODY[])');
    assert.doesNotMatch(fetched.untagged.join('\n'), /\\Seen/);
    assert.equal((await client.command('CLOSE')).status, 'OK');
    assert.match((await client.command('CLOSE')).tagged, /BAD CLOSE needs a selected mailbox/);
    // Into a mailbox that does not exist: TRYCREATE (RFC 3501 §6.4.7, §6.3.11), nothing stored.
    await client.command('SELECT INBOX');
    assert.match((await client.command('COPY 1 Archive')).tagged, /NO \[TRYCREATE\]/);
    assert.match((await client.command('UID MOVE 1:* Archive')).tagged, /NO \[TRYCREATE\]/);
    assert.match((await client.command('APPEND Archive {3+}\r\nabc')).tagged, /NO \[TRYCREATE\]/);
    assert.deepEqual((await client.command('SEARCH ALL')).untagged, ['* SEARCH 1']);
    const logout = await client.command('LOGOUT');
    assert.deepEqual(logout.untagged, ['* BYE Tidemail IMAP server logging out']);
    await client.closedByServer();
  });
});

describe('IMAP literals', () => {
  it('a synchronizing literal gets "+" before its bytes; LITERAL+ needs none', async () => {
    const { client } = await RawImapClient.open(imapPort);
    client.write('s1 LOGIN {6}\r\n');
    assert.match(await client.response(), /^\+ /);
    client.write('states {1}\r\n');
    assert.match(await client.response(), /^\+ /);
    client.write('x\r\n');
    assert.match((await client.until('s1')).tagged, /^s1 OK .*inbox states/);
    client.write('s2 SELECT {5+}\r\nINBOX\r\ns3 SEARCH CHARSET UTF-8 SUBJECT {5+}\r\nFirst\r\n');
    assert.equal((await client.until('s2')).status, 'OK');
    assert.deepEqual((await client.until('s3')).untagged, ['* SEARCH 1']);
    client.close();
  });

  it('refuses an oversized synchronizing literal with BAD before it is sent, and keeps serving', async () => {
    const { client } = await RawImapClient.open(imapPort);
    client.write('big LOGIN {999999}\r\n');
    assert.match(await client.response(), /^big BAD \[TOOBIG\] Literal too large/);
    assert.equal((await client.command('NOOP')).status, 'OK');
    // A non-synchronizing literal over the cap is already on its way: the session ends.
    client.write('big2 LOGIN {999999+}\r\n');
    assert.match(await client.response(), /^\* BYE \[TOOBIG\]/);
    await client.closedByServer();
  });
});

describe('IMAP bad input', () => {
  const garbage = [
    '',
    '*',
    '+ foo',
    'a1',
    'a2 FROB',
    'a3 LOGIN',
    'a4 LOGIN "unterminated',
    'a5 LOGIN a b c',
    'a6 LOGIN (x) y',
    'a7 CAPABILITY extra',
    'a8 STATUS INBOX (MESSAGES',
    'a9 STATUS INBOX (NOPE)',
    'b1 UID',
    'b2 UID FROB 1',
    'b3 LOGIN "bad\\escape" x',
    'b4 AUTHENTICATE PLAIN !!!notbase64',
    'b5 LOGIN {12x}',
    '(((',
  ];

  it('answers every malformed line with BAD (tagged when there is a tag) and keeps serving', async () => {
    const { client } = await RawImapClient.open(imapPort);
    for (const line of garbage) {
      client.write(`${line}\r\n`);
      const reply = await client.response();
      const tag = /^([a-z]\d)( |$)/.exec(line)?.[1];
      if (tag) assert.match(reply, new RegExp(`^${tag} BAD `), `${JSON.stringify(line)} → ${reply}`);
      else assert.match(reply, /^\* BAD /, `${JSON.stringify(line)} → ${reply}`);
    }
    assert.match((await client.command('LOGIN states x')).tagged, / OK /);
    client.close();
  });

  it('answers BAD to malformed FETCH, SEARCH and STORE arguments', async () => {
    const client = await RawImapClient.selected(imapPort, 'states');
    for (const args of [
      'FETCH',
      'FETCH 1',
      'FETCH x FLAGS',
      'FETCH 0 FLAGS',
      'FETCH 1 (FLAGS',
      'FETCH 1 BODY[NOPE]',
      'FETCH 1 BODY[1.MIME',
      'FETCH 1 BODY[MIME]',
      'FETCH 1 BODY[]<0.0>',
      'FETCH 1 (RFC999)',
      'SEARCH',
      'SEARCH FROBNICATE',
      'SEARCH SINCE yesterday',
      'SEARCH OR SEEN',
      'SEARCH LARGER lots',
      'SEARCH ()',
      'STORE 1 FLAGS',
      'STORE 1 ZAPFLAGS (\\Seen)',
      'UID EXPUNGE',
    ]) {
      assert.equal((await client.command(args)).status, 'BAD', args);
    }
    assert.match((await client.command('SEARCH CHARSET KOI8-R ALL')).tagged, /NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/);
    assert.equal((await client.command('NOOP')).status, 'OK');
    client.close();
  });

  it('answers an over-long line and a bare LF with BAD', async () => {
    const { client } = await RawImapClient.open(imapPort);
    client.write(`a1 LOGIN ${'x'.repeat(100_000)} y\r\n`);
    assert.match(await client.response(), /^a1 BAD Command line too long/);
    client.write('a2 NOOP\n');
    assert.match(await client.response(), /^a2 BAD Lines must end with CRLF/);
    assert.equal((await client.command('NOOP')).status, 'OK');
    client.close();
  });

  it('ends a session that keeps sending garbage', async () => {
    const { client } = await RawImapClient.open(imapPort);
    client.write('junk\r\n'.repeat(30));
    for (;;) {
      const line = await client.response();
      if (line.startsWith('* BYE')) {
        assert.equal(line, '* BYE Too many invalid commands');
        break;
      }
      assert.match(line, /^junk BAD Missing command$/);
    }
    await client.closedByServer();
  });
});
