/**
 * The POP3 session core (src/pop3/session.ts) as transcripts, without a socket: the RFC 1939
 * states AUTHORIZATION → TRANSACTION → UPDATE, USER/PASS and AUTH PLAIN (RFC 5034) including the
 * SASL continuation, STLS (RFC 2595), the maildrop commands, the error count, and the effects the
 * shell carries out (login, retrieve, update, start-tls, close) with its reports back.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReply } from '../../src/pop3/replies.js';
import { Pop3Session, type Effect, type LoginOutcome, type SessionSettings, type Step } from '../../src/pop3/session.js';
import type { MailboxEntry } from '../../src/store/types.js';
import { Transcript, wireLines, type Output } from '../helpers/transcript.js';

const output = (step: Step): Output<Effect> => ({ lines: wireLines(Buffer.concat(step.replies.map(formatReply)).toString('utf8')), effects: step.effects });

const plain = (authzid: string, user: string, password: string): string => Buffer.from(`${authzid}\0${user}\0${password}`).toString('base64');

/** Three messages with store ids 11, 12 and 15 (ids need not be consecutive). */
const ENTRIES: MailboxEntry[] = [
  { id: 11, size: 100, receivedAtMs: 1, flags: [] },
  { id: 12, size: 250, receivedAtMs: 2, flags: ['seen'] },
  { id: 15, size: 50, receivedAtMs: 3, flags: [] },
];

function pop3(settings: Partial<SessionSettings> = {}): { session: Pop3Session; t: Transcript<Effect> } {
  const session = new Pop3Session({ hostname: 'pop.tidemail.test', maxErrors: 10, ...settings });
  const t = new Transcript<Effect>((line) => output(session.line(line)));
  t.take(output(session.greeting()));
  return { session, t };
}

/** A session logged in to `joe` with ENTRIES, the shell's login step played. */
async function transaction(): Promise<{ session: Pop3Session; t: Transcript<Effect> }> {
  const s = pop3();
  await s.t.play(`
    S: +OK pop.tidemail.test Tidemail POP3 server ready
    C: USER joe
    S: +OK Send PASS
    C: PASS secret
    E: login
  `);
  s.t.take(output(s.session.loginFinished({ kind: 'opened', inbox: 'joe', entries: ENTRIES })));
  await s.t.play('S: +OK joe has 3 messages (400 octets)');
  return s;
}

