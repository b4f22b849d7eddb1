/**
 * Folders and APPEND over a real socket, as transcripts (issue 19 §2): the special-use folders,
 * CREATE/RENAME/DELETE with hierarchy and modified UTF-7 names, SUBSCRIBE/LSUB, COPY and MOVE
 * with COPYUID, APPEND with flags, internal date and APPENDUID, APPENDLIMIT, the per-folder cap,
 * and what HTTP shows of it all. The folder list survives a restart (state.db).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { internalDate } from '../../src/imap/format.js';
import { eventually } from '../helpers/eventually.js';
import { getJson } from '../helpers/http.js';
import { RawImapClient, deliver } from '../helpers/imap-client.js';
import { removeDataDir, startServer, type TestServer } from '../helpers/server.js';
import { simpleMessage } from '../helpers/smtp-client.js';
import { login as pop3Login } from '../pop3/helpers.js';

let server: TestServer;
let api: string;
const MAX_MESSAGE_BYTES = 4096;
const MAX_PER_INBOX = 3;

before(async () => {
  server = await startServer({ args: ['--max-message-size', String(MAX_MESSAGE_BYTES), '--max-per-inbox', String(MAX_PER_INBOX)] });
  api = `http://127.0.0.1:${server.ports.http}`;
});

after(async () => {
  await server.dispose();
});

interface Listing {
  total: number;
  messages: Array<{ id: number; subject: string; flags: string[] }>;
}

const listing = async (inbox: string): Promise<Listing> => (await getJson<Listing>(`${api}/api/v1/inboxes/${inbox}/messages`)).body;

/** Deliver over SMTP and wait until the messages are listed (visible), not just acknowledged. */
async function delivered(inbox: string, subjects: string[]): Promise<void> {
  const before = (await listing(inbox)).total;
  for (const subject of subjects) await deliver(server.smtpPort, `${inbox}@tidemail.test`, simpleMessage(subject));
  await eventually(async () => (await listing(inbox)).total >= before + subjects.length, `${subjects.length} messages in ${inbox}`);
}

async function loggedIn(inbox: string): Promise<RawImapClient> {
  const { client } = await RawImapClient.open(server.ports.imap!);
  assert.equal((await client.command(`LOGIN ${inbox} x`)).status, 'OK');
  return client;
}

const names = (lines: string[]): string[] => lines.map((l) => l.replace(/^\* (LIST|LSUB) /, ''));

