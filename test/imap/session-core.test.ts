/**
 * The IMAP session core (src/imap/session.ts) as transcripts, without a socket: the states of
 * RFC 3501 §3 (NotAuthenticated → Authenticated → Selected → Logout) and which commands each
 * allows, LOGIN and AUTHENTICATE PLAIN with its continuation, STARTTLS's effect, SELECT and
 * EXAMINE, STORE and EXPUNGE, changes made elsewhere reported on NOOP and pushed in IDLE, and the
 * error count that ends a session with BYE.
 *
 * The session runs against a real SqliteStore in a temporary directory and a real event bus;
 * lines are framed by the same InputBuffer and CommandFramer the shell uses. The socket shell
 * itself (timers, TLS, backpressure) is tested over sockets in session.test.ts and the others.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PublicInboxes } from '../../src/auth/mailbox-auth.js';
import { MemoryEventBus } from '../../src/events/bus.js';
import type { Effect, Sink } from '../../src/imap/command.js';
import { toBuffer } from '../../src/imap/format.js';
import { CommandFramer } from '../../src/imap/framing.js';
import { InProcessRecentClaims } from '../../src/imap/recent.js';
import { MessageCache } from '../../src/imap/message-cache.js';
import { Folders } from '../../src/imap/folders.js';
import { ImapSession, type SessionSettings } from '../../src/imap/session.js';
import { SqliteFolderRegistry } from '../../src/store/sqlite/folders.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import { InputBuffer } from '../../src/protocol/input.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { MessageId, Store } from '../../src/store/types.js';
import { Transcript, wireLines, type Output } from '../helpers/transcript.js';
import { appendShown } from '../store/conformance.js';

const LIMITS = { maxLineBytes: 200, maxLiteralBytes: 100, maxCommandBytes: 1000, maxAppendBytes: 500 };

let dir: string;
let store: SqliteStore;
let state: StateDatabase;
let folders: Folders;
/** The same store, its `append` resolving once the message is shown (test/store/conformance.ts). */
let shownStore: Store;
const events = new MemoryEventBus();

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidemail-imap-core-'));
  store = await SqliteStore.open({ path: join(dir, 'tidemail.db'), retention: { maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: 0 }, events });
  state = StateDatabase.inDataDir(dir);
  folders = new Folders(new SqliteFolderRegistry(state), store);
  shownStore = appendShown(store, events);
});
after(async () => {
  await store.close();
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

let inboxes = 0;
/** A fresh inbox name per test: tests share the store. */
const freshInbox = (): string => `core${++inboxes}`;

/** Append one message; resolves once it is visible, announced to every session (store/types.ts). */
async function deliver(inbox: string, subject: string): Promise<MessageId> {
  const raw = Buffer.from(`From: a@example.test\r\nSubject: ${subject}\r\n\r\nbody of ${subject}\r\n`);
  const [id] = await shownStore.append({
    raw,
    inboxes: [inbox],
    envelope: { mailFrom: 'a@example.test', rcptTo: [`${inbox}@tidemail.test`], remoteAddress: '127.0.0.1', helo: 'test', tls: false },
    receivedAtMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    from: { name: '', address: 'a@example.test' },
    to: [],
    subject,
    dateMs: null,
    transcript: { remoteAddress: '127.0.0.1', helo: 'test', tls: null, connectedAtMs: 0, lines: [], truncated: false },
  });
  return id!;
}

/** What the shell does with bytes: frame them, hand commands or continuation lines to the session. */
class Driver {
  private readonly input = new InputBuffer();
  private readonly framer = new CommandFramer(this.input, LIMITS);
  private out: string[] = [];
  private pushing: Promise<void> = Promise.resolve();
  readonly sink: Sink = {
    send: async (line) => {
      this.out.push(...wireLines(toBuffer([...(typeof line === 'string' ? [line] : line), '\r\n']).toString('utf8')));
    },
  };

  constructor(readonly session: ImapSession) {
    // As the shell does: a change while idling is pushed at once.
    session.onUpdate = () => {
      this.pushing = this.pushing.then(() => session.pushUpdates(this.sink));
    };
  }

  async line(text: string): Promise<Output<Effect>> {
    this.input.push(Buffer.from(`${text}\r\n`));
    const effects: Effect[] = [];
    for (;;) {
      if (this.session.awaitingLine) {
        const framed = this.input.readLine(LIMITS.maxLineBytes);
        if (!framed) break;
        effects.push(...(await this.session.continueWith(framed.kind === 'line' ? framed.line.toString('utf8') : '', this.sink)));
        continue;
      }
      const framed = this.framer.next();
      if (!framed) break;
      if (framed.kind === 'continue') await this.sink.send('+ Ready for literal data');
      else if (framed.kind === 'error') effects.push(...(await this.session.framingError(framed.tag, framed.text, framed.fatal, this.sink, framed.status)));
      else effects.push(...(await this.session.command(framed.command, this.sink)));
    }
    return this.drain(effects);
  }

  /** What was pushed while idling. */
  async pushed(): Promise<Output<Effect>> {
    await this.pushing;
    return this.drain([]);
  }

  drain(effects: Effect[]): Output<Effect> {
    const lines = this.out;
    this.out = [];
    return { lines, effects };
  }
}

function imap(settings: Partial<SessionSettings> = {}): { session: ImapSession; driver: Driver; t: Transcript<Effect> } {
  const session = new ImapSession(
    { hostname: 'imap.tidemail.test', maxErrors: 20, maxAppendBytes: 500, retentionMs: 0, ...settings },
    { store, events, auth: new PublicInboxes(), messages: new MessageCache(store), recent: new InProcessRecentClaims(), folders, now: Date.now },
  );
  const driver = new Driver(session);
  const t = new Transcript<Effect>((line) => driver.line(line));
  t.take({ lines: [session.greeting()], effects: [] });
  return { session, driver, t };
}

const CAPS = 'IMAP4rev1 LITERAL+ SASL-IR IDLE UIDPLUS UNSELECT MOVE SPECIAL-USE CHILDREN NAMESPACE APPENDLIMIT=500';

/**
 * Logged in to `inbox` (a fresh one) and INBOX selected, SELECT's responses checked loosely. The
 * first session to see a message holds its \Recent (RFC 3501 §2.3.2), so all `exists` are recent.
 */
async function selected(inbox: string, exists: number): Promise<ReturnType<typeof imap>> {
  const s = imap();
  await s.t.play(`
    S: * OK …
    C: a1 LOGIN ${inbox} x
    S: a1 OK …
    C: a2 SELECT INBOX
    S: * FLAGS …
    S: * OK [PERMANENTFLAGS …
    S: * ${exists} EXISTS
    S: * ${exists} RECENT
    S: * OK [UNSEEN 1] First unseen message
    S: * OK [UIDVALIDITY …
    S: * OK [UIDNEXT …
    S: a2 OK [READ-WRITE] SELECT completed
  `);
  assert.equal(s.session.state, 'Selected');
  return s;
}

const after0 = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('IMAP session: NotAuthenticated', () => {
  it('greets with its capabilities and allows only the any-state and login commands', async () => {
    const { t } = imap();
    await t.play(`
      S: * OK [CAPABILITY ${CAPS} STARTTLS AUTH=PLAIN] imap.tidemail.test Tidemail IMAP4rev1 ready
      C: a1 CAPABILITY
      S: * CAPABILITY ${CAPS} STARTTLS AUTH=PLAIN
      S: a1 OK CAPABILITY completed
      C: a2 NOOP
      S: a2 OK NOOP completed
      C: a3 SELECT INBOX
      S: a3 BAD SELECT is not allowed before LOGIN or AUTHENTICATE
      C: a4 FETCH 1 FLAGS
      S: a4 BAD FETCH is not allowed before LOGIN or AUTHENTICATE
      C: a5 IDLE
      S: a5 BAD IDLE is not allowed before LOGIN or AUTHENTICATE
      C: a6 FROBNICATE
      S: a6 BAD Unknown command FROBNICATE
      C: a7
      S: a7 BAD Missing command
      C: +bad NOOP
      S: * BAD Missing or invalid tag
      C: a8 NOOP extra
      S: a8 BAD …
    `);
  });

  it('LOGIN by inbox name or address enters Authenticated; a bad name is NO [AUTHENTICATIONFAILED]', async () => {
    const { session, t } = imap();
    await t.play(`
      S: * OK …
      C: a1 LOGIN "bad/name" x
      S: a1 NO [AUTHENTICATIONFAILED] Invalid user name: use an inbox name or an address
      C: a2 LOGIN States+tag@Any.Domain "a secret"
      S: a2 OK [CAPABILITY ${CAPS}] Logged in to inbox states
      C: a3 LOGIN states x
      S: a3 BAD LOGIN is not allowed once authenticated
      C: a4 AUTHENTICATE PLAIN
      S: a4 BAD AUTHENTICATE is not allowed once authenticated
      C: a5 STARTTLS
      S: a5 BAD STARTTLS is not allowed once authenticated
      C: a6 FETCH 1 FLAGS
      S: a6 BAD FETCH needs a selected mailbox (SELECT or EXAMINE first)
    `);
    assert.equal(session.state, 'Authenticated');
    assert.equal(session.inbox, 'states');
  });

  it('LOGIN takes its arguments as literals too, the synchronizing one after a continuation', async () => {
    const { session, t } = imap();
    await t.play(`
      S: * OK …
      C: a1 LOGIN {4}
      S: + Ready for literal data
      C: lit1 {2+}
      C: pw
      S: a1 OK [CAPABILITY ${CAPS}] Logged in to inbox lit1
    `);
    assert.equal(session.inbox, 'lit1');
  });

  it('AUTHENTICATE PLAIN with an initial response, after "+ ", or cancelled', async () => {
    const token = Buffer.from('\0joe\0pw').toString('base64');
    const ir = imap();
    await ir.t.play(`
      S: * OK …
      C: a1 AUTHENTICATE PLAIN ${token}
      S: a1 OK [CAPABILITY ${CAPS}] Logged in to inbox joe
    `);
    const continued = imap();
    await continued.t.play(`
      S: * OK …
      C: a1 AUTHENTICATE PLAIN
      S: +${' '}
    `);
    assert.equal(continued.session.state, 'Authenticating', 'the next line is the SASL response, not a command');
    await continued.t.play(`
      C: ${token}
      S: a1 OK [CAPABILITY ${CAPS}] Logged in to inbox joe
    `);
    assert.equal(continued.session.state, 'Authenticated');
    const refused = imap();
    await refused.t.play(`
      S: * OK …
      C: a1 AUTHENTICATE PLAIN
      S: +${' '}
      C: *
      S: a1 BAD AUTHENTICATE cancelled
      C: a2 AUTHENTICATE PLAIN
      S: +${' '}
      C: not base64!
      S: a2 BAD Invalid base64 in AUTHENTICATE response
      C: a3 AUTHENTICATE PLAIN ${Buffer.from('mallory\0joe\0pw').toString('base64')}
      S: a3 NO [AUTHORIZATIONFAILED] Acting as another user is not supported
      C: a4 AUTHENTICATE CRAM-MD5
      S: a4 NO [CANNOT] Mechanism CRAM-MD5 is not supported; use PLAIN
    `);
    assert.equal(refused.session.state, 'NotAuthenticated');
  });

  it('STARTTLS asks the shell to start TLS; afterwards it is neither offered nor allowed again', async () => {
    const { session, t } = imap();
    await t.play(`
      S: * OK …
      C: a1 STARTTLS
      S: a1 OK Begin TLS negotiation now
      E: start-tls
    `);
    session.tlsStarted();
    await t.play(`
      C: a2 CAPABILITY
      S: * CAPABILITY ${CAPS} AUTH=PLAIN
      S: a2 OK CAPABILITY completed
      C: a3 STARTTLS
      S: a3 BAD TLS is already active
    `);
  });
});

describe('IMAP session: Authenticated and Selected', () => {
  it('SELECT describes the mailbox; a failed SELECT leaves nothing selected', async () => {
    const inbox = freshInbox();
    const first = await deliver(inbox, 'one');
    await deliver(inbox, 'two');
    await store.setFlags([first], 'add', ['seen']);
    const { session, t } = imap();
    await t.play(`
      S: * OK …
      C: a1 LOGIN ${inbox} x
      S: a1 OK …
      C: a2 SELECT inbox
      S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)
      S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)] Keywords are accepted but not kept
      S: * 2 EXISTS
      S: * 2 RECENT
      S: * OK [UNSEEN 2] First unseen message
      S: * OK [UIDVALIDITY ${store.uidValidity()}] UIDs valid
      S: * OK [UIDNEXT ${first + 2}] Predicted next UID
      S: a2 OK [READ-WRITE] SELECT completed
      C: a3 FETCH 1:* (UID FLAGS)
      S: * 1 FETCH (UID ${first} FLAGS (\\Seen \\Recent))
      S: * 2 FETCH (UID ${first + 1} FLAGS (\\Recent))
      S: a3 OK FETCH completed
      C: a4 SELECT Other
      S: a4 NO [NONEXISTENT] No mailbox "Other"
      C: a5 FETCH 1 FLAGS
      S: a5 BAD FETCH needs a selected mailbox (SELECT or EXAMINE first)
    `);
    assert.equal(session.state, 'Authenticated');
  });

  it('STORE changes flags in the store; EXPUNGE removes \\Deleted; CLOSE returns to Authenticated', async () => {
    const inbox = freshInbox();
    const one = await deliver(inbox, 'one');
    const two = await deliver(inbox, 'two');
    await deliver(inbox, 'three');
    const { session, t } = await selected(inbox, 3);
    await t.play(`
      C: a3 STORE 1 +FLAGS (\\Deleted)
      S: * 1 FETCH (FLAGS (\\Deleted \\Recent))
      S: a3 OK STORE completed
      C: a4 UID STORE ${two} +FLAGS.SILENT (\\Seen \\Deleted)
      S: a4 OK UID STORE completed
      C: a5 EXPUNGE
      S: * 2 EXPUNGE
      S: * 1 EXPUNGE
      S: a5 OK EXPUNGE completed
      C: a6 FETCH 1 (FLAGS)
      S: * 1 FETCH (FLAGS (\\Recent))
      S: a6 OK FETCH completed
    `);
    assert.deepEqual((await store.mailbox(inbox)).map((m) => m.id), [two + 1]);
    assert.equal(await store.raw(one), null);
    await t.play(`
      C: a7 STORE 1 +FLAGS (\\Deleted)
      S: * 1 FETCH (FLAGS (\\Deleted \\Recent))
      S: a7 OK STORE completed
      C: a8 CLOSE
      S: a8 OK CLOSE completed
      C: a9 NOOP
      S: a9 OK NOOP completed
    `);
    assert.equal(session.state, 'Authenticated');
    assert.deepEqual(await store.mailbox(inbox), [], 'CLOSE expunged silently');
  });

  it('EXAMINE is read-only: STORE and EXPUNGE are refused with NO [READ-ONLY]', async () => {
    const inbox = freshInbox();
    await deliver(inbox, 'one');
    const { t } = imap();
    await t.play(`
      S: * OK …
      C: a1 LOGIN ${inbox} x
      S: a1 OK …
      C: a2 EXAMINE INBOX
      S: * FLAGS …
      S: * OK [PERMANENTFLAGS ()] Read-only
      S: * 1 EXISTS
      S: * 1 RECENT
      S: * OK [UNSEEN 1] First unseen message
      S: * OK [UIDVALIDITY …
      S: * OK [UIDNEXT …
      S: a2 OK [READ-ONLY] EXAMINE completed
      C: a3 STORE 1 +FLAGS (\\Seen)
      S: a3 NO [READ-ONLY] The mailbox is read-only (EXAMINE)
      C: a4 EXPUNGE
      S: a4 NO [READ-ONLY] The mailbox is read-only (EXAMINE); SELECT it to expunge
      C: a5 UNSELECT
      S: a5 OK UNSELECT completed
    `);
  });

  it('reports mail and deletions from elsewhere after NOOP, but no EXPUNGE while answering FETCH', async () => {
    const inbox = freshInbox();
    const one = await deliver(inbox, 'one');
    const { t } = await selected(inbox, 1);
    await deliver(inbox, 'two');
    await t.play(`
      C: a3 NOOP
      S: * 2 EXISTS
      S: * 2 RECENT
      S: a3 OK NOOP completed
    `);
    await store.delete([one]);
    await store.setFlags([one + 1], 'add', ['flagged']);
    // RFC 3501 §7.4.1: no EXPUNGE during FETCH; the flag change may be told at any time.
    await t.play(`
      C: a4 FETCH 2 (UID)
      S: * 2 FETCH (UID ${one + 1})
      S: * 2 FETCH (UID ${one + 1} FLAGS (\\Flagged \\Recent))
      S: a4 OK FETCH completed
      C: a5 NOOP
      S: * 1 EXPUNGE
      S: a5 OK NOOP completed
    `);
  });

  it('IDLE pushes changes as they happen, until DONE', async () => {
    const inbox = freshInbox();
    await deliver(inbox, 'one');
    const { session, driver, t } = await selected(inbox, 1);
    await t.play(`
      C: a3 IDLE
      S: + idling
    `);
    assert.equal(session.state, 'Idle');
    await deliver(inbox, 'two');
    t.take(await driver.pushed());
    await t.play(`
      S: * 2 EXISTS
      S: * 2 RECENT
      C: DONE
      S: a3 OK IDLE terminated
      C: a4 IDLE
      S: + idling
      C: NOT DONE
      S: a4 BAD Expected DONE to end IDLE
    `);
    assert.equal(session.state, 'Selected');
    await deliver(inbox, 'three');
    await after0();
    t.take(await driver.pushed());
    await t.play(`
      C: a5 NOOP
      S: * 3 EXISTS
      S: * 3 RECENT
      S: a5 OK NOOP completed
    `);
  });

  it('LOGOUT says BYE, completes, and asks the shell to close', async () => {
    const inbox = freshInbox();
    await deliver(inbox, 'one');
    const { session, t } = await selected(inbox, 1);
    await t.play(`
      C: a3 LOGOUT
      S: * BYE Tidemail IMAP server logging out
      S: a3 OK LOGOUT completed
      E: close
    `);
    assert.equal(session.state, 'Logout');
    assert.equal(session.inbox, null);
    assert.equal(session.mailbox, null);
  });
});

describe('IMAP session: errors', () => {
  it('answers framing errors with BAD and goes on', async () => {
    const { session, driver, t } = imap();
    await t.play(`
      S: * OK …
      C: a1 NOOP ${'x'.repeat(300)}
      S: a1 BAD Command line too long…
      C: a2 LOGIN {500}
      S: a2 BAD [TOOBIG] Literal too large: at most 100 bytes per literal here
      C: a3 NOOP
      S: a3 OK NOOP completed
    `);
    t.take(await session.framingError(null, 'Lines must end with CRLF', false, driver.sink).then((effects) => driver.drain(effects)));
    t.take(await session.framingError('a4', 'Lines must end with CRLF', false, driver.sink).then((effects) => driver.drain(effects)));
    await t.play(`
      S: * BAD Lines must end with CRLF
      S: a4 BAD Lines must end with CRLF
    `);
    t.take(await session.framingError('a5', '[TOOBIG] Literal too large', true, driver.sink).then((effects) => driver.drain(effects)));
    await t.play(`
      S: * BYE [TOOBIG] Literal too large
      E: close
    `);
    assert.equal(session.state, 'Logout');
  });

  it('ends the session with BYE after maxErrors BAD replies and failed logins', async () => {
    const { session, t } = imap({ maxErrors: 3 });
    await t.play(`
      S: * OK …
      C: a1 BOGUS
      S: a1 BAD Unknown command BOGUS
      C: a2 LOGIN "no/such" x
      S: a2 NO [AUTHENTICATIONFAILED] …
      C: a3 NOOP
      S: a3 OK NOOP completed
      C: a4 SELECT INBOX
      S: a4 BAD SELECT is not allowed before LOGIN or AUTHENTICATE
      S: * BYE Too many invalid commands
      E: close
    `);
    assert.equal(session.state, 'Logout');
  });
});
