/**
 * The trace header prepended to every accepted message (src/mail/received.ts; RFC 5321 §4.4,
 * protocol names from RFC 3848 and RFC 6531 §3.7.3).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { receivedHeader, rfc5322Date, type TraceInfo } from '../../src/mail/received.js';

const DATE = new Date(Date.UTC(2026, 10, 21, 3, 39, 3));

function trace(overrides: Partial<TraceInfo> = {}): string {
  const info: TraceInfo = {
    helo: 'client.test',
    remoteAddress: '192.0.2.7',
    hostname: 'mx.tidemail.test',
    esmtp: true,
    tls: false,
    smtputf8: false,
    id: 'Q1',
    recipients: ['joe@tidemail.test'],
    date: DATE,
    ...overrides,
  };
  return receivedHeader(info).toString('utf8');
}

describe('Received header', () => {
  it('is one folded field: from, by, with, id, for, and the date', () => {
    assert.equal(
      trace(),
      'Received: from client.test ([192.0.2.7])\r\n\tby mx.tidemail.test (Tidemail) with ESMTP id Q1\r\n\tfor <joe@tidemail.test>;\r\n\tSat, 21 Nov 2026 03:39:03 +0000\r\n',
    );
  });

  it('names the protocol as RFC 3848 / RFC 6531 say', () => {
    const withClause = (overrides: Partial<TraceInfo>): string => /with (\S+) id/.exec(trace(overrides))![1]!;
    assert.equal(withClause({ esmtp: false }), 'SMTP');
    assert.equal(withClause({ esmtp: true }), 'ESMTP');
    assert.equal(withClause({ esmtp: true, tls: true }), 'ESMTPS');
    assert.equal(withClause({ smtputf8: true }), 'UTF8SMTP');
    assert.equal(withClause({ smtputf8: true, tls: true }), 'UTF8SMTPS');
  });

  it('writes IPv6 and IPv4-mapped addresses as address literals', () => {
    assert.match(trace({ remoteAddress: '::ffff:192.0.2.7' }), /^Received: from client\.test \(\[192\.0\.2\.7\]\)/);
    assert.match(trace({ remoteAddress: '2001:db8::1' }), /^Received: from client\.test \(\[IPv6:2001:db8::1\]\)/);
  });

  it('names the recipient only when there is exactly one, so others are not disclosed', () => {
    assert.doesNotMatch(trace({ recipients: ['a@tidemail.test', 'b@tidemail.test'] }), /for </);
    assert.doesNotMatch(trace({ recipients: [] }), /for </);
  });

  it('cannot be broken by what the client sent: controls and parentheses are stripped, length capped', () => {
    const header = trace({ helo: 'evil\r\nBcc: victim@x.test (comment)', recipients: ['a\r\n@tidemail.test'] });
    assert.equal(header.split('\r\n').length, 5, 'still four lines and a final CRLF');
    assert.match(header, /^Received: from evilBcc: victim@x\.test comment \(/);
    assert.match(header, /for <a@tidemail\.test>;/);
    assert.match(trace({ helo: '' }), /^Received: from unknown /);
    const long = /^Received: from (\S+) /.exec(trace({ helo: 'h'.repeat(1000) }))![1]!;
    assert.equal(long.length, 255);
  });

  it('dates in RFC 5322 §3.3 form, always +0000', () => {
    assert.equal(rfc5322Date(DATE), 'Sat, 21 Nov 2026 03:39:03 +0000');
  });
});
