/**
 * FETCH, SEARCH, STORE and EXPUNGE transcripts over a real socket, on a plain message and a
 * multipart one with an attachment: structure (BODYSTRUCTURE, BODY, ENVELOPE), sections and
 * partial fetches cut byte-exactly, \Seen set by BODY[] but not by BODY.PEEK[], search keys,
 * flag changes, and malformed MIME that degrades instead of failing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawImapClient, deliver, multipartMessage } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { simpleMessage } from '../helpers/smtp-client.js';

let server: TestServer;
let imapPort: number;
const MULTI = multipartMessage('Quarterly report', 'fetcher@tidemail.test');

before(async () => {
  server = await startServer({ expect: ['smtp', 'imap'] });
  imapPort = server.ports.imap!;
  await deliver(server.smtpPort, 'fetcher@tidemail.test', simpleMessage('Plain one', 'Just text.', 'fetcher@tidemail.test'));
  await deliver(server.smtpPort, 'fetcher@tidemail.test', MULTI);
  await seenBefore('fetcher');
});

after(async () => {
  await server.dispose();
});

/** A session selects `inbox` and logs out, so its messages are no longer \Recent for the sessions under test (RFC 3501 §2.3.2). */
async function seenBefore(inbox: string): Promise<void> {
  const c = await RawImapClient.selected(imapPort, inbox);
  await c.command('LOGOUT');
  c.close();
}

/** The literal that follows `label` in a FETCH response. */
function literalAfter(response: string, label: string): string {
  const at = response.indexOf(`${label} {`);
  assert.notEqual(at, -1, `${label} not in ${response.slice(0, 200)}`);
  const open = response.indexOf('{', at);
  const close = response.indexOf('}\r\n', open);
  const size = Number(response.slice(open + 1, close));
  return response.slice(close + 3, close + 3 + size);
}

