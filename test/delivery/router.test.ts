/**
 * Where a recipient goes (src/delivery/router.ts): an inbox named after the local part for our
 * domains, a refusal for others (not an open relay), and `<postmaster>` always (RFC 5321 §4.1.1.3).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseMailbox, type Mailbox } from '../../src/mail/address.js';
import { RecipientRouter } from '../../src/delivery/router.js';

function mailbox(address: string): Mailbox {
  const parsed = parseMailbox(address);
  assert.ok(parsed.ok, address);
  return parsed.mailbox;
}

const barePostmaster: Mailbox = { localPart: 'postmaster', domain: '', address: 'postmaster' };

it('routes our domains to the inbox of the local part, lower-cased, +tag dropped', () => {
  const router = new RecipientRouter({ domains: ['tidemail.test', 'other.test'] });
  assert.deepEqual(router.route(mailbox('Joe+signup@TIDEMAIL.test')), { kind: 'inbox', inbox: 'joe' });
  assert.deepEqual(router.route(mailbox('joe@other.test')), { kind: 'inbox', inbox: 'joe' }, 'domains share inboxes');
  assert.deepEqual(router.route(mailbox('joe@elsewhere.test')), { kind: 'reject', reason: 'not-our-domain' });
  assert.deepEqual(router.route(mailbox('joe@sub.tidemail.test')), { kind: 'reject', reason: 'not-our-domain' }, 'no subdomains by implication');
});

it('refuses a local part that names no inbox', () => {
  const router = new RecipientRouter({ domains: [] });
  assert.deepEqual(router.route(mailbox('a/b@tidemail.test')), { kind: 'reject', reason: 'no-such-inbox' });
  assert.deepEqual(router.route(mailbox('+tag@tidemail.test')), { kind: 'reject', reason: 'no-such-inbox' });
});

it('accepts every domain when none is configured', () => {
  const router = new RecipientRouter({ domains: [] });
  assert.deepEqual(router.route(mailbox('ann@anything.example')), { kind: 'inbox', inbox: 'ann' });
});

it('always accepts a bare <postmaster>, but postmaster@ a foreign domain is relaying', () => {
  const router = new RecipientRouter({ domains: ['tidemail.test'] });
  assert.deepEqual(router.route(barePostmaster), { kind: 'inbox', inbox: 'postmaster' });
  assert.deepEqual(router.route({ ...barePostmaster, localPart: 'PostMaster' }), { kind: 'inbox', inbox: 'postmaster' });
  assert.deepEqual(router.route(mailbox('postmaster@elsewhere.test')), { kind: 'reject', reason: 'not-our-domain' });
});
