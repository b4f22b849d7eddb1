/**
 * The POP3 session as a state machine (RFC 1939 §3), with no I/O.
 *
 * States, named as in the RFC: AUTHORIZATION (greeted; USER/PASS, AUTH, STLS, CAPA) →
 * TRANSACTION (logged in, maildrop locked; STAT LIST UIDL RETR TOP DELE RSET NOOP) → UPDATE
 * (after QUIT: marked messages are deleted) → CLOSED (ours: nothing more is read). The table
 * `COMMANDS` says which states allow each verb; one dispatcher answers -ERR for anything out of
 * place. Every transition goes through `enter()`. After `AUTH PLAIN` without an initial
 * response the session is in SASL (ours: a sub-state of AUTHORIZATION), where the next line is
 * the client's SASL response, not a command (RFC 5034 §4).
 *
 * A step returns the replies to send and the effects the socket shell must carry out (log in,
 * read a message, apply deletions, start TLS, close). The shell reports back with
 * `loginFinished`, `retrieved`, `updated`, `tlsStarted`, `lineError` and `timedOut`, and holds
 * further input until it has; the session never sees two effects in flight.
 *
 * Deletions are applied only in UPDATE, i.e. only after QUIT (§6); a session that ends any
 * other way (dropped connection, timeout, too many errors, shutdown) deletes nothing.
 */
import type { MailboxEntry, MessageId } from '../store/types.js';
import { Maildrop, topOf, type Listed } from './maildrop.js';
import { R, lines, ok, type Reply } from './replies.js';
import { decodePlain } from './sasl.js';

export type Pop3State = 'AUTHORIZATION' | 'SASL' | 'TRANSACTION' | 'UPDATE' | 'CLOSED';

/** RFC 2449 §4: a command is at most 255 octets (we do not count the CRLF). */
export const MAX_COMMAND_LINE_BYTES = 255;
/** AUTH lines carry base64 of up to three 255-octet fields (RFC 4616 §2), so they may be longer. */
export const MAX_AUTH_LINE_BYTES = 1024;

export type RetrieveEffect = { kind: 'retrieve'; id: MessageId; number: number; markSeen: boolean; bodyLines: number | null };

export type Effect =
  | { kind: 'login'; user: string; password: string }
  | RetrieveEffect
  | { kind: 'update'; ids: MessageId[] }
  | { kind: 'start-tls' }
  | { kind: 'close' };

export interface Step {
  replies: Reply[];
  effects: Effect[];
}

export interface SessionSettings {
  hostname: string;
  /** -ERR replies (and framing errors) after which the session is closed. */
  maxErrors: number;
}

/** How a login ended, as the shell saw it (authenticator, lock, snapshot). */
export type LoginOutcome =
  | { kind: 'opened'; inbox: string; entries: MailboxEntry[] }
  | { kind: 'refused'; reason: 'bad-user' | 'bad-credentials' }
  | { kind: 'in-use' }
  | { kind: 'unavailable' };

export type RetrieveOutcome = { kind: 'read'; raw: Buffer } | { kind: 'gone' } | { kind: 'failed' };

export type UpdateOutcome = { kind: 'done'; deleted: number } | { kind: 'failed' };

/** `args` are the space-separated arguments; `rest` is everything after the verb, as sent. */
type Handler = (session: Pop3Session, args: string[], rest: string) => Step;

const OPEN: Pop3State[] = ['AUTHORIZATION', 'TRANSACTION'];

/** The protocol as data: each verb, the states it is allowed in, and what it does. */
const COMMANDS: Record<string, { states: Pop3State[]; handler: Handler; noArguments?: true }> = {
  CAPA: { states: OPEN, handler: (s) => s.capa(), noArguments: true },
  QUIT: { states: OPEN, handler: (s) => s.quit(), noArguments: true },
  USER: { states: ['AUTHORIZATION'], handler: (s, args) => s.user(args) },
  // A password may contain spaces (RFC 1939 §7): PASS takes the rest of the line.
  PASS: { states: ['AUTHORIZATION'], handler: (s, _args, rest) => s.pass(rest) },
  AUTH: { states: ['AUTHORIZATION'], handler: (s, args) => s.auth(args) },
  STLS: { states: ['AUTHORIZATION'], handler: (s) => s.stls(), noArguments: true },
  STAT: { states: ['TRANSACTION'], handler: (s) => s.stat(), noArguments: true },
  LIST: { states: ['TRANSACTION'], handler: (s, args) => s.list(args) },
  UIDL: { states: ['TRANSACTION'], handler: (s, args) => s.uidl(args) },
  RETR: { states: ['TRANSACTION'], handler: (s, args) => s.retr(args) },
  TOP: { states: ['TRANSACTION'], handler: (s, args) => s.top(args) },
  DELE: { states: ['TRANSACTION'], handler: (s, args) => s.dele(args) },
  RSET: { states: ['TRANSACTION'], handler: (s) => s.rset(), noArguments: true },
  NOOP: { states: ['TRANSACTION'], handler: () => one(R.noop), noArguments: true },
};

