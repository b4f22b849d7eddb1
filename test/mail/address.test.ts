/**
 * Mailbox syntax (RFC 5321 §4.1.2, RFC 6531) and inbox naming (src/mail/address.ts): which
 * addresses are accepted, how they are normalised, and which inbox a local part lands in.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inboxFor, inboxFromUserInput, isInboxName, parseMailbox } from '../../src/mail/address.js';

describe('parseMailbox', () => {
  it('lower-cases the domain and keeps the local part as written', () => {
    assert.deepEqual(parseMailbox('Joe.Bloggs+news@Example.TEST'), {
      ok: true,
      mailbox: { localPart: 'Joe.Bloggs+news', domain: 'example.test', address: 'Joe.Bloggs+news@example.test' },
    });
  });

  it('unquotes a quoted local part and keeps address literals', () => {
    const quoted = parseMailbox('"john \\"j\\" doe"@example.test');
    assert.ok(quoted.ok);
    assert.equal(quoted.mailbox.localPart, 'john "j" doe');
    assert.equal(quoted.mailbox.address, '"john \\"j\\" doe"@example.test');
    const literal = parseMailbox('joe@[192.0.2.1]');
    assert.ok(literal.ok);
    assert.equal(literal.mailbox.domain, '[192.0.2.1]');
    assert.ok(parseMailbox('joe@[IPv6:2001:db8::1]').ok);
  });

  it('accepts UTF-8 local parts and domains (RFC 6531 §3.3)', () => {
    const parsed = parseMailbox('jörg@bücher.test');
    assert.ok(parsed.ok);
    assert.equal(parsed.mailbox.localPart, 'jörg');
    assert.equal(parsed.mailbox.domain, 'bücher.test');
  });

  it('refuses malformed addresses with a reason', () => {
    const cases: Array<[string, string]> = [
      ['no-at-sign', 'address must be local@domain'],
      ['@example.test', 'address must be local@domain'],
      ['joe@', 'address must be local@domain'],
      ['jo..e@example.test', 'malformed local part'],
      ['.joe@example.test', 'malformed local part'],
      ['jo e@example.test', 'malformed local part'],
      ['"unterminated@example.test', 'malformed quoted local part'],
      ['joe@-bad-.test', 'malformed domain'],
      ['joe@exa_mple.test', 'malformed domain'],
      ['joe@[300.1.1]', 'malformed domain'],
      [`${'a'.repeat(65)}@example.test`, 'local part longer than 64 octets'],
      [`joe@${'a'.repeat(250)}.test`, 'path too long'],
    ];
    for (const [text, reason] of cases) assert.deepEqual(parseMailbox(text), { ok: false, reason }, text);
  });

  it('counts limits in octets, not characters (RFC 5321 §4.5.3.1.1)', () => {
    assert.ok(parseMailbox(`${'a'.repeat(64)}@example.test`).ok);
    // 32 two-octet characters are 64 octets; 33 are 66.
    assert.ok(parseMailbox(`${'ü'.repeat(32)}@example.test`).ok);
    assert.deepEqual(parseMailbox(`${'ü'.repeat(33)}@example.test`), { ok: false, reason: 'local part longer than 64 octets' });
  });
});

describe('inbox names', () => {
  it('inboxFor lower-cases and drops the +tag', () => {
    assert.equal(inboxFor('Joe'), 'joe');
    assert.equal(inboxFor('Joe+signup'), 'joe');
    assert.equal(inboxFor('joe+a+b'), 'joe');
    assert.equal(inboxFor('first.last'), 'first.last');
    assert.equal(inboxFor('Jörg'), 'jörg');
  });

  it('inboxFor refuses what would be ambiguous in URLs and user names', () => {
    for (const local of ['', '+tag', 'a/b', 'a b', 'a..b', '.a', 'a.']) assert.equal(inboxFor(local), null, JSON.stringify(local));
  });

  it('isInboxName accepts only normalised names', () => {
    assert.ok(isInboxName('joe'));
    assert.ok(isInboxName("o'brien"));
    assert.ok(!isInboxName('Joe'), 'not lower-case');
    assert.ok(!isInboxName('joe+tag'), 'a tag is not part of a name');
    assert.ok(!isInboxName(''));
    assert.ok(!isInboxName('a'.repeat(65)));
  });

  it('inboxFromUserInput takes an inbox name or a full address, trimmed', () => {
    assert.equal(inboxFromUserInput('  joe  '), 'joe');
    assert.equal(inboxFromUserInput('Joe+x@Any.Domain'), 'joe');
    assert.equal(inboxFromUserInput('JOE'), 'joe');
    assert.equal(inboxFromUserInput('bad/name'), null);
    assert.equal(inboxFromUserInput('joe@'), null);
    assert.equal(inboxFromUserInput('a/b@example.test'), null);
  });
});
