/**
 * An independent client: Python's smtplib sends, imaplib reads back. The classic round trip —
 * the bytes imaplib fetches as RFC822 / BODY[] are the message as sent with our Received header
 * in front, nothing else changed (dot-stuffing undone, 8-bit bytes intact). Then search, header
 * fields, BODYSTRUCTURE, flagging, expunge and the uid() forms, as a script would use them.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { multipartMessage } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
let server: TestServer;

before(async () => {
  server = await startServer({ expect: ['smtp', 'imap'] });
});

after(async () => {
  await server.dispose();
});

const ORIGINAL = Buffer.from(
  'From: Py Sender <py@example.test>\r\nTo: pyreader@tidemail.test\r\nSubject: Round trip\r\n' +
    'Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nLine one.\r\n.leading dot survives\r\nGr\u00fc\u00dfe in 8-bit UTF-8\r\n',
  'utf8',
);

const SCRIPT = String.raw`
import base64, imaplib, json, smtplib, sys, urllib.request
smtp_port, imap_port, original, multi, http_port = int(sys.argv[1]), int(sys.argv[2]), base64.b64decode(sys.argv[3]), base64.b64decode(sys.argv[4]), int(sys.argv[5])
with smtplib.SMTP('127.0.0.1', smtp_port) as s:
    s.sendmail('py@example.test', ['pyreader@tidemail.test'], original)
    s.sendmail('py@example.test', ['pyreader@tidemail.test'], multi)
# A 250 means committed; the HTTP wait endpoint answers once a message is visible, in id order.
seen = 0
for _ in range(2):
    with urllib.request.urlopen('http://127.0.0.1:%d/api/v1/inboxes/pyreader/wait?after=%d&timeout=10' % (http_port, seen)) as r:
        if r.status != 200: sys.exit('message not visible in time')
        seen = json.load(r)['id']
out = {}
m = imaplib.IMAP4('127.0.0.1', imap_port)
out['login'] = m.login('pyreader@tidemail.test', 'any password')[0]
typ, data = m.select('INBOX')
out['exists'] = int(data[0])
out['all'] = m.search(None, 'ALL')[1][0].decode()
out['subject_search'] = m.search(None, '(SUBJECT "round trip")')[1][0].decode()
typ, data = m.fetch('1', '(RFC822)')
out['rfc822'] = base64.b64encode(data[0][1]).decode()
typ, data = m.fetch('1', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
out['subject_header'] = data[0][1].decode()
typ, data = m.fetch('1', '(RFC822.SIZE)')
out['size'] = data[0].decode()
typ, data = m.fetch('2', '(BODYSTRUCTURE)')
out['bodystructure'] = data[0].decode()
typ, data = m.uid('SEARCH', None, 'ALL')
uids = data[0].decode().split()
out['uids'] = uids
typ, data = m.uid('FETCH', uids[0], '(BODY.PEEK[])')
out['uid_body'] = base64.b64encode(data[0][1]).decode()
out['unseen_after_read'] = m.search(None, 'UNSEEN')[1][0].decode()
out['store'] = [x.decode() for x in m.store('2', '+FLAGS', '\\Deleted')[1]]
out['expunge'] = [x.decode() for x in m.expunge()[1] if x]
out['after_expunge'] = m.search(None, 'ALL')[1][0].decode()
m.close()
m.logout()
print(json.dumps(out))
`;

describe('IMAP with Python imaplib', () => {
  it('smtplib → imaplib round trip is byte-identical; search, fetch, store, expunge and uid work', async () => {
    const multi = Buffer.from(multipartMessage('Py multi', 'pyreader@tidemail.test'));
    const { stdout } = await run('python3', ['-c', SCRIPT, String(server.smtpPort), String(server.ports.imap), ORIGINAL.toString('base64'), multi.toString('base64'), String(server.ports.http)], {
      timeout: 60_000,
    });
    const out = JSON.parse(stdout) as Record<string, string & string[]>;
    assert.equal(out.login, 'OK');
    assert.equal(out.exists, 2);
    assert.equal(out.all, '1 2');
    assert.equal(out.subject_search, '1');

    const fetched = Buffer.from(out.rfc822, 'base64');
    const prefix = fetched.subarray(0, fetched.length - ORIGINAL.length);
    assert.ok(fetched.subarray(prefix.length).equals(ORIGINAL), 'the message as sent follows our trace header, byte for byte');
    assert.match(prefix.toString('latin1'), /^Received: from [^\r\n]+\r\n(\t[^\r\n]*\r\n)+$/, 'the only addition is one Received header');
    assert.ok(Buffer.from(out.uid_body, 'base64').equals(fetched), 'BODY[] and RFC822 are the same bytes');
    assert.equal(out.size, `1 (RFC822.SIZE ${fetched.length})`);

    assert.equal(out.subject_header, 'Subject: Round trip\r\n\r\n');
    assert.match(out.bodystructure, /^2 \(BODYSTRUCTURE \(\(\("TEXT" "PLAIN" .* "MIXED" \("BOUNDARY" "outer-b"\) NIL NIL NIL\)\)$/);
    assert.equal(out.uids.length, 2);
    assert.ok(Number(out.uids[0]) < Number(out.uids[1]));
    assert.equal(out.unseen_after_read, '2', 'RFC822 marked message 1 \\Seen; BODY.PEEK did not mark 2');
    // imaplib's session is the first to see both messages, so they are \Recent in it (RFC 3501 §2.3.2).
    assert.deepEqual(out.store, ['2 (FLAGS (\\Deleted \\Recent))']);
    assert.deepEqual(out.expunge, ['2']);
    assert.equal(out.after_expunge, '1');
  });
});