function one(reply: Reply, effects: Effect[] = []): Step {
  return { replies: [reply], effects };
}

/** A message number or line count: digits only, no sign (RFC 1939 §3). */
function parseCount(text: string): number | null {
  return /^\d{1,9}$/.test(text) ? Number(text) : null;
}

export class Pop3Session {
  state: Pop3State = 'AUTHORIZATION';
  tls = false;
  errors = 0;
  /** The name given by USER, waiting for PASS. */
  private pendingUser: string | null = null;
  private maildrop: Maildrop | null = null;

  constructor(private readonly settings: SessionSettings) {}

  private enter(state: Pop3State): void {
    this.state = state;
    this.pendingUser = null;
    if (state !== 'TRANSACTION' && state !== 'UPDATE') this.maildrop = null;
  }

  greeting(): Step {
    return one(ok(`${this.settings.hostname} Tidemail POP3 server ready`));
  }

  /** One line from the client (without CRLF). */
  line(text: string): Step {
    if (this.state === 'SASL') return this.countErrors(this.saslResponse(text.trim()));
    const space = text.indexOf(' ');
    const verb = (space === -1 ? text : text.slice(0, space)).toUpperCase();
    const rest = space === -1 ? '' : text.slice(space + 1);
    if (Buffer.byteLength(text) > MAX_COMMAND_LINE_BYTES && verb !== 'AUTH') return this.countErrors(one(R.lineTooLong));
    return this.countErrors(this.dispatch(verb, rest));
  }

  private dispatch(verb: string, rest: string): Step {
    const entry = COMMANDS[verb];
    if (!entry) return one(R.unknownCommand);
    if (!entry.states.includes(this.state)) return one(verb === 'STLS' && this.tls ? R.tlsActive : R.notInState(verb, this.state));
    const args = rest.split(' ').filter(Boolean);
    if (entry.noArguments && args.length > 0) return one(R.noArguments(verb));
    return entry.handler(this, args, rest);
  }

  /** A framing error from the shell: an over-long line, a bare CR/LF, or invalid UTF-8. */
  lineError(kind: 'too-long' | 'bare-newline' | 'bad-utf8'): Step {
    if (this.state === 'SASL') this.enter('AUTHORIZATION');
    return this.countErrors(one(kind === 'too-long' ? R.lineTooLong : kind === 'bare-newline' ? R.bareNewline : R.badUtf8));
  }

  private countErrors(step: Step): Step {
    if (this.state === 'CLOSED') return step;
    if (step.replies.some((r) => r.status === '-ERR')) this.errors++;
    if (this.errors < this.settings.maxErrors) return step;
    this.enter('CLOSED');
    return { replies: [...step.replies, R.tooManyErrors], effects: [{ kind: 'close' }] };
  }

  // AUTHORIZATION (RFC 1939 §4, §7; RFC 2449 §5; RFC 2595 §4; RFC 5034 §4)

