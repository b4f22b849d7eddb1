/**
 * The one address parser (mail/headers.ts) that the listing, the API summaries, IMAP ENVELOPE
 * and SEARCH share: its fast path for common forms must give exactly what the RFC 5322 grammar
 * (email-addresses) gives, and the forms only the grammar reads (groups, comments, routes) come
 * out right in the listing too.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import emailAddresses from 'email-addresses';
import { parseAddressHeader, parseListingFields } from '../../src/mail/headers.js';

/** What the grammar alone says of a list of plain mailboxes: [name, local, domain] each. */
function grammar(text: string): Array<[string, string, string]> {
  const parsed = emailAddresses({ input: text, startAt: 'address-list', rfc6532: true });
  assert.ok(parsed, `the grammar accepts ${text}`);
  return parsed.addresses.map((a) => {
    assert.equal(a.type, 'mailbox');
    const m = a as emailAddresses.ParsedMailbox;
    return [m.name ?? '', m.local, m.domain];
  });
}

describe('address parsing', () => {
  it('reads common forms as the RFC 5322 grammar does', () => {
    const samples = [
      'sender@client.test',
      'Bench Sender <sender@client.test>',
      '  Mary   Smith  <mary@x.test> ',
      '"Doe, John" <john.doe@example.org>, Mary <mary@y.org>, bob@z.net',
      '"" <empty-name@example.org>',
      'J. R. R. Tolkien <jrr@shire.test>',
      '<bare@angle.test>',
      "o'brien+tag@sub.example.co.uk",
      'x@localhost',
    ];
    for (const text of samples) {
      const ours = parseAddressHeader(text).map((e) => {
        assert.equal(e.kind, 'mailbox');
        return e.kind === 'mailbox' ? [e.name, e.local, e.domain ?? ''] : [];
      });
      assert.deepEqual(ours, grammar(text), text);
    }
  });

  it('leaves comments out and keeps groups and routes (the grammar path)', () => {
    assert.deepEqual(parseAddressHeader('<user-from (comment)@ (comment) domain.org>'), [{ kind: 'mailbox', name: '', route: null, local: 'user-from', domain: 'domain.org' }]);
    assert.deepEqual(parseAddressHeader('Joe <@a.net,@b.net:joe@c.net>'), [{ kind: 'mailbox', name: 'Joe', route: '@a.net,@b.net', local: 'joe', domain: 'c.net' }]);
    assert.deepEqual(parseAddressHeader('team: a@x.test, B <b@y.test>;, undisclosed-recipients:;').map((e) => (e.kind === 'group' ? [e.name, e.members.map((m) => m.local)] : e.local)), [
      ['team', ['a', 'b']],
      ['undisclosed-recipients', []],
    ]);
    // Not RFC 5322 at all: the lenient fallback still shows what it can.
    assert.deepEqual(parseAddressHeader('Broken <<x@y.test>').map((e) => e.kind === 'mailbox' && `${e.local}@${e.domain}`), ['x@y.test']);
  });

  it('gives the listing (API summaries) the same addresses', () => {
    const raw = Buffer.from('From: <user-from (comment)@ (comment) domain.org>\r\nTo: group: g1@d1.org, g2@d2.org;\r\nCc: =?utf-8?q?J=C3=B6rg?= <jorg@example.test>\r\nSubject: s\r\n\r\nbody\r\n');
    const fields = parseListingFields(raw);
    assert.deepEqual(fields.from, { name: '', address: 'user-from@domain.org' });
    assert.deepEqual(fields.to, [
      { name: '', address: 'g1@d1.org' },
      { name: '', address: 'g2@d2.org' },
      { name: 'Jörg', address: 'jorg@example.test' },
    ]);
  });
});