describe('IMAP folders', () => {
  it('CREATE makes superiors, LIST shows children, RENAME moves inferiors, DELETE refuses a parent', async () => {
    const c = await loggedIn('tree');
    try {
      assert.equal((await c.command('CREATE Projects/2026')).tagged, 'a2 OK CREATE completed');
      assert.deepEqual(names((await c.command('LIST "" "Projects*"')).untagged), ['(\\HasChildren) "/" Projects', '(\\HasNoChildren) "/" Projects/2026']);
      assert.deepEqual(names((await c.command('LIST "" "%"')).untagged).map((l) => l.split(' ').pop()), ['INBOX', 'Drafts', 'Sent', 'Junk', 'Trash', 'Projects']);
      assert.deepEqual(names((await c.command('LIST Projects/ %')).untagged), ['(\\HasNoChildren) "/" Projects/2026'], 'the reference is prefixed');
      assert.match((await c.command('CREATE Projects')).tagged, /^a\d+ NO \[ALREADYEXISTS\] /);
      assert.match((await c.command('CREATE Sent')).tagged, /NO \[ALREADYEXISTS\]/);
      assert.match((await c.command('CREATE inbox')).tagged, /NO \[ALREADYEXISTS\]/);
      assert.match((await c.command('CREATE "a*b"')).tagged, /NO \[CANNOT\] .*"\*"/);
      assert.match((await c.command('CREATE INBOX/child')).tagged, /NO \[CANNOT\] INBOX has no child folders/);
      assert.match((await c.command('CREATE "a//b"')).tagged, /NO \[CANNOT\] .*empty level/);
      assert.equal((await c.command('CREATE Notes/')).status, 'OK', 'a trailing delimiter is dropped (§6.3.3)');
      assert.deepEqual(names((await c.command('LIST "" Notes')).untagged), ['(\\HasNoChildren) "/" Notes']);

      assert.equal((await c.command('RENAME Projects "Old Projects"')).status, 'OK');
      assert.deepEqual(names((await c.command('LIST "" "*Projects*"')).untagged), ['(\\HasChildren) "/" "Old Projects"', '(\\HasNoChildren) "/" "Old Projects/2026"']);
      assert.match((await c.command('RENAME Projects X')).tagged, /NO \[NONEXISTENT\]/);
      assert.match((await c.command('RENAME "Old Projects" Notes')).tagged, /NO \[ALREADYEXISTS\]/);
      assert.match((await c.command('RENAME "Old Projects" "Old Projects/inside"')).tagged, /NO \[CANNOT\] .*into itself/);
      assert.match((await c.command('RENAME Sent Outbox')).tagged, /NO \[CANNOT\] Sent is a special-use folder/);
      assert.match((await c.command('RENAME Notes INBOX')).tagged, /NO \[CANNOT\]/);

      assert.match((await c.command('DELETE "Old Projects"')).tagged, /NO \[CANNOT\] .*child folders/);
      assert.equal((await c.command('DELETE "Old Projects/2026"')).status, 'OK');
      assert.equal((await c.command('DELETE "Old Projects"')).status, 'OK');
      assert.match((await c.command('DELETE "Old Projects"')).tagged, /NO \[NONEXISTENT\]/);
      assert.match((await c.command('DELETE Trash')).tagged, /NO \[CANNOT\] Trash is a special-use folder/);
      assert.match((await c.command('DELETE INBOX')).tagged, /NO \[CANNOT\]/);
      // Thunderbird deletes a folder by moving it into Trash.
      assert.equal((await c.command('RENAME Notes Trash/Notes')).status, 'OK');
      assert.deepEqual(names((await c.command('LIST "" Trash*')).untagged), ['(\\HasChildren \\Trash) "/" Trash', '(\\HasNoChildren) "/" Trash/Notes']);
    } finally {
      c.close();
    }
  });

  it('names are modified UTF-7 on the wire (RFC 3501 §5.1.3), and a name that is not is refused', async () => {
    const c = await loggedIn('utf7');
    try {
      // "Entwürfe/été": ü is &APw-, é is &AOk-.
      assert.equal((await c.command('CREATE "Entw&APw-rfe/&AOk-t&AOk-"')).status, 'OK');
      assert.deepEqual(names((await c.command('LIST "" Entw*')).untagged), ['(\\HasChildren) "/" Entw&APw-rfe', '(\\HasNoChildren) "/" Entw&APw-rfe/&AOk-t&AOk-']);
      assert.equal((await c.command('CREATE "Tom &- Jerry"')).status, 'OK');
      assert.deepEqual(names((await c.command('LIST "" "Tom*"')).untagged), ['(\\HasNoChildren) "/" "Tom &- Jerry"']);
      assert.match((await c.command('CREATE "&Jjo"')).tagged, /NO \[CANNOT\] .*modified UTF-7/);
      assert.match((await c.command('CREATE "&AGE-"')).tagged, /NO \[CANNOT\] .*modified UTF-7/, '"a" shifted is not canonical');
      assert.match((await c.command('SELECT "&Jjo"')).tagged, /NO \[NONEXISTENT\]/);
      const selected = await c.command('SELECT "Entw&APw-rfe/&AOk-t&AOk-"');
      assert.match(selected.tagged, /OK \[READ-WRITE\]/);
      assert.ok(selected.untagged.includes('* 0 EXISTS'));
      assert.deepEqual((await c.command('STATUS "Entw&APw-rfe" (MESSAGES)')).untagged, ['* STATUS Entw&APw-rfe (MESSAGES 0)']);
    } finally {
      c.close();
    }
  });

  it('SUBSCRIBE and LSUB: subscriptions follow a rename and outlive a delete (§6.3.6)', async () => {
    const c = await loggedIn('subs');
    try {
      await c.command('CREATE Lists');
      assert.equal((await c.command('SUBSCRIBE Lists')).status, 'OK');
      assert.deepEqual(names((await c.command('LSUB "" L*')).untagged), ['(\\HasNoChildren) "/" Lists']);
      assert.equal((await c.command('RENAME Lists Letters')).status, 'OK');
      assert.deepEqual(names((await c.command('LSUB "" L*')).untagged), ['(\\HasNoChildren) "/" Letters']);
      assert.equal((await c.command('DELETE Letters')).status, 'OK');
      assert.deepEqual(names((await c.command('LSUB "" L*')).untagged), ['(\\Noselect) "/" Letters']);
      assert.equal((await c.command('UNSUBSCRIBE Letters')).status, 'OK');
      assert.deepEqual((await c.command('LSUB "" L*')).untagged, []);
      assert.match((await c.command('UNSUBSCRIBE INBOX')).tagged, /NO \[CANNOT\] INBOX is always subscribed/);
      assert.equal((await c.command('SUBSCRIBE Drafts')).status, 'OK');
    } finally {
      c.close();
    }
  });

  it('COPY and MOVE answer COPYUID; copies keep flags and internal date; MOVE expunges after its COPYUID', async () => {
    await delivered('mover', ['one', 'two']);
    const c = await loggedIn('mover');
    try {
      await c.command('SELECT INBOX');
      const uids = (await c.command('UID SEARCH ALL')).untagged[0]!.split(' ').slice(2).map(Number);
      assert.equal(uids.length, 2);
      await c.command('STORE 1 +FLAGS (\\Flagged)');
      const dates = (await c.command('FETCH 1:2 (INTERNALDATE)')).untagged;

      const copy = await c.command(`UID COPY ${uids[0]}:${uids[1]} Trash`);
      const copyuid = /^a\d+ OK \[COPYUID (\d+) (\S+) (\S+)\] /.exec(copy.tagged);
      assert.ok(copyuid, copy.tagged);
      assert.equal(copyuid[2], `${uids[0]}:${uids[1]}`);
      const [first, second] = copyuid[3]!.split(/[:,]/).map(Number);
      assert.ok(first! > uids[1]! && (second === undefined || second > first!), 'new UIDs, ascending');

      const move = await c.command('MOVE 1 Junk');
      assert.match(move.untagged[0]!, new RegExp(`^\\* OK \\[COPYUID ${copyuid[1]} ${uids[0]} \\d+\\] `), 'COPYUID first (RFC 6851 §4.3)');
      assert.equal(move.untagged[1], '* 1 EXPUNGE');
      assert.equal(move.status, 'OK');
      assert.deepEqual((await c.command('SEARCH ALL')).untagged, ['* SEARCH 1']);
      assert.match((await c.command('MOVE 1 INBOX')).tagged, /NO \[CANNOT\]/, 'moving to the mailbox itself');
      assert.match((await c.command('COPY 9 Trash')).tagged, /BAD .*sequence number 9/);

      await c.command('SELECT Trash');
      const trash = await c.command('FETCH 1:* (FLAGS INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)])');
      assert.match(trash.untagged.join('\n'), /^\* 1 FETCH \(FLAGS \(\\Flagged \\Recent\) /m, 'flags kept, \\Recent in the first session to see it');
      assert.deepEqual(trash.untagged.map((l) => /INTERNALDATE "[^"]+"/.exec(l)?.[0]).filter(Boolean), dates.map((l) => /INTERNALDATE "[^"]+"/.exec(l)?.[0]));
      assert.match(trash.untagged.join('\n'), /Subject: one[\s\S]*Subject: two/);
      assert.deepEqual((await c.command('STATUS Junk (MESSAGES)')).untagged, ['* STATUS Junk (MESSAGES 1)']);
    } finally {
      c.close();
    }
    // One truth: HTTP lists what IMAP left in INBOX.
    assert.deepEqual((await listing('mover')).messages.map((m) => m.subject), ['two']);
  });

  it('APPEND stores the bytes exactly with flags and internal date, answers APPENDUID, and is announced to the selected session', async () => {
    const c = await loggedIn('drafter');
    try {
      await c.command('SELECT Drafts');
      const draft = 'From: me@example.test\r\nSubject: Draft one\r\n\r\nNot sent yet.\r\n';
      const date = internalDate(Date.now() - 3_600_000 - (Date.now() % 1000));
      c.write(`d1 APPEND Drafts (\\Seen \\Draft) ${date} {${draft.length}}\r\n`);
      assert.match(await c.response(), /^\+ /, 'a synchronizing literal waits for "+"');
      c.write(`${draft}\r\n`);
      const appended = await c.until('d1');
      const uid = /^d1 OK \[APPENDUID \d+ (\d+)\] APPEND completed$/.exec(appended.tagged)?.[1];
      assert.ok(uid, appended.tagged);
      assert.ok(appended.untagged.includes('* 1 EXISTS'), 'the selected mailbox hears of it before the tagged OK');
      const fetched = await c.command(`UID FETCH ${uid} (FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])`);
      const line = fetched.untagged.join('\r\n');
      assert.match(line, /FLAGS \(\\Seen \\Draft \\Recent\)/);
      assert.ok(line.includes(`INTERNALDATE ${date}`), line);
      assert.ok(line.includes(`RFC822.SIZE ${draft.length}`));
      assert.ok(line.includes(`BODY[] {${draft.length}}\r\n${draft}`), 'no trace header added: the bytes as appended');

      assert.match((await c.command(`APPEND Drafts ${internalDate(Date.now() - 30 * 86_400_000)} {3+}\r\nabc`)).tagged, /NO \[LIMIT\] .*older than this server keeps mail/);
      assert.match((await c.command('APPEND Drafts "31-Foo-2026 00:00:00 +0000" {3+}\r\nabc')).tagged, /BAD invalid date-time/);
      assert.match((await c.command('APPEND Nowhere {3+}\r\nabc')).tagged, /NO \[TRYCREATE\]/);
    } finally {
      c.close();
    }
    assert.equal((await listing('drafter')).total, 0, 'a draft is not INBOX mail');
  });

  it('APPEND to INBOX is listed like delivered mail, marked as appended, with no SMTP transcript', async () => {
    const c = await loggedIn('appender');
    const message = 'From: Ann <ann@example.test>\r\nTo: appender@tidemail.test\r\nSubject: Put here by IMAP\r\n\r\nHello.\r\n';
    let uid: string | undefined;
    try {
      const appended = await c.command(`APPEND inbox {${message.length}+}\r\n${message}`);
      uid = /APPENDUID \d+ (\d+)/.exec(appended.tagged)?.[1];
      assert.ok(uid, appended.tagged);
    } finally {
      c.close();
    }
    const listed = await eventually(async () => (await listing('appender')).messages[0], 'the appended message in the listing');
    assert.equal(listed.subject, 'Put here by IMAP');
    assert.equal(listed.id, Number(uid), 'the APPENDUID is the API id');
    const full = (await getJson<{ envelope: { mailFrom: string; rcptTo: string[]; helo: string; remoteAddress: string } }>(`${api}/api/v1/messages/${uid}`)).body;
    assert.deepEqual(full.envelope, { mailFrom: '', rcptTo: [], remoteAddress: '127.0.0.1', helo: 'imap-append', tls: false });
    assert.equal((await fetch(`${api}/api/v1/messages/${uid}/smtp`)).status, 404, 'no SMTP session delivered it');
    assert.equal(await (await fetch(`${api}/api/v1/messages/${uid}/raw`)).text(), message);
    // POP3 sees INBOX as the others do, the appended message included.
    const pop = await pop3Login(server.ports.pop3!, 'appender');
    assert.equal(await pop.send('STAT'), `+OK 1 ${message.length}`);
    await pop.send('QUIT');
  });

  it('APPENDLIMIT: a larger message is NO [TOOBIG], before "+" or after skipping a LITERAL+ literal, and the session goes on', async () => {
    const c = await loggedIn('toobig');
    try {
      assert.match((await c.command('CAPABILITY')).untagged[0]!, new RegExp(` APPENDLIMIT=${MAX_MESSAGE_BYTES}( |$)`));
      c.write(`t1 APPEND INBOX {${MAX_MESSAGE_BYTES + 1}}\r\n`);
      assert.match(await c.response(), /^t1 NO \[TOOBIG\] /);
      assert.equal((await c.command('NOOP')).status, 'OK');
      const big = 'x'.repeat(MAX_MESSAGE_BYTES + 1000);
      c.write(`t2 APPEND INBOX (\\Seen) {${big.length}+}\r\n${big}\r\n`);
      assert.match(await c.response(), /^t2 NO \[TOOBIG\] /);
      assert.equal((await c.command('NOOP')).status, 'OK', 'the literal was skipped, not read as commands');
      const fits = `Subject: fits\r\n\r\n${'y'.repeat(MAX_MESSAGE_BYTES - 100)}`;
      assert.match((await c.command(`APPEND INBOX {${fits.length}+}\r\n${fits}`)).tagged, /OK \[APPENDUID/, 'a message up to the limit is taken, far past the 64 KiB of other literals');
    } finally {
      c.close();
    }
  });

  it('a folder keeps its own per-inbox cap, and HTTP never takes a folder key for an inbox', async () => {
    await delivered('capped', ['kept']);
    const c = await loggedIn('capped');
    try {
      for (let i = 1; i <= MAX_PER_INBOX + 2; i++) {
        const m = `Subject: junk ${i}\r\n\r\nspam\r\n`;
        assert.equal((await c.command(`APPEND Junk {${m.length}+}\r\n${m}`)).status, 'OK');
      }
      assert.deepEqual((await c.command('STATUS Junk (MESSAGES)')).untagged, [`* STATUS Junk (MESSAGES ${MAX_PER_INBOX})`]);
      await c.command('SELECT Junk');
      const subjects = (await c.command('FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])')).untagged.join('\n');
      assert.deepEqual([...subjects.matchAll(/junk (\d)/g)].map((m) => m[1]), ['3', '4', '5'], 'the oldest went first');
      assert.deepEqual((await c.command('STATUS INBOX (MESSAGES)')).untagged, ['* STATUS INBOX (MESSAGES 1)'], 'INBOX is a mailbox of its own');
    } finally {
      c.close();
    }
    for (const path of ['/api/v1/inboxes/capped%2FJunk/messages', '/api/v1/inboxes/capped%2FJunk/wait?after=0&timeout=1']) {
      assert.equal((await fetch(`${api}${path}`)).status, 400, path);
    }
    assert.equal((await fetch(`${api}/api/v1/inboxes/capped%2FJunk`, { method: 'DELETE' })).status, 400);
    assert.equal((await listing('capped')).total, 1);
    const pop = await pop3Login(server.ports.pop3!, 'capped');
    assert.match(await pop.send('STAT'), /^\+OK 1 /, 'POP3 shows INBOX only, not Junk');
    await pop.send('QUIT');
  });
});

describe('IMAP folders across a restart', () => {
  it('the folders, their messages and the subscriptions are still there', async () => {
    const first = await startServer({ expect: ['imap'] });
    let second: TestServer | null = null;
    try {
      const { client } = await RawImapClient.open(first.ports.imap!);
      await client.command('LOGIN keeper x');
      await client.command('CREATE "Kept/Deep"');
      await client.command('SUBSCRIBE Kept');
      const kept = 'Subject: stays\r\n\r\nkept\r\n';
      assert.match((await client.command(`APPEND Kept/Deep {${kept.length}+}\r\n${kept}`)).tagged, /OK \[APPENDUID/);
      await client.command('LOGOUT');
      await first.stop();
      second = await startServer({ dataDir: first.dataDir, expect: ['imap'] });
      const again = await RawImapClient.open(second.ports.imap!);
      await again.client.command('LOGIN keeper x');
      assert.deepEqual(names((await again.client.command('LIST "" Kept*')).untagged), ['(\\HasChildren) "/" Kept', '(\\HasNoChildren) "/" Kept/Deep']);
      assert.deepEqual(names((await again.client.command('LSUB "" Kept*')).untagged), ['(\\HasChildren) "/" Kept']);
      assert.deepEqual((await again.client.command('STATUS Kept/Deep (MESSAGES)')).untagged, ['* STATUS Kept/Deep (MESSAGES 1)']);
      again.client.close();
    } finally {
      await second?.stop();
      await first.stop();
      removeDataDir(first.dataDir);
    }
  });
});
