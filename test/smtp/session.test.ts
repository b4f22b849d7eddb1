/**
 * The SMTP session core (src/smtp/session.ts) as transcripts, without a socket: command
 * sequencing (RFC 5321 §4.1.4), syntax, limits, the error count that ends a session, and the
 * effects the shell is asked to carry out (DATA mode, STARTTLS, close). The socket shell, the
 * DATA scanner and real clients are covered by the other files here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecipientRouter } from '../../src/delivery/router.js';
import type { SmtpTranscript } from '../../src/mail/model.js';
import { formatReply } from '../../src/smtp/replies.js';
import { SmtpSession, type Effect, type SessionSettings, type Step } from '../../src/smtp/session.js';
import { Transcript, wireLines, type Output } from '../helpers/transcript.js';

const output = (step: Step): Output<Effect> => ({ lines: wireLines(step.replies.map(formatReply).join('')), effects: step.effects });

function smtp(settings: Partial<SessionSettings> = {}): { session: SmtpSession; t: Transcript<Effect> } {
  const session = new SmtpSession({
    hostname: 'mx.tidemail.test',
    maxMessageBytes: 1000,
    maxRecipients: 3,
    maxErrors: 10,
    router: new RecipientRouter({ domains: ['tidemail.test', 'other.test'] }),
    ...settings,
  }, { remoteAddress: '192.0.2.7' });
  const t = new Transcript<Effect>((line) => output(session.command(line)));
  t.take(output(session.greeting()));
  return { session, t };
}

/** A session past EHLO, greeting checked. */
async function ready(settings: Partial<SessionSettings> = {}): Promise<{ session: SmtpSession; t: Transcript<Effect> }> {
  const s = smtp(settings);
  await s.t.play(`
    S: 220 mx.tidemail.test ESMTP Tidemail ready
    C: HELO client.test
    S: 250 mx.tidemail.test greets client.test
  `);
  return s;
}

describe('SMTP session: greeting and EHLO', () => {
  it('greets with 220 and lists the extensions, STARTTLS only while TLS is not active', async () => {
    const { session, t } = smtp();
    await t.play(`
      S: 220 mx.tidemail.test ESMTP Tidemail ready
      C: EHLO client.test
      S: 250-mx.tidemail.test greets client.test
      S: 250-PIPELINING
      S: 250-SIZE 1000
      S: 250-8BITMIME
      S: 250-SMTPUTF8
      S: 250-ENHANCEDSTATUSCODES
      S: 250-STARTTLS
      S: 250 HELP
      C: STARTTLS
      S: 220 2.0.0 Ready to start TLS
      E: start-tls
    `);
    session.tlsStarted();
    // RFC 3207 §4.2: after the handshake the client starts over, and STARTTLS is not offered again.
    await t.play(`
      C: MAIL FROM:<a@b.test>
      S: 503 5.5.1 Send EHLO or HELO first
      C: EHLO client.test
      S: 250-mx.tidemail.test greets client.test
      S: 250-PIPELINING
      S: 250-SIZE 1000
      S: 250-8BITMIME
      S: 250-SMTPUTF8
      S: 250-ENHANCEDSTATUSCODES
      S: 250 HELP
      C: STARTTLS
      S: 503 5.5.1 TLS already active
    `);
    const spaced = await ready();
    await spaced.t.play(`
      C: STARTTLS now
      S: 501 5.5.4 STARTTLS takes no arguments
    `);
  });

  it('needs exactly one domain after EHLO and HELO', async () => {
    const { t } = smtp();
    await t.play(`
      S: 220 …
      C: EHLO
      S: 501 5.5.4 EHLO needs exactly one domain or address literal
      C: HELO two words
      S: 501 5.5.4 HELO needs exactly one domain or address literal
      C: helo [127.0.0.1]
      S: 250 mx.tidemail.test greets [127.0.0.1]
    `);
  });

  it('answers NOOP, HELP, VRFY and unknown verbs in any open state', async () => {
    const { t } = smtp();
    await t.play(`
      S: 220 …
      C: NOOP
      S: 250 2.0.0 OK
      C: HELP
      S: 214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT HELP VRFY STARTTLS
      C: VRFY joe
      S: 252 2.5.0 Cannot VRFY user, but will accept message for any address
      C: VRFY
      S: 501 5.5.4 VRFY needs an argument
      C: EXPN staff
      S: 500 5.5.2 Command not recognized
      C: RSET
      S: 250 2.0.0 Reset
      C: RSET now
      S: 501 5.5.4 RSET takes no arguments
    `);
  });
});

