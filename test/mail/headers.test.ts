/**
 * The cheap header parse done while the SMTP client waits (src/mail/headers.ts): where the
 * header block ends, unfolding (RFC 5322 §2.2.3), and the listing fields From, To/Cc, Subject
 * (RFC 2047 encoded words) and Date. It never throws: bad input gives empty fields.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unfoldHeaders } from '../../src/mail/header-block.js';
import { headerEnd, parseAddressList, parseListingFields } from '../../src/mail/headers.js';

const msg = (text: string): Buffer => Buffer.from(text, 'utf8');

describe('header block', () => {
  it('ends after the first blank line, or at the end of a message that has none', () => {
    assert.equal(headerEnd(msg('A: 1\r\nB: 2\r\n\r\nbody\r\n\r\nmore')), 14);
    assert.equal(headerEnd(msg('\r\nbody only')), 2);
    assert.equal(headerEnd(msg('A: 1\r\nB: 2\r\n')), 12);
  });

  it('unfolds continuation lines, lower-cases names, and skips lines that are no field', () => {
    const raw = msg('Subject: a long\r\n  folded subject\r\nnot a field\r\n\tstray continuation\r\nX-Empty:\r\nTo: joe@x.test\r\n\r\nSubject: in the body\r\n');
    assert.deepEqual(unfoldHeaders(raw), [
      ['subject', 'a long  folded subject'],
      ['x-empty', ''],
      ['to', 'joe@x.test'],
    ]);
    assert.deepEqual(unfoldHeaders(raw, 0, headerEnd(raw), new Set(['to'])), [['to', 'joe@x.test']]);
  });
});

describe('listing fields', () => {
  it('reads From, To and Cc, Subject and Date', () => {
    const fields = parseListingFields(
      msg('From: "Ann Example" <ann@example.test>\r\nTo: joe@tidemail.test, Bob <bob@tidemail.test>\r\nCc: carol@tidemail.test\r\nSubject: Hello\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nbody'),
    );
    assert.deepEqual(fields, {
      from: { name: 'Ann Example', address: 'ann@example.test' },
      to: [
        { name: '', address: 'joe@tidemail.test' },
        { name: 'Bob', address: 'bob@tidemail.test' },
        { name: '', address: 'carol@tidemail.test' },
      ],
      subject: 'Hello',
      dateMs: Date.UTC(2026, 10, 21, 10, 0, 0),
    });
  });

  it('decodes encoded words and raw UTF-8 in Subject, and takes the first of repeated fields', () => {
    const fields = parseListingFields(msg('Subject: =?UTF-8?B?SGVsbG8g8J+Mig==?=\r\nSubject: second\r\nFrom: first@x.test\r\nFrom: other@x.test\r\n\r\n'));
    assert.equal(fields.subject, 'Hello 🌊');
    assert.deepEqual(fields.from, { name: '', address: 'first@x.test' });
    assert.equal(parseListingFields(msg('Subject: Zoë\r\n\r\n')).subject, 'Zoë');
  });

  it('decodes non-ASCII display names, raw UTF-8 or encoded words, once', () => {
    const fields = parseListingFields(msg('From: =?ISO-8859-1?Q?J=F6rg?= <jorg@x.test>\r\nTo: Zoë <zoe@x.test>, =?UTF-8?Q?Bj=C3=B6rn?= <b@x.test>\r\n\r\n'));
    assert.deepEqual(fields.from, { name: 'Jörg', address: 'jorg@x.test' });
    assert.deepEqual(fields.to, [
      { name: 'Zoë', address: 'zoe@x.test' },
      { name: 'Björn', address: 'b@x.test' },
    ]);
  });

  it('ignores a trailing comment in Date and an unparseable Date', () => {
    assert.equal(parseListingFields(msg('Date: Sat, 21 Nov 2026 10:00:00 +0000 (UTC)\r\n\r\n')).dateMs, Date.UTC(2026, 10, 21, 10));
    assert.equal(parseListingFields(msg('Date: yesterday-ish\r\n\r\n')).dateMs, null);
  });

  it('lists the members of a group', () => {
    assert.deepEqual(parseAddressList('Team: a@x.test, B <b@x.test>;'), [
      { name: '', address: 'a@x.test' },
      { name: 'B', address: 'b@x.test' },
    ]);
  });

  it('gives empty fields for a message without headers, and only reads the top-level block', () => {
    assert.deepEqual(parseListingFields(msg('\r\nSubject: not a header\r\n')), { from: null, to: [], subject: '', dateMs: null });
    assert.deepEqual(parseListingFields(Buffer.alloc(0)), { from: null, to: [], subject: '', dateMs: null });
  });
});
