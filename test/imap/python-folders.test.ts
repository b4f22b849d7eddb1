/**
 * Folders with Python's imaplib, as a script would use them (issue 19 §2): LIST with the
 * special-use attributes, CREATE with a hierarchy, APPEND with flags and imaplib's internal
 * date, UID COPY and UID MOVE with their COPYUID, RENAME, SUBSCRIBE/LSUB, STATUS, DELETE, a
 * modified UTF-7 name, and an APPEND to INBOX that the HTTP API then lists.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { getJson } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
let server: TestServer;

before(async () => {
  server = await startServer({ expect: ['http', 'imap'] });
});

after(async () => {
  await server.dispose();
});

const SCRIPT = String.raw`
import imaplib, json, sys, time
port = int(sys.argv[1])
draft = b'From: py@example.test\r\nSubject: Py draft\r\n\r\nA draft from imaplib.\r\n'
mail = b'From: py@example.test\r\nTo: pyfolders@tidemail.test\r\nSubject: Py appended\r\n\r\nInto INBOX.\r\n'
out = {}
m = imaplib.IMAP4('127.0.0.1', port)
m.login('pyfolders', 'x')
out['caps'] = sorted(m.capabilities)
out['list'] = [x.decode() for x in m.list()[1]]
out['create'] = m.create('Reports/2026')[0]
out['create_utf7'] = m.create('"&AOk-t&AOk-"')[0]
out['append'] = m.append('Drafts', '(\\Draft \\Seen)', imaplib.Time2Internaldate(time.time()), draft)[1][0].decode()
m.select('Drafts')
uid = out['append'].split(']')[0].split()[-1]
out['fetch'] = m.uid('FETCH', uid, '(FLAGS BODY.PEEK[])')[1][0][1].decode()
out['copy'] = m.copy('1', 'Reports/2026')[1][0].decode()
m.untagged_responses.pop('COPYUID', None)
typ, data = m.uid('MOVE', uid, 'Trash')
out['move'] = [typ, [x.decode() for x in m.untagged_responses.get('COPYUID', [])]]
out['drafts_after'] = m.search(None, 'ALL')[1][0].decode()
out['rename'] = m.rename('Reports', 'Archive')[0]
out['subscribe'] = m.subscribe('Archive/2026')[0]
out['lsub'] = [x.decode() for x in m.lsub('""', 'Archive*')[1] if x]
out['status'] = m.status('Archive/2026', '(MESSAGES UNSEEN)')[1][0].decode()
out['trash'] = m.status('Trash', '(MESSAGES)')[1][0].decode()
out['list_after'] = [x.decode() for x in m.list('""', '*')[1]]
out['delete_parent'] = m.delete('Archive')[0]
out['delete'] = m.delete('Archive/2026')[0]
out['inbox_append'] = m.append('INBOX', None, None, mail)[1][0].decode()
out['nonexistent'] = m.append('Nowhere', None, None, mail)[1][0].decode()
m.logout()
print(json.dumps(out))
`;

describe('IMAP folders with Python imaplib', () => {
  it('lists, creates, appends, copies, moves, renames, subscribes and deletes', async () => {
    const { stdout } = await run('python3', ['-c', SCRIPT, String(server.ports.imap)], { timeout: 60_000 });
    const out = JSON.parse(stdout) as Record<string, string & string[]>;
    for (const cap of ['MOVE', 'SPECIAL-USE', 'UIDPLUS', 'NAMESPACE', 'CHILDREN']) assert.ok(out.caps.includes(cap), cap);
    assert.deepEqual(out.list, [
      '(\\HasNoChildren) "/" INBOX',
      '(\\HasNoChildren \\Drafts) "/" Drafts',
      '(\\HasNoChildren \\Sent) "/" Sent',
      '(\\HasNoChildren \\Junk) "/" Junk',
      '(\\HasNoChildren \\Trash) "/" Trash',
    ]);
    assert.equal(out.create, 'OK');
    assert.equal(out.create_utf7, 'OK');
    assert.match(out.append, /^\[APPENDUID \d+ \d+\] APPEND completed$/);
    assert.equal(out.fetch, 'From: py@example.test\r\nSubject: Py draft\r\n\r\nA draft from imaplib.\r\n');
    assert.match(out.copy, /^\[COPYUID \d+ \d+ \d+\] COPY completed$/);
    assert.equal(out.move[0], 'OK');
    assert.match(String(out.move[1]), /\d+ \d+ \d+/, 'MOVE sent its COPYUID');
    assert.equal(out.drafts_after, '', 'the draft moved out of Drafts');
    assert.equal(out.rename, 'OK');
    assert.equal(out.subscribe, 'OK');
    assert.deepEqual(out.lsub, ['(\\HasNoChildren) "/" Archive/2026']);
    assert.equal(out.status, 'Archive/2026 (MESSAGES 1 UNSEEN 0)', 'the copy kept \\Seen');
    assert.equal(out.trash, 'Trash (MESSAGES 1)');
    assert.ok(out.list_after.includes('(\\HasChildren) "/" Archive'));
    assert.ok(out.list_after.includes('(\\HasNoChildren) "/" &AOk-t&AOk-'));
    assert.ok(!out.list_after.some((l) => l.includes('Reports')));
    assert.equal(out.delete_parent, 'NO');
    assert.equal(out.delete, 'OK');
    const uid = Number(/APPENDUID \d+ (\d+)/.exec(out.inbox_append)?.[1]);
    assert.match(out.nonexistent, /^\[TRYCREATE\] /);
    const listed = (await getJson<{ messages: Array<{ id: number; subject: string }> }>(`http://127.0.0.1:${server.ports.http}/api/v1/inboxes/pyfolders/messages`)).body;
    assert.deepEqual(listed.messages.map((m) => [m.id, m.subject]), [[uid, 'Py appended']], 'INBOX shows the appended message only; folders stay IMAP-side');
  });
});