describe('IMAP FETCH', () => {
  it('BODYSTRUCTURE and BODY describe the multipart tree; ENVELOPE the headers', async () => {
    const c = await RawImapClient.selected(imapPort, 'fetcher');
    const structure = (await c.command('FETCH 2 BODYSTRUCTURE')).untagged[0]!;
    assert.equal(
      structure,
      '* 2 FETCH (BODYSTRUCTURE ((("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" 51 2 NIL NIL NIL NIL)' +
        '("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "7BIT" 25 1 NIL NIL NIL NIL) "ALTERNATIVE" ("BOUNDARY" "inner-b") NIL NIL NIL)' +
        '("APPLICATION" "PDF" ("NAME" "report.pdf") NIL NIL "BASE64" 44 NIL ("ATTACHMENT" ("FILENAME" "report.pdf")) NIL NIL)' +
        ' "MIXED" ("BOUNDARY" "outer-b") NIL NIL NIL))',
    );
    const body = (await c.command('UID FETCH 1:* (BODY ENVELOPE)')).untagged;
    assert.equal(body.length, 2);
    assert.match(body[1]!, /^\* 2 FETCH \(UID \d+ BODY \(\(\("TEXT" "PLAIN" \("CHARSET" "utf-8"\) NIL NIL "QUOTED-PRINTABLE" 51 2\)/);
    assert.match(
      body[1]!,
      / ENVELOPE \("Tue, 3 Mar 2026 09:15:00 \+0100" "Quarterly report" \(\("=\?utf-8\?B\?SsO2cmc=\?=" NIL "jorg" "example.test"\)\) .* \(\(NIL NIL "fetcher" "tidemail.test"\)\) \(\("Carol" NIL "carol" "example.test"\)\) NIL NIL "<multi-1@example.test>"\)\)$/,
    );
    const plain = (await c.command('FETCH 1 BODYSTRUCTURE')).untagged[0]!;
    assert.equal(plain, '* 1 FETCH (BODYSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" 12 1 NIL NIL NIL NIL))');
    c.close();
  });

  it('cuts sections byte-exactly: part numbers, MIME, HEADER.FIELDS(.NOT), TEXT and partial ranges', async () => {
    const c = await RawImapClient.selected(imapPort, 'fetcher');
    const r = (await c.command('FETCH 2 (BODY.PEEK[1.1] BODY.PEEK[1.2.MIME] BODY.PEEK[2]<0.10> BODY.PEEK[HEADER.FIELDS (Subject CC)] BODY.PEEK[9])')).untagged[0]!;
    assert.equal(literalAfter(r, 'BODY[1.1]'), 'Gr=C3=BC=C3=9Fe, your code is 424242.\r\nSecond line.');
    assert.equal(literalAfter(r, 'BODY[1.2.MIME]'), 'Content-Type: text/html; charset=utf-8\r\n\r\n');
    assert.equal(literalAfter(r, 'BODY[2]<0>'), Buffer.from('%PDF-1.4 pretend this is a PDF\n').toString('base64').slice(0, 10));
    assert.equal(literalAfter(r, 'BODY[HEADER.FIELDS (SUBJECT CC)]'), 'Cc: Carol <carol@example.test>\r\nSubject: Quarterly report\r\n\r\n');
    assert.match(r, / BODY\[9\] NIL\)$/);

    const header = (await c.command('FETCH 2 (BODY.PEEK[HEADER.FIELDS.NOT (Received)] RFC822.HEADER)')).untagged[0]!;
    const withoutReceived = literalAfter(header, 'BODY[HEADER.FIELDS.NOT (RECEIVED)]');
    assert.equal(withoutReceived, `${MULTI.slice(0, MULTI.indexOf('\r\n\r\n'))}\r\n\r\n`);
    assert.ok(literalAfter(header, 'RFC822.HEADER').endsWith(withoutReceived));

    const whole = (await c.command('FETCH 2 (BODY.PEEK[] BODY.PEEK[TEXT] RFC822.SIZE)')).untagged[0]!;
    const raw = literalAfter(whole, 'BODY[]');
    assert.ok(raw.startsWith('Received: '));
    assert.ok(raw.endsWith(MULTI), 'BODY[] is the stored message: our Received header, then the message as sent');
    assert.equal(literalAfter(whole, 'BODY[TEXT]'), MULTI.slice(MULTI.indexOf('\r\n\r\n') + 4));
    assert.match(whole, new RegExp(`RFC822.SIZE ${Buffer.byteLength(raw, 'latin1')}\\)$`));
    const slice = (await c.command('FETCH 2 BODY.PEEK[]<5.9>')).untagged[0]!;
    assert.equal(literalAfter(slice, 'BODY[]<5>'), raw.slice(5, 14));
    c.close();
  });

  it('BODY[] marks the message \\Seen (and says so); BODY.PEEK[] does not', async () => {
    await deliver(server.smtpPort, 'seen@tidemail.test', simpleMessage('Mark me'));
    await seenBefore('seen');
    const c = await RawImapClient.selected(imapPort, 'seen');
    const peek = (await c.command('FETCH 1 (BODY.PEEK[TEXT] FLAGS)')).untagged[0]!;
    assert.match(peek, /FLAGS \(\)\)$/);
    const read = (await c.command('FETCH 1 BODY[TEXT]')).untagged[0]!;
    assert.match(read, / FLAGS \(\\Seen\)\)$/);
    // Another session (or POP3, or the web UI) sees the same flag.
    const other = await RawImapClient.selected(imapPort, 'seen');
    assert.match((await other.command('FETCH 1 FLAGS')).untagged[0]!, /FLAGS \(\\Seen\)/);
    other.close();
    c.close();
  });

  it('macros ALL, FAST and FULL; UID FETCH always reports the UID', async () => {
    const c = await RawImapClient.selected(imapPort, 'fetcher');
    const fast = (await c.command('FETCH 1 FAST')).untagged[0]!;
    assert.match(fast, /^\* 1 FETCH \(FLAGS \([^)]*\) INTERNALDATE "\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2} \+0000" RFC822.SIZE \d+\)$/);
    assert.match((await c.command('FETCH 1 ALL')).untagged[0]!, / ENVELOPE \("Sat, 21 Nov 2026 10:00:00 \+0000" "Plain one" /);
    assert.match((await c.command('FETCH 2 FULL')).untagged[0]!, / BODY \(\(\(/);
    const uids = (await c.command('UID FETCH 1:* FLAGS')).untagged;
    assert.equal(uids.length, 2);
    const [u1, u2] = uids.map((l) => Number(/UID (\d+)/.exec(l)![1]));
    assert.ok(u1! < u2!, 'UIDs ascend with sequence numbers');
    assert.deepEqual((await c.command(`UID FETCH ${u2} UID`)).untagged, [`* 2 FETCH (UID ${u2})`]);
    assert.deepEqual((await c.command(`UID FETCH ${u2! + 1000}:* UID`)).untagged, [`* 2 FETCH (UID ${u2})`], 'n:* includes the last UID');
    c.close();
  });

  it('malformed MIME degrades to one text part instead of failing', async () => {
    const broken = [
      'From: x@example.test',
      'Subject: Broken',
      'Content-Type: multipart/mixed; boundary="never-used"',
      '',
      'no delimiter lines at all',
      '',
    ].join('\r\n');
    const noBoundary = 'From: x@example.test\r\nSubject: No boundary\r\nContent-Type: multipart/mixed\r\n\r\nhello\r\n';
    const garbageType = 'From: x@example.test\r\nSubject: Garbage\r\nContent-Type: ;;;\r\n\r\n--x\r\n\r\n';
    for (const m of [broken, noBoundary, garbageType]) await deliver(server.smtpPort, 'broken@tidemail.test', m);
    const c = await RawImapClient.selected(imapPort, 'broken');
    const r = await c.command('FETCH 1:3 (BODYSTRUCTURE BODY.PEEK[1] ENVELOPE)');
    assert.equal(r.status, 'OK');
    assert.equal(r.untagged.length, 3);
    for (const line of r.untagged) assert.match(line, /BODYSTRUCTURE \("TEXT" "PLAIN" \("CHARSET" "us-ascii"\) NIL NIL "7BIT" \d+ \d+ /);
    assert.equal(literalAfter(r.untagged[0]!, 'BODY[1]'), 'no delimiter lines at all\r\n');
    c.close();
  });
});

describe('IMAP SEARCH', () => {
  it('matches flags, headers, decoded text, dates, sizes, sets, NOT, OR and groups', async () => {
    const c = await RawImapClient.selected(imapPort, 'fetcher');
    const search = async (keys: string): Promise<string> => {
      const r = await c.command(`SEARCH ${keys}`);
      assert.equal(r.status, 'OK', `${keys} → ${r.tagged}`);
      return r.untagged[0]!;
    };
    assert.equal(await search('ALL'), '* SEARCH 1 2');
    assert.equal(await search('SUBJECT quarterly'), '* SEARCH 2');
    assert.equal(await search('FROM jörg'), '* SEARCH 2', 'encoded-word names are decoded');
    assert.equal(await search('FROM sender@example.test'), '* SEARCH 1');
    assert.equal(await search('CC carol'), '* SEARCH 2');
    assert.equal(await search('TO fetcher'), '* SEARCH 1 2');
    assert.equal(await search('BODY "grüße"'), '* SEARCH 2', 'quoted-printable UTF-8 is decoded');
    assert.equal(await search('BODY hello'), '* SEARCH 2');
    assert.equal(await search('TEXT "just text"'), '* SEARCH 1');
    assert.equal(await search('HEADER Message-ID multi-1'), '* SEARCH 2');
    assert.equal(await search('HEADER X-Missing ""'), '* SEARCH');
    assert.equal(await search('SENTON 3-Mar-2026'), '* SEARCH 2');
    assert.equal(await search('SENTBEFORE 1-Jan-2026'), '* SEARCH');
    assert.equal(await search('SENTSINCE 1-Jan-2026'), '* SEARCH 1 2');
    assert.equal(await search('SINCE 1-Jan-2000 BEFORE 1-Jan-2999'), '* SEARCH 1 2');
    assert.equal(await search('ON 1-Jan-2000'), '* SEARCH');
    assert.equal(await search('LARGER 800'), '* SEARCH 2');
    assert.equal(await search('SMALLER 800'), '* SEARCH 1');
    assert.equal(await search('2'), '* SEARCH 2');
    assert.equal(await search('NOT 2'), '* SEARCH 1');
    assert.equal(await search('OR SUBJECT plain SUBJECT quarterly'), '* SEARCH 1 2');
    assert.equal(await search('(SUBJECT plain) (TO fetcher)'), '* SEARCH 1');
    assert.equal(await search('NOT (OR 1 2)'), '* SEARCH');
    assert.equal(await search('CHARSET UTF-8 SUBJECT {9+}\r\nQuarterly'), '* SEARCH 2');
    const uids = (await c.command('UID FETCH 1:* UID')).untagged.map((l) => /UID (\d+)/.exec(l)![1]);
    assert.equal((await c.command(`UID SEARCH UID ${uids[1]}`)).untagged[0], `* SEARCH ${uids[1]}`);
    assert.equal((await c.command('UID SEARCH ALL')).untagged[0], `* SEARCH ${uids.join(' ')}`);
    c.close();
  });
});

describe('IMAP STORE and EXPUNGE', () => {
  it('sets and clears system flags; .SILENT stays silent; keywords are ignored', async () => {
    for (let i = 1; i <= 3; i++) await deliver(server.smtpPort, 'flags@tidemail.test', simpleMessage(`Flag ${i}`));
    await seenBefore('flags');
    const c = await RawImapClient.selected(imapPort, 'flags');
    assert.deepEqual((await c.command('STORE 1 +FLAGS (\\Flagged \\Answered)')).untagged, ['* 1 FETCH (FLAGS (\\Answered \\Flagged))']);
    assert.deepEqual((await c.command('STORE 1 -FLAGS \\Answered')).untagged, ['* 1 FETCH (FLAGS (\\Flagged))']);
    assert.deepEqual((await c.command('STORE 1:2 FLAGS.SILENT (\\Draft $Label1)')).untagged, []);
    assert.deepEqual((await c.command('FETCH 1:2 FLAGS')).untagged, ['* 1 FETCH (FLAGS (\\Draft))', '* 2 FETCH (FLAGS (\\Draft))']);
    const uid3 = /UID (\d+)/.exec((await c.command('FETCH 3 UID')).untagged[0]!)![1];
    assert.deepEqual((await c.command(`UID STORE ${uid3} +FLAGS (\\Seen)`)).untagged, [`* 3 FETCH (UID ${uid3} FLAGS (\\Seen))`]);
    assert.equal((await c.command('SEARCH FLAGGED')).untagged[0], '* SEARCH');
    assert.equal((await c.command('SEARCH DRAFT')).untagged[0], '* SEARCH 1 2');
    assert.equal((await c.command('SEARCH UNSEEN')).untagged[0], '* SEARCH 1 2');
    assert.equal((await c.command('SEARCH SEEN UNDRAFT')).untagged[0], '* SEARCH 3');
    assert.equal((await c.command('SEARCH KEYWORD $Label1')).untagged[0], '* SEARCH');
    c.close();
  });

  it('EXPUNGE removes \\Deleted messages with one EXPUNGE each; UID EXPUNGE only those named', async () => {
    for (let i = 1; i <= 4; i++) await deliver(server.smtpPort, 'expunge@tidemail.test', simpleMessage(`Gone ${i}`));
    const c = await RawImapClient.selected(imapPort, 'expunge');
    const uids = (await c.command('UID SEARCH ALL')).untagged[0]!.split(' ').slice(2);
    await c.command('STORE 2,4 +FLAGS.SILENT (\\Deleted)');
    const expunge = await c.command('EXPUNGE');
    assert.deepEqual(expunge.untagged, ['* 4 EXPUNGE', '* 2 EXPUNGE']);
    assert.equal((await c.command('UID SEARCH ALL')).untagged[0], `* SEARCH ${uids[0]} ${uids[2]}`);

    await c.command('STORE 1:2 +FLAGS.SILENT (\\Deleted)');
    assert.deepEqual((await c.command(`UID EXPUNGE ${uids[2]}`)).untagged, ['* 2 EXPUNGE']);
    assert.equal((await c.command('UID SEARCH ALL')).untagged[0], `* SEARCH ${uids[0]}`);
    // CLOSE expunges silently.
    assert.deepEqual((await c.command('CLOSE')).untagged, []);
    const status = await c.command('STATUS INBOX (MESSAGES)');
    assert.equal(status.untagged[0], '* STATUS INBOX (MESSAGES 0)');
    c.close();
  });
});