  capa(): Step {
    const capabilities = ['TOP', 'UIDL', 'USER', 'SASL PLAIN', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
    if (!this.tls) capabilities.push('STLS');
    capabilities.push('IMPLEMENTATION Tidemail');
    return one(ok('Capability list follows', lines(capabilities)));
  }

  user(args: string[]): Step {
    if (args.length !== 1) return one(R.needUser);
    this.pendingUser = args[0]!;
    return one(R.sendPass);
  }

  pass(password: string): Step {
    const user = this.pendingUser;
    if (user === null) return one(R.passWithoutUser);
    this.pendingUser = null;
    return this.login(user, password);
  }

  auth(args: string[]): Step {
    if (args.length === 0) return one(R.saslMechanisms);
    if (args[0]!.toUpperCase() !== 'PLAIN') return one(R.badMechanism);
    if (args.length > 2) return one(R.usage('AUTH PLAIN [initial-response]'));
    if (args.length === 2) return this.plain(args[1]!);
    this.enter('SASL');
    return one({ status: '+' });
  }

  /** The line after AUTH's `+` continuation: a response, or `*` to cancel (RFC 5034 §4). */
  private saslResponse(response: string): Step {
    this.enter('AUTHORIZATION');
    return response === '*' ? one(R.authCancelled) : this.plain(response);
  }

  private plain(response: string): Step {
    const decoded = decodePlain(response);
    if (!decoded.ok) return one(R.badSaslResponse(decoded.reason));
    return this.login(decoded.user, decoded.password);
  }

  /** No reply yet: the shell authenticates, locks and snapshots, then calls `loginFinished`. */
  private login(user: string, password: string): Step {
    return { replies: [], effects: [{ kind: 'login', user, password }] };
  }

  loginFinished(outcome: LoginOutcome): Step {
    switch (outcome.kind) {
      case 'opened': {
        this.enter('TRANSACTION');
        this.maildrop = new Maildrop(outcome.inbox, outcome.entries);
        const { count, octets } = this.maildrop.totals();
        return one(ok(`${outcome.inbox} has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`));
      }
      case 'refused':
        return this.countErrors(one(outcome.reason === 'bad-user' ? R.badUser : R.badCredentials));
      case 'in-use':
        return this.countErrors(one(R.inUse));
      case 'unavailable':
        return this.countErrors(one(R.loginUnavailable));
    }
  }

  stls(): Step {
    if (this.tls) return one(R.tlsActive);
    return one(R.startTls, [{ kind: 'start-tls' }]);
  }

  /** After the handshake the client starts AUTHORIZATION over (RFC 2595 §4). */
  tlsStarted(): void {
    this.tls = true;
    this.enter('AUTHORIZATION');
  }

  quit(): Step {
    if (this.state === 'AUTHORIZATION') {
      this.enter('CLOSED');
      return one(R.bye, [{ kind: 'close' }]);
    }
    const ids = this.maildrop!.markedIds();
    this.enter('UPDATE');
    if (ids.length === 0) return this.updated({ kind: 'done', deleted: 0 });
    return { replies: [], effects: [{ kind: 'update', ids }] };
  }

  /** The shell reports how applying the deletions went (RFC 1939 §6). */
  updated(outcome: UpdateOutcome): Step {
    this.enter('CLOSED');
    return one(outcome.kind === 'done' ? R.signedOff(outcome.deleted) : R.updateFailed, [{ kind: 'close' }]);
  }

  // TRANSACTION (RFC 1939 §5, §7)

  /** The message named by a message-number argument, or the -ERR to send. */
  private message(arg: string): Listed | Reply {
    const number = parseCount(arg);
    if (number === null) return R.badNumber(arg);
    const found = this.maildrop!.lookup(number);
    if (found.kind === 'no-such-message') return R.noSuchMessage(number);
    if (found.kind === 'deleted') return R.messageDeleted(number);
    return found;
  }

  stat(): Step {
    const { count, octets } = this.maildrop!.totals();
    return one(ok(`${count} ${octets}`));
  }

  list(args: string[]): Step {
    return this.scan(args, 'LIST [message-number]', (m) => `${m.number} ${m.entry.size}`);
  }

  /** The unique-id is the store id: unique, never reused, the same in every session (RFC 1939 §7). */
  uidl(args: string[]): Step {
    return this.scan(args, 'UIDL [message-number]', (m) => `${m.number} ${m.entry.id}`);
  }

  private scan(args: string[], usage: string, format: (m: Listed) => string): Step {
    if (args.length > 1) return one(R.usage(usage));
    if (args.length === 1) {
      const found = this.message(args[0]!);
      return one('status' in found ? found : ok(format(found)));
    }
    const { count, octets } = this.maildrop!.totals();
    return one(ok(`${count} message${count === 1 ? '' : 's'} (${octets} octets)`, lines(this.maildrop!.listing().map(format))));
  }

  /** RETR marks the message seen, shared with IMAP and the web UI; TOP does not. */
  retr(args: string[]): Step {
    if (args.length !== 1) return one(R.usage('RETR message-number'));
    const found = this.message(args[0]!);
    if ('status' in found) return one(found);
    return { replies: [], effects: [{ kind: 'retrieve', id: found.entry.id, number: found.number, markSeen: true, bodyLines: null }] };
  }

  top(args: string[]): Step {
    if (args.length !== 2) return one(R.usage('TOP message-number lines'));
    const found = this.message(args[0]!);
    if ('status' in found) return one(found);
    const bodyLines = parseCount(args[1]!);
    if (bodyLines === null) return one(R.badLineCount(args[1]!));
    return { replies: [], effects: [{ kind: 'retrieve', id: found.entry.id, number: found.number, markSeen: false, bodyLines }] };
  }

  /** The shell reports the message bytes it read for a `retrieve` effect. */
  retrieved(effect: RetrieveEffect, outcome: RetrieveOutcome): Step {
    if (outcome.kind === 'gone') return this.countErrors(one(R.messageGone(effect.number)));
    if (outcome.kind === 'failed') return this.countErrors(one(R.retrieveFailed(effect.number)));
    if (effect.bodyLines === null) return one(ok(`${outcome.raw.length} octets`, outcome.raw));
    return one(ok('Top of message follows', topOf(outcome.raw, effect.bodyLines)));
  }

  dele(args: string[]): Step {
    if (args.length !== 1) return one(R.usage('DELE message-number'));
    const found = this.message(args[0]!);
    if ('status' in found) return one(found);
    this.maildrop!.markDeleted(found.number);
    return one(R.deleted(found.number));
  }

  rset(): Step {
    this.maildrop!.unmarkAll();
    const { count, octets } = this.maildrop!.totals();
    return one(ok(`Maildrop has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`));
  }

  // Endings that are not QUIT: nothing is deleted.

  /** RFC 1939 §3: on the autologout timer the server closes without a response and without UPDATE. */
  timedOut(): Step {
    this.enter('CLOSED');
    return { replies: [], effects: [{ kind: 'close' }] };
  }

  shuttingDown(): Step {
    this.enter('CLOSED');
    return one(R.shuttingDown, [{ kind: 'close' }]);
  }
}
