/**
 * The one decoding path (src/mail/decode.ts, header-block.ts, parse.ts), pure: header blocks
 * unfolded once for the listing and the MIME tree alike, header values decoded (8-bit UTF-8,
 * RFC 2047 in UTF-8, ISO-8859-1 and Shift_JIS, adjacent words joined), and bodies in
 * quoted-printable, base64, ISO-8859-1 and Shift_JIS decoded into the text a search matches.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHeaderValue, searchableBody } from '../../src/mail/decode.js';
import { bodyStartOf, headerValue, unfoldHeaders } from '../../src/mail/header-block.js';
import { parseListingFields } from '../../src/mail/headers.js';
import { parseMimeTree } from '../../src/mail/mime-tree.js';
import { parseBody } from '../../src/mail/parse.js';

/** Shift_JIS bytes, written as hex: Node has no Shift_JIS encoder, only the decoder under test. */
const SJIS = {
  nihongo: '93fa967b8cea', // 日本語
  tekisuto: '8365834c83588367', // テキスト
  tokyo: '938c8b9e', // 東京
  kaigi: '89ef8b63', // 会議
  yotei: '975c92e8', // 予定: its second byte is 0x5C, a backslash in ASCII
  yamada: '8e529363', // 山田
};
const sjis = (...hex: string[]): Buffer => Buffer.from(hex.join(''), 'hex');
const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');

/** A message from header lines and body bytes, CRLF line ends. */
function mail(headers: string[], body: Buffer | string): Buffer {
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
}

describe('header blocks are unfolded once', () => {
  const raw = mail(
    ['Received: from a\r\n\tby b;\r\n Sat, 21 Nov 2026', 'SUBJECT: one\r\n  two', 'not a field', 'X-Empty:', 'From: a@b.test'],
    'Subject: not a header, the body\r\n',
  );

  it('joins continuation lines keeping their whitespace, lower-cases names, stops at the blank line', () => {
    assert.deepEqual(unfoldHeaders(raw), [
      ['received', 'from a\tby b; Sat, 21 Nov 2026'],
      ['subject', 'one  two'],
      ['x-empty', ''],
      ['from', 'a@b.test'],
    ]);
    assert.deepEqual(unfoldHeaders(raw, 0, bodyStartOf(raw), new Set(['subject'])), [['subject', 'one  two']]);
    assert.equal(headerValue(unfoldHeaders(raw), 'subject'), 'one  two');
    assert.equal(headerValue(unfoldHeaders(raw), 'cc'), null);
  });

  it('is the reader of the MIME tree too, for the message and for each part', () => {
    assert.deepEqual(parseMimeTree(raw).headers, unfoldHeaders(raw));
    const multipart = mail(['Content-Type: multipart/mixed; boundary=b'], '--b\r\nContent-Type: text/plain;\r\n charset=utf-8\r\n\r\nhi\r\n--b--\r\n');
    const part = parseMimeTree(multipart).children[0]!;
    assert.deepEqual(part.headers, unfoldHeaders(multipart, part.headerStart, part.bodyStart));
    assert.deepEqual(part.headers, [['content-type', 'text/plain; charset=utf-8']]);
  });

  it('finds the body after the blank line, or none', () => {
    assert.equal(bodyStartOf(Buffer.from('A: b\r\n\r\nbody')), 8);
    assert.equal(bodyStartOf(Buffer.from('\r\nbody')), 2);
    assert.equal(bodyStartOf(Buffer.from('A: b\r\n')), 6);
  });
});