describe('SMTP session: sequencing', () => {
  it('answers 503 5.5.1 for each command out of sequence, and RSET/EHLO end a transaction', async () => {
    const { t } = smtp({ maxErrors: 100 });
    await t.play(`
      S: 220 …
      C: MAIL FROM:<a@b.test>
      S: 503 5.5.1 Send EHLO or HELO first
      C: RCPT TO:<joe@tidemail.test>
      S: 503 5.5.1 Bad sequence of commands
      C: DATA
      S: 503 5.5.1 Send EHLO or HELO first
      C: STARTTLS
      S: 503 5.5.1 Send EHLO or HELO first
      C: HELO c.test
      S: 250 …
      C: RCPT TO:<joe@tidemail.test>
      S: 503 5.5.1 Bad sequence of commands
      C: DATA
      S: 503 5.5.1 Need RCPT before DATA
      C: MAIL FROM:<a@b.test>
      S: 250 2.1.0 Sender OK
      C: MAIL FROM:<a@b.test>
      S: 503 5.5.1 Sender already specified
      C: DATA
      S: 503 5.5.1 Need RCPT before DATA
      C: STARTTLS
      S: 503 5.5.1 …
      C: RSET
      S: 250 2.0.0 Reset
      C: RCPT TO:<joe@tidemail.test>
      S: 503 5.5.1 Bad sequence of commands
      C: MAIL FROM:<a@b.test>
      S: 250 2.1.0 Sender OK
      C: RCPT TO:<joe@tidemail.test>
      S: 250 2.1.5 Recipient OK
      C: EHLO again.test
      S: 250-mx.tidemail.test greets again.test
      S: 250-…
      S: 250-…
      S: 250-…
      S: 250-…
      S: 250-…
      S: 250-STARTTLS
      S: 250 HELP
      C: DATA
      S: 503 5.5.1 Need RCPT before DATA
    `);
  });

  it('runs a transaction: DATA asks for data mode; a complete message is handed over with its envelope and trace; the outcome ends it', async () => {
    const { session, t } = await ready();
    await t.play(`
      C: MAIL FROM:<> BODY=8BITMIME SIZE=500
      S: 250 2.1.0 Sender OK
      C: RCPT TO:<Joe+signup@TideMail.test>
      S: 250 2.1.5 Recipient OK
      C: RCPT TO:<ann@other.test>
      S: 250 2.1.5 Recipient OK
      C: DATA now
      S: 501 5.5.4 DATA takes no arguments
      C: DATA
      S: 354 End data with <CR><LF>.<CR><LF>
      E: start-data
    `);
    assert.equal(session.state, 'Data');
    const segments = [Buffer.from('Subject: hi\r\n\r\n'), Buffer.from('body\r\n')];
    const transcript: SmtpTranscript = { remoteAddress: '192.0.2.7', helo: 'client.test', tls: null, connectedAtMs: 0, lines: [], truncated: false };
    t.take(output(session.dataReceived({ outcome: 'complete', segments, bytes: 19, rest: Buffer.alloc(0) }, () => ({ queueId: 'Q1', transcript }))));
    await t.play('E: deliver');
    const { message, delayMs } = t.last('deliver');
    assert.equal(delayMs, 0);
    assert.deepEqual(message.trace, { helo: 'client.test', remoteAddress: '192.0.2.7', hostname: 'mx.tidemail.test', esmtp: false, tls: false, smtputf8: false, id: 'Q1' });
    assert.deepEqual(message.envelope, { mailFrom: '', rcptTo: ['Joe+signup@tidemail.test', 'ann@other.test'], remoteAddress: '192.0.2.7', helo: 'client.test', tls: false });
    assert.deepEqual(message.inboxes, ['joe', 'ann']);
    assert.equal(message.segments, segments, 'the received slices, not a copy');
    assert.equal(message.transcript, transcript);
    t.take(output(session.dataFinished({ kind: 'stored', queueId: 'Q1' })));
    await t.play(`
      S: 250 2.0.0 OK: queued as Q1
      C: RCPT TO:<joe@tidemail.test>
      S: 503 5.5.1 Bad sequence of commands
      C: MAIL FROM:<next@b.test>
      S: 250 2.1.0 Sender OK
    `);
  });

  it('reports each way DATA can end, and the session goes on', async () => {
    const refused = (outcome: 'too-big' | 'bare-newline') => (session: SmtpSession) => session.dataReceived({ outcome, segments: [], bytes: 0, rest: Buffer.alloc(0) }, () => assert.fail('nothing is handed over'));
    const finishes: Array<[(session: SmtpSession) => Step, string]> = [
      [refused('too-big'), '552 5.3.4 Message exceeds fixed maximum of 1000 bytes'],
      [refused('bare-newline'), '550 5.5.2 Message refused: bare CR or LF in data; end lines with CRLF'],
      [(session) => session.dataFinished({ kind: 'store-failed' }), '451 4.3.0 Temporary failure storing the message; try again later'],
    ];
    for (const [finish, reply] of finishes) {
      const { session, t } = await ready();
      await t.play(`
        C: MAIL FROM:<a@b.test>
        S: 250 …
        C: RCPT TO:<joe@tidemail.test>
        S: 250 …
        C: DATA
        S: 354 …
        E: start-data
      `);
      t.take(output(finish(session)));
      await t.play(`
        S: ${reply}
        C: NOOP
        S: 250 2.0.0 OK
        C: MAIL FROM:<a@b.test>
        S: 250 2.1.0 Sender OK
      `);
    }
  });

  it('QUIT says 221 and asks the shell to close; nothing is answered after it', async () => {
    const { session, t } = await ready();
    await t.play(`
      C: QUIT
      S: 221 2.0.0 Bye
      E: close
      C: NOOP
      S: 503 5.5.1 Bad sequence of commands
    `);
    assert.equal(session.state, 'Closed');
  });

  it('an idle timeout and a shutdown end the session with 421 and a close', async () => {
    const idle = await ready();
    idle.t.take(output(idle.session.timedOut()));
    await idle.t.play(`
      S: 421 4.4.2 Idle timeout, closing connection
      E: close
    `);
    const down = await ready();
    down.t.take(output(down.session.shuttingDown()));
    await down.t.play(`
      S: 421 4.3.2 Service shutting down
      E: close
    `);
  });
});

