/**
 * The session's pending-verdict state (src/smtp/session.ts, RcptPending), without a socket:
 * with a per-recipient target a RCPT the session accepted is answered only by the target's
 * verdict; without one (the store, `serve`) it is answered at once, with no effect to await.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecipientRouter } from '../../src/delivery/router.js';
import { formatReply, reply } from '../../src/smtp/replies.js';
import { SmtpSession, type SessionSettings, type Step } from '../../src/smtp/session.js';

function session(settings: Partial<SessionSettings> = {}): SmtpSession {
  const s = new SmtpSession(
    { hostname: 'mx.test', maxMessageBytes: 1000, maxRecipients: 3, maxErrors: 10, router: new RecipientRouter({ domains: [] }), ...settings },
    { remoteAddress: '192.0.2.7' },
  );
  s.greeting();
  s.command('EHLO client.test');
  return s;
}

const wire = (step: Step): string => step.replies.map(formatReply).join('');

describe('RCPT with a per-recipient target', () => {
  it('waits in RcptPending for the verdict, then answers with it', () => {
    const s = session({ targetVerdicts: true });
    assert.equal(wire(s.command('MAIL FROM:<a@example.test> SIZE=500 BODY=8BITMIME')), '250 2.1.0 Sender OK\r\n');
    assert.deepEqual({ declaredBytes: s.transaction!.declaredBytes, body: s.transaction!.body }, { declaredBytes: 500, body: '8BITMIME' });
    const asked = s.command('RCPT TO:<one@up.test>');
    assert.deepEqual(asked, { replies: [], effects: [{ kind: 'ask-target', recipient: 'one@up.test' }] });
    assert.equal(s.state, 'RcptPending');
    assert.match(wire(s.command('DATA')), /^503 5\.5\.1 /, 'no command is taken while the verdict is pending');
    const refused = s.recipientVerdict({ accepted: false, reply: reply(550, '5.1.1', 'upstream: No such user') });
    assert.equal(wire(refused), '550 5.1.1 upstream: No such user\r\n');
    assert.equal(s.state, 'Mail', 'back to Mail: no recipient yet');
    s.command('RCPT TO:<two@up.test>');
    assert.equal(wire(s.recipientVerdict({ accepted: true, reply: reply(250, '2.1.5', 'upstream: Ok') })), '250 2.1.5 upstream: Ok\r\n');
    assert.equal(s.state, 'Rcpt');
    assert.deepEqual(s.transaction!.recipients.map((r) => r.address), ['two@up.test']);
  });

  it("answers its own refusals at once: only what the session accepted is asked of the target", () => {
    const s = session({ targetVerdicts: true, maxRecipients: 1 });
    s.command('MAIL FROM:<a@example.test>');
    assert.equal(wire(s.command('RCPT TO:<not an address>')).slice(0, 3), '501');
    s.command('RCPT TO:<one@up.test>');
    s.recipientVerdict({ accepted: true, reply: reply(250, '2.1.5', 'upstream: Ok') });
    const tooMany = s.command('RCPT TO:<two@up.test>');
    assert.deepEqual(tooMany.effects, []);
    assert.equal(wire(tooMany), '452 4.5.3 Too many recipients\r\n');
  });

  it('ends DATA with the upstream\'s code and words after our queue id', () => {
    const s = session({ targetVerdicts: true });
    s.command('MAIL FROM:<a@example.test>');
    s.command('RCPT TO:<one@up.test>');
    s.recipientVerdict({ accepted: true, reply: reply(250, '2.1.5', 'upstream: Ok') });
    s.command('DATA');
    const done = s.dataFinished({ kind: 'stored', queueId: 'Q1', upstream: reply(250, '2.0.0', 'upstream: queued as U7') });
    assert.equal(wire(done), '250 2.0.0 OK: queued as Q1; upstream: queued as U7\r\n');
  });
});

describe('RCPT with the store as target (serve)', () => {
  it('is answered at once, with no effect to await', () => {
    const s = session();
    s.command('MAIL FROM:<a@example.test>');
    const step = s.command('RCPT TO:<one@up.test>');
    assert.deepEqual(step.effects, []);
    assert.equal(wire(step), '250 2.1.5 Recipient OK\r\n');
    assert.equal(s.state, 'Rcpt');
  });
});