describe('POP3 session: AUTHORIZATION', () => {
  it('lists capabilities, STLS only while TLS is not active', async () => {
    const { session, t } = pop3();
    await t.play(`
      S: +OK pop.tidemail.test Tidemail POP3 server ready
      C: CAPA
      S: +OK Capability list follows
      S: TOP
      S: UIDL
      S: USER
      S: SASL PLAIN
      S: RESP-CODES
      S: AUTH-RESP-CODE
      S: PIPELINING
      S: STLS
      S: IMPLEMENTATION Tidemail
      S: .
      C: CAPA now
      S: -ERR CAPA takes no arguments
      C: STLS
      S: +OK Begin TLS negotiation
      E: start-tls
    `);
    session.tlsStarted();
    await t.play(`
      C: CAPA
      S: +OK Capability list follows
      S: TOP
      S: UIDL
      S: USER
      S: SASL PLAIN
      S: RESP-CODES
      S: AUTH-RESP-CODE
      S: PIPELINING
      S: IMPLEMENTATION Tidemail
      S: .
      C: STLS
      S: -ERR TLS already active
    `);
  });

  it('refuses TRANSACTION commands and unknown verbs before login', async () => {
    const { t } = pop3();
    await t.play(`
      S: +OK …
      C: STAT
      S: -ERR STAT is not allowed in the AUTHORIZATION state
      C: RETR 1
      S: -ERR RETR is not allowed in the AUTHORIZATION state
      C: DELE 1
      S: -ERR DELE is not allowed in the AUTHORIZATION state
      C: APOP joe 0123456789abcdef
      S: -ERR Unknown command
      C: PASS secret
      S: -ERR Send USER first
      C: USER
      S: -ERR USER needs a user name: an inbox name or an email address
    `);
  });

  it('USER/PASS asks the shell to log in; PASS keeps spaces; a refusal forgets the user', async () => {
    const { session, t } = pop3();
    await t.play(`
      S: +OK …
      C: USER Joe@Example.test
      S: +OK Send PASS
      C: PASS correct horse battery
      E: login
    `);
    assert.deepEqual(t.last('login'), { kind: 'login', user: 'Joe@Example.test', password: 'correct horse battery' });
    const refusals: Array<[LoginOutcome, string]> = [
      [{ kind: 'refused', reason: 'bad-user' }, '-ERR [AUTH] That user name names no inbox'],
      [{ kind: 'refused', reason: 'bad-credentials' }, '-ERR [AUTH] Invalid user name or password'],
      [{ kind: 'in-use' }, '-ERR [IN-USE] Maildrop already locked by another session; try again later'],
      [{ kind: 'unavailable' }, '-ERR [SYS/TEMP] Maildrop temporarily unavailable; try again later'],
    ];
    for (const [outcome, reply] of refusals) {
      t.take(output(session.loginFinished(outcome)));
      await t.play(`
        S: ${reply}
        C: PASS again
        S: -ERR Send USER first
        C: USER joe
        S: +OK Send PASS
        C: PASS x
        E: login
      `);
    }
    assert.equal(session.state, 'AUTHORIZATION');
  });

  it('AUTH PLAIN with an initial response, or after "+ " where the next line is the SASL response', async () => {
    const { session, t } = pop3({ maxErrors: 100 });
    await t.play(`
      S: +OK …
      C: AUTH
      S: +OK SASL mechanisms follow
      S: PLAIN
      S: .
      C: AUTH CRAM-MD5
      S: -ERR Unsupported SASL mechanism; use PLAIN
      C: AUTH PLAIN a b
      S: -ERR Usage: AUTH PLAIN [initial-response]
      C: AUTH PLAIN not*base64
      S: -ERR Malformed AUTH PLAIN response: not base64
      C: AUTH PLAIN =
      S: -ERR Malformed AUTH PLAIN response: empty response
      C: AUTH PLAIN ${Buffer.from('no separators').toString('base64')}
      S: -ERR Malformed AUTH PLAIN response: expected authzid NUL authcid NUL password
      C: AUTH PLAIN ${plain('mallory', 'joe', 'pw')}
      S: -ERR Malformed AUTH PLAIN response: authorization identity must be empty or equal the user
      C: AUTH PLAIN
      S: + 
      C: *
      S: -ERR AUTH cancelled
      C: auth plain
      S: + 
      C: STAT
      S: -ERR Malformed AUTH PLAIN response: expected authzid NUL authcid NUL password
      C: STAT
      S: -ERR STAT is not allowed in the AUTHORIZATION state
      C: AUTH PLAIN
      S: + 
      C: ${plain('joe', 'joe', 'pass word')}
      E: login
    `);
    assert.deepEqual(t.last('login'), { kind: 'login', user: 'joe', password: 'pass word' });
    t.take(output(session.loginFinished({ kind: 'opened', inbox: 'joe', entries: [ENTRIES[0]!] })));
    await t.play(`
      S: +OK joe has 1 message (100 octets)
      C: AUTH PLAIN
      S: -ERR AUTH is not allowed in the TRANSACTION state
    `);
    const initial = pop3();
    await initial.t.play(`
      S: +OK …
      C: AUTH PLAIN ${plain('', 'ann', 'x')}
      E: login
    `);
    assert.equal(initial.t.last('login').user, 'ann');
  });

  it('a framing error while waiting for the SASL response cancels the exchange', async () => {
    const { session, t } = pop3();
    await t.play(`
      S: +OK …
      C: AUTH PLAIN
      S: + 
    `);
    assert.equal(session.state, 'SASL', 'the next line is a SASL response, not a command');
    t.take(output(session.lineError('too-long')));
    assert.equal(session.state, 'AUTHORIZATION');
    await t.play(`
      S: -ERR Command line too long (RFC 2449 allows 255 octets)
      C: STAT
      S: -ERR STAT is not allowed in the AUTHORIZATION state
    `);
  });

  it('QUIT before login signs off and closes, deleting nothing', async () => {
    const { session, t } = pop3();
    await t.play(`
      S: +OK …
      C: QUIT
      S: +OK Tidemail POP3 server signing off
      E: close
    `);
    assert.equal(session.state, 'CLOSED');
  });
});

