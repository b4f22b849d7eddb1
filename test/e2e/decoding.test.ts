/**
 * One decoding, three readers: mail sent over SMTP in quoted-printable, base64, 8-bit ISO-8859-1
 * and Shift_JIS, with RFC 2047 subjects and sender names, is found by the same words through HTTP
 * search, IMAP SEARCH (SUBJECT, FROM, BODY, TEXT) and the message JSON, and by no encoded or
 * mis-decoded form of them. If any path decoded differently, some word would be found by one
 * path and not by another.
 */
import { deliveredVisibly } from '../helpers/visible.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../helpers/http.js';
import { RawImapClient } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient } from '../helpers/smtp-client.js';

const INBOX = 'decoding';

/** Shift_JIS as hex bytes: Node can decode Shift_JIS but not encode it. */
const sjis = (hex: string): Buffer => Buffer.from(hex, 'hex');
const NIHONGO = '93fa967b8cea'; // 日本語
const TOKYO = '938c8b9e'; // 東京
const YOTEI = '975c92e8'; // 予定: second byte 0x5C, an ASCII backslash
const TEKISUTO = '8365834c83588367'; // テキスト
const KAIGI = '89ef8b63'; // 会議
const YAMADA = '8e529363'; // 山田

const b64 = (bytes: Buffer | string): string => Buffer.from(bytes).toString('base64');
const wrap76 = (text: string): string => text.replace(/.{76}/g, '$&\r\n');
const GREEK_BODY = 'Ευχαριστώ πολύ, φίλε μου. Telefonbuch und Ευχαριστώ ξανά.\r\n';

interface Sample {
  label: string;
  raw: Buffer;
  /** Distinctive words of the decoded subject, sender name and body. */
  subject: string[];
  from: string[];
  body: string[];
}