describe('SMTP session: arguments and limits', () => {
  it('checks the MAIL path and its parameters', async () => {
    const { t } = await ready({ maxErrors: 100 });
    await t.play(`
      C: MAIL TO:<a@b.test>
      S: 501 5.1.7 Bad address syntax: expected FROM:<address>
      C: MAIL FROM:a@b.test
      S: 501 5.1.7 Bad address syntax: address must be enclosed in <>
      C: MAIL FROM:<a@b.test
      S: 501 5.1.7 Bad address syntax: missing closing >
      C: MAIL FROM:<a@b.test>junk
      S: 501 5.1.7 Bad address syntax: junk after address
      C: MAIL FROM:<no-at-sign>
      S: 501 5.1.7 Bad address syntax: address must be local@domain
      C: MAIL FROM:<a@b.test> SIZE=lots
      S: 501 5.5.4 SIZE needs a number
      C: MAIL FROM:<a@b.test> SIZE=1001
      S: 552 5.3.4 Message size exceeds fixed maximum of 1000 bytes
      C: MAIL FROM:<a@b.test> BODY=BINARYMIME
      S: 555 5.5.4 Parameter BODY=BINARYMIME not supported
      C: MAIL FROM:<a@b.test> AUTH=<>
      S: 555 5.5.4 Parameter AUTH not supported
      C: MAIL FROM:<jörg@b.test>
      S: 553 5.6.7 Non-ASCII address requires the SMTPUTF8 parameter
      C: MAIL FROM: <@relay.test:a@b.test> SIZE=1000
      S: 250 2.1.0 Sender OK
    `);
  });

  it('checks recipients: syntax, domains, inbox names, SMTPUTF8, the recipient cap', async () => {
    const { session, t } = await ready();
    await t.play(`
      C: MAIL FROM:<a@b.test>
      S: 250 …
      C: RCPT TO:<>
      S: 501 5.1.3 Bad recipient address syntax: a recipient cannot be <>
      C: RCPT TO:<x@tidemail.test> NOTIFY=NEVER
      S: 555 5.5.4 Parameter NOTIFY not supported
      C: RCPT TO:<x@elsewhere.test>
      S: 550 5.7.1 Relaying denied: we do not accept mail for that domain
      C: RCPT TO:<a/b@tidemail.test>
      S: 550 5.1.3 That local part names no inbox we can deliver to
      C: RCPT TO:<jörg@tidemail.test>
      S: 553 5.6.7 Non-ASCII address requires the SMTPUTF8 parameter
      C: RCPT TO:<Postmaster>
      S: 250 2.1.5 Recipient OK
      C: RCPT TO:<one@tidemail.test>
      S: 250 2.1.5 Recipient OK
      C: RCPT TO:<two@other.test>
      S: 250 2.1.5 Recipient OK
      C: RCPT TO:<three@tidemail.test>
      S: 452 4.5.3 Too many recipients
    `);
    assert.deepEqual(session.transaction?.recipients.map((r) => r.inbox), ['postmaster', 'one', 'two']);
    const utf8 = await ready();
    await utf8.t.play(`
      C: MAIL FROM:<jörg@b.test> SMTPUTF8
      S: 250 2.1.0 Sender OK
      C: RCPT TO:<Jörg@tidemail.test>
      S: 250 2.1.5 Recipient OK
    `);
    assert.equal(utf8.session.transaction?.recipients[0]?.inbox, 'jörg');
  });

  it('counts 5xx replies and framing errors, and closes with 421 4.7.0 at the limit', async () => {
    const { session, t } = await ready({ maxErrors: 4 });
    await t.play(`
      C: BOGUS
      S: 500 5.5.2 Command not recognized
      C: NOOP
      S: 250 2.0.0 OK
      C: RCPT TO:<x@tidemail.test>
      S: 503 5.5.1 Bad sequence of commands
      C: MAIL FROM:<a@b.test>
      S: 250 …
      C: RCPT TO:<three@tidemail.test>
      S: 250 …
      C: RCPT TO:<x@elsewhere.test>
      S: 550 5.7.1 …
    `);
    t.take(output(session.lineError('too-long')));
    await t.play(`
      S: 500 5.5.2 Line too long
      S: 421 4.7.0 Too many errors, closing connection
      E: close
    `);
    assert.equal(session.state, 'Closed');
    assert.equal(session.transaction, null, 'the transaction in progress is dropped');
  });

  it('names each framing error, and a refused DATA counts too', async () => {
    const { session, t } = await ready({ maxErrors: 3 });
    t.take(output(session.lineError('bare-newline')));
    t.take(output(session.lineError('bad-utf8')));
    await t.play(`
      S: 500 5.5.2 Bare CR or LF not allowed; end lines with CRLF
      S: 500 5.5.2 Command is not valid UTF-8
      C: MAIL FROM:<a@b.test>
      S: 250 …
      C: RCPT TO:<joe@tidemail.test>
      S: 250 …
      C: DATA
      S: 354 …
      E: start-data
    `);
    t.take(output(session.dataFinished({ kind: 'too-big' })));
    await t.play(`
      S: 552 5.3.4 Message exceeds fixed maximum of 1000 bytes
      S: 421 4.7.0 Too many errors, closing connection
      E: close
    `);
  });
});
