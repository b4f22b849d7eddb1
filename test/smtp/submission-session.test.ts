/**
 * The submission mode of the pure SMTP session (no socket): the SASL exchange is the `Auth`
 * state of the table (its lines are responses, never commands), the password check is an
 * effect whose verdict comes back through `authFinished`, and STARTTLS forgets the login.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { RecipientRouter } from '../../src/delivery/router.js';
import { SmtpSession } from '../../src/smtp/session.js';

function session(): SmtpSession {
  const s = new SmtpSession(
    { hostname: 'mx.test', maxMessageBytes: 10_000, maxRecipients: 5, maxErrors: 10, router: new RecipientRouter({ domains: ['ours.test'] }), submission: { allowInsecureAuth: true }, relayAvailable: true },
    { remoteAddress: '192.0.2.9' },
  );
  s.greeting();
  s.command('EHLO c.test');
  return s;
}

it('holds a LOGIN exchange as the Auth state, where even a verb is a SASL response', () => {
  const s = session();
  assert.equal(s.command('AUTH LOGIN').replies[0]!.code, 334);
  assert.equal(s.state, 'Auth');
  const mail = s.command('MAIL FROM:<a@ours.test>');
  assert.equal(mail.replies[0]!.code, 501, 'a command line is no base64: the exchange fails, the session goes on');
  assert.equal(s.state, 'Ready');
  s.command('AUTH LOGIN');
  assert.equal(s.command('QUIT').replies[0]!.code, 334, '"QUIT" is base64 for a user name: in Auth it is one, not a command');
  assert.equal(s.state, 'Auth');
  s.command('*');
  assert.equal(s.state, 'Ready');
  s.command('AUTH LOGIN');
  s.command(Buffer.from('app').toString('base64'));
  const check = s.command(Buffer.from('pw').toString('base64'));
  assert.deepEqual(check.effects, [{ kind: 'authenticate', user: 'app', password: 'pw' }]);
  assert.deepEqual(check.replies, [], 'no reply until the verdict');
  assert.equal(s.authFinished('app', { kind: 'ok' }).replies[0]!.code, 235);
  assert.equal(s.user, 'app');
});

it('lets only a logged-in session MAIL and relay, and forgets the login at STARTTLS', () => {
  const s = session();
  assert.equal(s.command('MAIL FROM:<a@ours.test>').replies[0]!.code, 530);
  s.command(`AUTH PLAIN ${Buffer.from('\0app\0pw').toString('base64')}`);
  s.authFinished('app', { kind: 'ok' });
  assert.equal(s.command('MAIL FROM:<a@ours.test>').replies[0]!.code, 250);
  assert.equal(s.command('RCPT TO:<x@far.example>').replies[0]!.code, 250);
  assert.deepEqual(s.transaction!.recipients[0]!.targets, [{ kind: 'relay', address: 'x@far.example' }]);
  s.command('RSET');
  s.command('STARTTLS');
  s.tlsStarted();
  assert.equal(s.user, null, 'RFC 3207 §4.2: the session starts over');
});

it('counts a 535 toward the errors, not a 454', () => {
  const s = session();
  s.command(`AUTH PLAIN ${Buffer.from('\0app\0no').toString('base64')}`);
  assert.equal(s.authFinished('app', { kind: 'invalid' }).replies[0]!.code, 535);
  assert.equal(s.errors, 1);
  s.command(`AUTH PLAIN ${Buffer.from('\0app\0no').toString('base64')}`);
  assert.equal(s.authFinished('app', { kind: 'throttled', retryAfterMs: 1500 }).replies[0]!.text, 'Too many failed logins from your address; try again in 2 seconds');
  assert.equal(s.errors, 1);
});