function mail(headers: string[], body: Buffer | string): Buffer {
  const common = [`To: ${INBOX}@tidemail.test`, 'Date: Tue, 1 Dec 2026 10:00:00 +0000', 'MIME-Version: 1.0'];
  return Buffer.concat([Buffer.from(`${[...headers, ...common].join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
}

const SAMPLES: Sample[] = [
  {
    label: 'quoted-printable UTF-8, subject in Q words folded over three lines',
    raw: mail(
      [
        'From: =?utf-8?q?J=C3=B6rg_Kr=C3=A4mer?= <jorg@example.test>',
        'Subject: =?utf-8?q?Z=C3=BCrich?=\r\n =?utf-8?q?_Kaffee?=\r\n =?utf-8?q?haus?=',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
      ],
      'Gr=C3=BC=C3=9Fe aus der Donaudampf=\r\nschifffahrt, Stra=C3=9Fe 7.\r\n',
    ),
    subject: ['Zürich', 'Kaffeehaus'],
    from: ['Jörg', 'Krämer'],
    body: ['Grüße', 'Donaudampfschifffahrt', 'Straße'],
  },
  {
    label: 'base64 UTF-8 with an HTML alternative, B words',
    raw: mail(
      [
        `From: =?UTF-8?B?${b64('Ελένη Παππά')}?= <eleni@example.test>`,
        `Subject: =?UTF-8?B?${b64('Καλημέρα κόσμε')}?=`,
        'Content-Type: multipart/alternative; boundary="alt"',
      ],
      [
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        wrap76(b64(GREEK_BODY)),
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: base64',
        '',
        wrap76(b64('<p>Ευχαριστώ, <b>Wombatfutter</b>!</p>')),
        '--alt--',
        '',
      ].join('\r\n'),
    ),
    subject: ['Καλημέρα', 'κόσμε'],
    from: ['Ελένη', 'Παππά'],
    body: ['Ευχαριστώ', 'φίλε', 'Telefonbuch', 'Wombatfutter'],
  },
  {
    label: '8-bit ISO-8859-1, ISO-8859-1 Q words',
    raw: mail(
      [
        'From: =?iso-8859-1?q?Fran=E7ois_L=E9vesque?= <francois@example.test>',
        'Subject: =?ISO-8859-1?Q?Cr=E8me_br=FBl=E9e?=',
        'Content-Type: text/plain; charset=ISO-8859-1',
        'Content-Transfer-Encoding: 8bit',
      ],
      Buffer.from('Ça coûte très cher, la façade.\r\n', 'latin1'),
    ),
    subject: ['Crème', 'brûlée'],
    from: ['François', 'Lévesque'],
    body: ['coûte', 'très', 'façade'],
  },
  {
    label: '8-bit Shift_JIS, Shift_JIS B words joined across a fold',
    raw: mail(
      [
        `From: =?Shift_JIS?B?${b64(sjis(YAMADA))}?= <yamada@example.test>`,
        `Subject: =?Shift_JIS?B?${b64(sjis(KAIGI))}?=\r\n =?Shift_JIS?B?${b64(sjis(YOTEI))}?=`,
        'Content-Type: text/plain; charset=Shift_JIS',
        'Content-Transfer-Encoding: 8bit',
      ],
      Buffer.concat([sjis(NIHONGO), Buffer.from(' '), sjis(TOKYO), Buffer.from(' '), sjis(YOTEI), Buffer.from('\r\n')]),
    ),
    subject: ['会議予定'],
    from: ['山田'],
    body: ['日本語', '東京', '予定'],
  },
  {
    label: 'multipart/mixed: ISO-8859-1 quoted-printable, Shift_JIS base64 and a text attachment',
    raw: mail(
      ['From: Quentin Oakhurst <quentin@example.test>', 'Subject: Assorted parcels', 'Content-Type: multipart/mixed; boundary=mix'],
      [
        '--mix',
        'Content-Type: text/plain; charset=ISO-8859-1',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        'Gr=F6nland und K=E4ltewelle.',
        '--mix',
        'Content-Type: text/plain; charset=Shift_JIS',
        'Content-Transfer-Encoding: base64',
        '',
        b64(Buffer.concat([sjis(TEKISUTO), Buffer.from(' ok')])),
        '--mix',
        'Content-Type: text/plain; charset=utf-8; name=notes.txt',
        'Content-Disposition: attachment; filename=notes.txt',
        '',
        'Anhangswort only in the attached file.',
        '--mix--',
        '',
      ].join('\r\n'),
    ),
    subject: ['Assorted', 'parcels'],
    from: ['Quentin', 'Oakhurst'],
    body: ['Grönland', 'Kältewelle', 'テキスト'],
  },
];

/**
 * Forms no path may find: the transfer-encoded or mis-decoded spellings of the words above, and
 * the words of an attachment (an attachment is not the message's text for any reader).
 */
const NOWHERE: Array<{ word: string; imapKey: 'SUBJECT' | 'FROM' | 'BODY' }> = [
  { word: 'Gr=C3=BC', imapKey: 'BODY' },
  { word: 'Z=C3=BCrich', imapKey: 'SUBJECT' },
  { word: b64(GREEK_BODY).slice(0, 12), imapKey: 'BODY' },
  { word: 'faÃ§ade', imapKey: 'BODY' },
  { word: 'GrÃ¼ÃŸe', imapKey: 'BODY' },
  { word: 'J=C3=B6rg', imapKey: 'FROM' },
  { word: 'Anhangswort', imapKey: 'BODY' },
];

interface ApiMessage {
  id: number;
  subject: string;
  from: { name: string; address: string } | null;
  text: string;
  html: string;
}

/** Deliver exact bytes (8-bit ones declared BODY=8BITMIME, RFC 6152), dot-stuffed. */
async function deliverBytes(port: number, raw: Buffer): Promise<void> {
  const { client } = await RawSmtpClient.open(port);
  try {
    const eightBit = raw.some((byte) => byte > 0x7f);
    for (const [command, code] of [
      ['EHLO test.client', 250],
      [`MAIL FROM:<sender@example.test>${eightBit ? ' BODY=8BITMIME' : ''}`, 250],
      [`RCPT TO:<${INBOX}@tidemail.test>`, 250],
      ['DATA', 354],
    ] as const) {
      const reply = await client.send(command);
      assert.equal(reply.code, code, `${command} → ${reply.text}`);
    }
    const stuffed = Buffer.from(raw.toString('latin1').replace(/^\./gm, '..'), 'latin1');
    client.write(Buffer.concat([stuffed, Buffer.from(stuffed.subarray(-2).equals(Buffer.from('\r\n')) ? '.\r\n' : '\r\n.\r\n')]));
    const done = await client.reply();
    assert.equal(done.code, 250, done.text);
    await client.send('QUIT');
  } finally {
    client.close();
  }
}

describe('HTTP search, IMAP SEARCH and the message JSON decode mail alike', () => {
  let server: TestServer;
  let api: string;
  let imap: RawImapClient;
  /** Message id of each sample, in SAMPLES order. */
  let ids: number[];
  const json = new Map<number, ApiMessage>();

  const httpSearch = async (word: string): Promise<number[]> => {
    const { status, body } = await getJson<{ messages: Array<{ id: number }> }>(`${api}/api/v1/search?q=${encodeURIComponent(word)}&inbox=${INBOX}`);
    assert.equal(status, 200);
    return body.messages.map((m) => m.id).sort((a, b) => a - b);
  };
  const imapSearch = async (key: string, word: string): Promise<number[]> => {
    // A literal carries the UTF-8 bytes exactly (RFC 3501 §6.4.4 CHARSET, RFC 7888 LITERAL+).
    const result = await imap.command(`UID SEARCH CHARSET UTF-8 ${key} {${Buffer.byteLength(word)}+}\r\n${word}`);
    assert.equal(result.status, 'OK', result.tagged);
    const line = result.untagged.find((l) => l.startsWith('* SEARCH'));
    assert.ok(line, `no SEARCH response for ${key} ${word}`);
    return line.slice('* SEARCH'.length).trim().split(' ').filter(Boolean).map(Number).sort((a, b) => a - b);
  };
  /** Ids of the messages whose JSON shows `word` in the given place, as a case-insensitive substring. */
  const inJson = (where: 'subject' | 'from' | 'body', word: string): number[] => {
    const wanted = word.toLowerCase();
    return [...json.values()]
      .filter((m) => {
        const places = where === 'subject' ? [m.subject] : where === 'from' ? [m.from?.name ?? ''] : [m.text, m.html];
        return places.some((place) => place.toLowerCase().includes(wanted));
      })
      .map((m) => m.id)
      .sort((a, b) => a - b);
  };

  before(async () => {
    server = await startServer({ expect: ['smtp', 'http', 'imap'] });
    api = `http://127.0.0.1:${server.ports.http}`;
    // Each shown before the next is sent: the ids below are taken in that order.
    for (const sample of SAMPLES) await deliveredVisibly(server.smtpPort, [`${INBOX}@tidemail.test`], 1, () => deliverBytes(server.smtpPort, sample.raw));
    type Page = { messages: Array<{ id: number; preview: string }> };
    const listing = async (): Promise<Page['messages']> => (await getJson<Page>(`${api}/api/v1/inboxes/${INBOX}/messages`)).body.messages;
    // Body words are searchable over HTTP once the indexer has parsed the bodies; it fills in
    // the preview in the same commit as the index row, so wait for every preview.
    const deadline = Date.now() + 15_000;
    let listed = await listing();
    while (listed.some((m) => m.preview === '') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      listed = await listing();
    }
    assert.equal(listed.length, SAMPLES.length);
    assert.ok(listed.every((m) => m.preview !== ''), 'every body is indexed');
    ids = listed.map((m) => m.id).sort((a, b) => a - b);
    for (const id of ids) json.set(id, (await getJson<ApiMessage>(`${api}/api/v1/messages/${id}`)).body);
    imap = await RawImapClient.selected(server.ports.imap!, INBOX);
  });

  after(async () => {
    imap?.close();
    await server?.dispose();
  });

  const PLACES = [
    ['subject', 'SUBJECT'],
    ['from', 'FROM'],
    ['body', 'BODY'],
  ] as const;

  SAMPLES.forEach((sample, index) => {
    it(`finds every word of ${sample.label} through all three`, async () => {
      const expected = [ids[index]!];
      for (const [place, imapKey] of PLACES) {
        for (const word of sample[place]) {
          const found = {
            json: inJson(place, word),
            http: await httpSearch(word),
            [`imap ${imapKey}`]: await imapSearch(imapKey, word),
            'imap TEXT': await imapSearch('TEXT', word),
          };
          assert.deepEqual(found, Object.fromEntries(Object.keys(found).map((path) => [path, expected])), `${place} word "${word}"`);
        }
      }
    });
  });

  it('finds no encoded or mis-decoded form of those words, nor an attachment’s words, anywhere', async () => {
    for (const { word, imapKey } of NOWHERE) {
      const place = imapKey === 'SUBJECT' ? 'subject' : imapKey === 'FROM' ? 'from' : 'body';
      const found = { json: inJson(place, word), http: await httpSearch(word), [`imap ${imapKey}`]: await imapSearch(imapKey, word) };
      assert.deepEqual(found, { json: [], http: [], [`imap ${imapKey}`]: [] }, `"${word}"`);
    }
  });
});