describe('POP3 session: TRANSACTION', () => {
  it('STAT, LIST and UIDL describe the snapshot; UIDL gives the store ids', async () => {
    const { t } = await transaction();
    await t.play(`
      C: STAT
      S: +OK 3 400
      C: LIST
      S: +OK 3 messages (400 octets)
      S: 1 100
      S: 2 250
      S: 3 50
      S: .
      C: LIST 2
      S: +OK 2 250
      C: UIDL
      S: +OK 3 messages (400 octets)
      S: 1 11
      S: 2 12
      S: 3 15
      S: .
      C: UIDL 3
      S: +OK 3 15
      C: NOOP
      S: +OK
      C: USER joe
      S: -ERR USER is not allowed in the TRANSACTION state
      C: STLS
      S: -ERR STLS is not allowed in the TRANSACTION state
    `);
  });

  it('answers every malformed or impossible message reference with -ERR', async () => {
    const { t } = await transaction();
    await t.play(`
      C: RETR
      S: -ERR Usage: RETR message-number
      C: RETR x
      S: -ERR "x" is not a message number
      C: RETR -1
      S: -ERR "-1" is not a message number
      C: RETR 0
      S: -ERR No such message: 0
      C: RETR 4
      S: -ERR No such message: 4
      C: LIST 1 2
      S: -ERR Usage: LIST [message-number]
      C: TOP 1
      S: -ERR Usage: TOP message-number lines
      C: TOP 1 -1
      S: -ERR "-1" is not a line count
      C: DELE 99999999999
      S: -ERR "99999999999" is not a message number
    `);
  });

  it('RETR and TOP ask the shell for the bytes; RETR marks seen, TOP does not; the reply is dot-stuffed', async () => {
    const { session, t } = await transaction();
    const raw = Buffer.from('Subject: hi\r\n\r\n.leading dot\r\nline two\r\nline three\r\n');
    await t.play(`
      C: RETR 2
      E: retrieve
    `);
    const retr = t.last('retrieve');
    assert.deepEqual(retr, { kind: 'retrieve', id: 12, number: 2, markSeen: true, bodyLines: null });
    t.take(output(session.retrieved(retr, { kind: 'read', raw })));
    await t.play(`
      S: +OK ${raw.length} octets
      S: Subject: hi
      S:
      S: ..leading dot
      S: line two
      S: line three
      S: .
      C: TOP 2 1
      E: retrieve
    `);
    const top = t.last('retrieve');
    assert.deepEqual(top, { kind: 'retrieve', id: 12, number: 2, markSeen: false, bodyLines: 1 });
    t.take(output(session.retrieved(top, { kind: 'read', raw })));
    await t.play(`
      S: +OK Top of message follows
      S: Subject: hi
      S:
      S: ..leading dot
      S: .
    `);
    t.take(output(session.retrieved(top, { kind: 'gone' })));
    t.take(output(session.retrieved(retr, { kind: 'failed' })));
    await t.play(`
      S: -ERR [SYS/PERM] Message 2 is no longer available
      S: -ERR [SYS/TEMP] Could not read message 2; try again later
    `);
  });

  it('DELE only marks, RSET unmarks, and QUIT applies the marks in UPDATE', async () => {
    const { session, t } = await transaction();
    await t.play(`
      C: DELE 1
      S: +OK Message 1 deleted
      C: DELE 1
      S: -ERR Message 1 is deleted
      C: RETR 1
      S: -ERR Message 1 is deleted
      C: STAT
      S: +OK 2 300
      C: LIST
      S: +OK 2 messages (300 octets)
      S: 2 250
      S: 3 50
      S: .
      C: RSET
      S: +OK Maildrop has 3 messages (400 octets)
      C: DELE 3
      S: +OK Message 3 deleted
      C: DELE 2
      S: +OK Message 2 deleted
      C: QUIT
      E: update
    `);
    assert.equal(session.state, 'UPDATE');
    assert.deepEqual(t.last('update').ids, [12, 15], 'in message-number order');
    t.take(output(session.updated({ kind: 'done', deleted: 2 })));
    await t.play(`
      S: +OK Tidemail POP3 server signing off (2 messages deleted)
      E: close
    `);
    assert.equal(session.state, 'CLOSED');
  });

  it('QUIT with nothing marked signs off at once; a failed update says so', async () => {
    const none = await transaction();
    await none.t.play(`
      C: QUIT
      S: +OK Tidemail POP3 server signing off (0 messages deleted)
      E: close
    `);
    const failing = await transaction();
    await failing.t.play(`
      C: DELE 1
      S: +OK …
      C: QUIT
      E: update
    `);
    failing.t.take(output(failing.session.updated({ kind: 'failed' })));
    await failing.t.play(`
      S: -ERR [SYS/TEMP] Some deleted messages not removed
      E: close
    `);
  });

  it('a timeout closes without a response and without UPDATE; a shutdown says nothing was deleted', async () => {
    const idle = await transaction();
    await idle.t.play(`
      C: DELE 1
      S: +OK Message 1 deleted
    `);
    idle.t.take(output(idle.session.timedOut()));
    await idle.t.play('E: close');
    const down = await transaction();
    await down.t.play(`
      C: DELE 1
      S: +OK Message 1 deleted
    `);
    down.t.take(output(down.session.shuttingDown()));
    await down.t.play(`
      S: -ERR [SYS/TEMP] Server shutting down; no messages were deleted
      E: close
    `);
  });
});

describe('POP3 session: limits', () => {
  it('refuses lines over 255 octets except AUTH, and counts framing errors', async () => {
    const { session, t } = pop3();
    await t.play(`
      S: +OK …
      C: USER ${'a'.repeat(300)}
      S: -ERR Command line too long (RFC 2449 allows 255 octets)
      C: AUTH PLAIN ${plain('', 'joe', 'p'.repeat(250))}
      E: login
    `);
    t.take(output(session.lineError('bare-newline')));
    t.take(output(session.lineError('bad-utf8')));
    await t.play(`
      S: -ERR Bare CR or LF not allowed; end lines with CRLF
      S: -ERR Command is not valid UTF-8
    `);
    assert.equal(session.errors, 3);
  });

  it('closes after maxErrors -ERR replies, failed logins included', async () => {
    const { session, t } = pop3({ maxErrors: 3 });
    await t.play(`
      S: +OK …
      C: BOGUS
      S: -ERR Unknown command
      C: USER joe
      S: +OK Send PASS
      C: PASS x
      E: login
    `);
    t.take(output(session.loginFinished({ kind: 'in-use' })));
    await t.play(`
      S: -ERR [IN-USE] …
      C: BOGUS
      S: -ERR Unknown command
      S: -ERR Too many errors, closing connection
      E: close
    `);
    assert.equal(session.state, 'CLOSED');
  });
});