describe('header values are decoded once', () => {
  it('decodes RFC 2047 words in UTF-8, ISO-8859-1 and Shift_JIS, Q and B', () => {
    assert.equal(decodeHeaderValue('=?utf-8?q?Z=C3=BCrich_Fondue?='), 'Zürich Fondue');
    assert.equal(decodeHeaderValue(`=?UTF-8?B?${b64('Καλημέρα κόσμε')}?=`), 'Καλημέρα κόσμε');
    assert.equal(decodeHeaderValue('=?ISO-8859-1?Q?Cr=E8me_br=FBl=E9e?='), 'Crème brûlée');
    assert.equal(decodeHeaderValue(`=?Shift_JIS?B?${b64(sjis(SJIS.nihongo))}?=`), '日本語');
  });

  it('joins adjacent encoded words across a fold (RFC 2047 §6.2) and keeps plain words', () => {
    const [[, value]] = unfoldHeaders(mail(['Subject: Re: =?utf-8?q?Kaffee?=\r\n =?utf-8?q?haus?= heute'], ''));
    assert.equal(decodeHeaderValue(value!), 'Re: Kaffeehaus heute');
    const [[, sj]] = unfoldHeaders(mail([`Subject: =?Shift_JIS?B?${b64(sjis(SJIS.kaigi))}?=\r\n =?Shift_JIS?B?${b64(sjis(SJIS.yotei))}?=`], ''));
    assert.equal(decodeHeaderValue(sj!), '会議予定');
  });

  it('reads 8-bit header bytes as UTF-8 and never throws on malformed words', () => {
    assert.equal(decodeHeaderValue(Buffer.from('Grüße', 'utf8').toString('latin1')), 'Grüße');
    for (const bad of ['=?x-unknown?q?abc?=', '=?utf-8?b?%%%?=', '=?utf-8?q?=ZZ?=', '=?']) assert.equal(typeof decodeHeaderValue(bad), 'string');
  });

  it('gives the listing (HTTP, message JSON) the same subject and names IMAP SEARCH matches', () => {
    const raw = mail(
      [
        `From: =?Shift_JIS?B?${b64(sjis(SJIS.yamada))}?= <yamada@example.test>`,
        'To: =?iso-8859-1?q?Fran=E7ois?= <f@example.test>, "Bob" <bob@example.test>',
        'Subject: =?utf-8?q?Z=C3=BCrich?=\r\n =?utf-8?q?_Kaffee?=\r\n =?utf-8?q?haus?=',
      ],
      'x',
    );
    const listing = parseListingFields(raw);
    const imapHeaders = parseMimeTree(raw).headers;
    assert.equal(listing.subject, 'Zürich Kaffeehaus');
    assert.equal(decodeHeaderValue(headerValue(imapHeaders, 'subject')!), listing.subject);
    assert.deepEqual(listing.from, { name: '山田', address: 'yamada@example.test' });
    assert.ok(decodeHeaderValue(headerValue(imapHeaders, 'from')!).includes(listing.from!.name));
    assert.deepEqual(listing.to.map((a) => a.name), ['François', 'Bob']);
    assert.ok(decodeHeaderValue(headerValue(imapHeaders, 'to')!).includes('François'));
  });
});

describe('bodies are decoded once, into the text searches match', () => {
  const text = async (raw: Buffer): Promise<string> => searchableBody(await parseBody(raw, ''));

  it('undoes quoted-printable, soft line breaks included (RFC 2045 §6.7)', async () => {
    const raw = mail(
      ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable'],
      'Gr=C3=BC=C3=9Fe aus der Donaudampf=\r\nschifffahrt, Stra=C3=9Fe =3D gleich\r\n',
    );
    assert.equal(await text(raw), 'Grüße aus der Donaudampfschifffahrt, Straße = gleich\n');
  });

  it('undoes base64 across wrapped lines (RFC 2045 §6.8)', async () => {
    const encoded = b64('Ευχαριστώ πολύ, φίλε μου. '.repeat(4)).replace(/.{76}/g, '$&\r\n');
    const raw = mail(['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: base64'], `${encoded}\r\n`);
    assert.equal((await text(raw)).trim(), 'Ευχαριστώ πολύ, φίλε μου. '.repeat(4).trim());
  });

  it('decodes 8-bit ISO-8859-1 and Shift_JIS charsets', async () => {
    const latin1 = mail(['Content-Type: text/plain; charset=ISO-8859-1', 'Content-Transfer-Encoding: 8bit'], Buffer.from('Ça coûte très cher, la façade.\r\n', 'latin1'));
    assert.equal(await text(latin1), 'Ça coûte très cher, la façade.\n');
    const sp = Buffer.from(' ');
    const japanese = mail(
      ['Content-Type: text/plain; charset=Shift_JIS', 'Content-Transfer-Encoding: 8bit'],
      Buffer.concat([sjis(SJIS.nihongo), sp, sjis(SJIS.tekisuto), sp, sjis(SJIS.yotei), sp, sjis(SJIS.tokyo), Buffer.from('\r\n')]),
    );
    assert.equal(await text(japanese), '日本語 テキスト 予定 東京\n');
  });

  it('includes the HTML alternative’s text when it says more, once, and not its markup', async () => {
    const raw = mail(
      ['Content-Type: multipart/alternative; boundary=alt'],
      [
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Thank you, friend.',
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        '<p class=3D"x">Thank you, <b>Wombatfutter</b> &amp; friends.</p>',
        '--alt--',
        '',
      ].join('\r\n'),
    );
    const body = await text(raw);
    assert.match(body, /^Thank you, friend\.\n/);
    assert.match(body, /Thank you, Wombatfutter & friends\./);
    assert.doesNotMatch(body, /<b>|class/);
    const repeated = raw.toString('latin1').replace('Thank you, <b>Wombatfutter</b> &amp; friends.', 'Thank <b>you</b>, friend.');
    assert.equal(await text(Buffer.from(repeated, 'latin1')), 'Thank you, friend.\n', 'an HTML part that says nothing more is not added');
    const htmlOnly = mail(['Content-Type: text/html; charset=utf-8'], '<p>Only <i>markup</i> here</p>\r\n');
    assert.equal(await text(htmlOnly), 'Only markup here');
  });
});
