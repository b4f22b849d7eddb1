/** Who may open which inbox (src/auth/mailbox-auth.ts): today every inbox is public, by name or address. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { PublicInboxes, type MailboxAuthenticator } from '../../src/auth/mailbox-auth.js';

it('opens the inbox named by an inbox name or an address, with any password', async () => {
  const auth: MailboxAuthenticator = new PublicInboxes();
  assert.deepEqual(await auth.login('joe', ''), { ok: true, inbox: 'joe' });
  assert.deepEqual(await auth.login('Joe+news@Any.Domain', 'whatever'), { ok: true, inbox: 'joe' });
});

it('refuses a user name that names no inbox', async () => {
  const auth: MailboxAuthenticator = new PublicInboxes();
  for (const user of ['', 'bad/name', 'joe@', '+tag']) assert.deepEqual(await auth.login(user, 'x'), { ok: false, reason: 'bad-user' }, JSON.stringify(user));
});
