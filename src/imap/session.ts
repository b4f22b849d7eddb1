/**
 * The IMAP4rev1 session (RFC 3501 §3) with no socket: states NotAuthenticated → Authenticated →
 * Selected → Logout (with Authenticating and Idle for AUTHENTICATE's and IDLE's continuation
 * lines), the table of which states allow each command, and one dispatcher that answers `BAD`
 * for a malformed or unknown command and for a command in the wrong state. Handlers return the
 * state to enter with their completion; every state change goes through `enter()`.
 *
 * A command is a framed RawCommand; the session tokenizes it, runs its handler (commands/*),
 * then reports what changed in the selected mailbox meanwhile (EXISTS, EXPUNGE where §7.4.1
 * allows, FETCH FLAGS) and finally the tagged completion. It returns the effect the connection
 * must carry out (start TLS, close). Handlers reach the store, the event bus and the
 * authenticator; the shell owns sockets, timers and TLS.
 */
import type { MailboxAuthenticator } from '../auth/mailbox-auth.js';
import type { EventBus } from '../events/bus.js';
import type { Store } from '../store/types.js';
import type { CommandSpec, Completion, Effect, ImapState, Sink } from './command.js';
import { COMMANDS } from './commands/index.js';
import type { Folders } from './folders.js';
import { SelectedMailbox } from './mailbox.js';
import type { MessageCache } from './message-cache.js';
import type { RecentClaims } from './recent.js';
import { ImapSyntaxError, Tokenizer, isValidTag, type RawCommand } from './syntax.js';

export interface SessionSettings {
  hostname: string;
  /** BAD responses and failed logins after which the session ends with BYE. */
  maxErrors: number;
  /** The largest message APPEND takes (--max-message-size; APPENDLIMIT, RFC 7889). */
  maxAppendBytes: number;
  /** --retention's age, 0 for none: APPEND refuses an internal date older than that. */
  retentionMs: number;
}

export interface SessionServices {
  store: Store;
  events: EventBus;
  auth: MailboxAuthenticator;
  messages: MessageCache;
  /** Which session each message is \Recent in (§2.3.2), shared by every session. */
  recent: RecentClaims;
  /** The namespace of each inbox: INBOX, the special-use folders and the folders clients made. */
  folders: Folders;
  /** Whether the mail store is full (the disk guard): APPEND is refused meanwhile. */
  storageFull?: () => boolean;
  now: () => number;
  onError?: (error: unknown) => void;
}

interface Pending {
  tag: string;
  continuation: NonNullable<Completion['continuation']>;
  expungeAfter: boolean;
  /** Where the session goes back to when the continuation does not say. */
  resume: ImapState;
}

export class ImapSession {
  state: ImapState = 'NotAuthenticated';
  tls = false;
  /** The inbox logged in to. */
  inbox: string | null = null;
  /** The client's address, as the connection shell has it (an APPEND's envelope names it). */
  remoteAddress = '';
  mailbox: SelectedMailbox | null = null;
  errors = 0;
  /** Called when the selected mailbox changed while in IDLE; the connection then asks for `idleUpdates`. */
  onUpdate: () => void = () => {};
  private pending: Pending | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(
    readonly settings: SessionSettings,
    readonly services: SessionServices,
  ) {}

  private enter(state: ImapState): void {
    // IDLE in the Selected state keeps its mailbox (and keeps reporting on it).
    if (state !== 'Selected' && !(state === 'Idle' && this.mailbox)) this.closeMailbox();
    if (state === 'NotAuthenticated' || state === 'Logout') this.inbox = null;
    this.state = state;
  }

  /** What CAPABILITY lists in `state` (RFC 3501 §7.2.1): STARTTLS and AUTH only before login. */
  capabilities(state: ImapState = this.state): string {
    const caps = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'IDLE', 'UIDPLUS', 'UNSELECT', 'MOVE', 'SPECIAL-USE', 'CHILDREN', 'NAMESPACE', `APPENDLIMIT=${this.settings.maxAppendBytes}`];
    if (state === 'NotAuthenticated') {
      if (!this.tls) caps.push('STARTTLS');
      caps.push('AUTH=PLAIN');
    }
    return caps.join(' ');
  }

  greeting(): string {
    return `* OK [CAPABILITY ${this.capabilities()}] ${this.settings.hostname} Tidemail IMAP4rev1 ready`;
  }

  /** The next line is a continuation (AUTHENTICATE data or IDLE's DONE), not a command. */
  get awaitingLine(): boolean {
    return this.state === 'Authenticating' || this.state === 'Idle';
  }

  async command(raw: RawCommand, out: Sink): Promise<Effect[]> {
    const startedIn = this.state;
    const tokens = new Tokenizer(raw);
    let tag: string | null = null;
    try {
      const first = tokens.next();
      if (!first || first.kind !== 'atom' || !isValidTag(first.value)) return this.untaggedBad('Missing or invalid tag', out);
      tag = first.value;
      const verb = tokens.next();
      if (!verb || verb.kind !== 'atom') return this.finish(tag, { status: 'BAD', text: 'Missing command' }, out, true);
      let name = verb.value.toUpperCase();
      const uid = name === 'UID';
      if (uid) {
        const sub = tokens.next();
        if (!sub || sub.kind !== 'atom') return this.finish(tag, { status: 'BAD', text: 'UID needs a command: FETCH, SEARCH, STORE, COPY, MOVE or EXPUNGE' }, out, true);
        name = `UID ${sub.value.toUpperCase()}`;
      }
      const spec: CommandSpec | undefined = COMMANDS[name];
      if (!spec) return this.finish(tag, { status: 'BAD', text: `Unknown command ${name.slice(0, 40)}` }, out, true);
      if (!spec.states.includes(this.state)) return this.finish(tag, { status: 'BAD', text: this.wrongState(name) }, out, true);
      const completion = await spec.handler({ session: this, tag, uid, args: tokens, out });
      return this.finish(tag, completion, out, spec.expungeAfter ?? true, startedIn);
    } catch (error) {
      if (error instanceof ImapSyntaxError) {
        return tag === null ? this.untaggedBad(error.message, out) : this.finish(tag, { status: 'BAD', text: error.message }, out, true);
      }
      this.services.onError?.(error);
      return tag === null ? [] : this.finish(tag, { status: 'NO', code: 'UNAVAILABLE', text: 'Server error, please try again' }, out, true);
    }
  }

  private wrongState(name: string): string {
    if (this.state === 'NotAuthenticated') return `${name} is not allowed before LOGIN or AUTHENTICATE`;
    if (this.state === 'Authenticated') {
      const auth = name === 'LOGIN' || name === 'AUTHENTICATE' || name === 'STARTTLS';
      return auth ? `${name} is not allowed once authenticated` : `${name} needs a selected mailbox (SELECT or EXAMINE first)`;
    }
    return `${name} is not allowed in the ${this.state} state`;
  }

  /** The line after a continuation request. */
  async continueWith(line: string, out: Sink): Promise<Effect[]> {
    const pending = this.pending!;
    this.pending = null;
    let completion: Completion;
    try {
      completion = await pending.continuation(line, out);
    } catch (error) {
      this.services.onError?.(error);
      completion = { status: 'NO', code: 'UNAVAILABLE', text: 'Server error, please try again' };
    }
    return this.finish(pending.tag, { ...completion, next: completion.next ?? pending.resume }, out, pending.expungeAfter);
  }

  /** A framing error reported by the shell (over-long line, bare LF, literal too large). */
  async framingError(tag: string | null, text: string, fatal: boolean, out: Sink, status: 'BAD' | 'NO' = 'BAD'): Promise<Effect[]> {
    if (fatal) return this.bye(text, out);
    if (tag !== null && isValidTag(tag)) return this.finish(tag, { status, text }, out, false);
    return this.untaggedBad(text, out);
  }

  private async untaggedBad(text: string, out: Sink): Promise<Effect[]> {
    await out.send(`* BAD ${text}`);
    return this.countError(out);
  }

  private async countError(out: Sink): Promise<Effect[]> {
    this.errors++;
    if (this.errors < this.settings.maxErrors) return [];
    return this.bye('Too many invalid commands', out);
  }

  private async finish(tag: string, completion: Completion, out: Sink, expungeAfter: boolean, startedIn: ImapState = this.state): Promise<Effect[]> {
    if (completion.next) {
      this.enter(completion.next);
      if (completion.inbox !== undefined) this.inbox = completion.inbox;
    }
    if (completion.continuation) {
      this.pending = { tag, continuation: completion.continuation, expungeAfter, resume: startedIn };
      return completion.effect ? [completion.effect] : [];
    }
    if (this.mailbox && this.state === 'Selected') for (const line of this.mailbox.sync(expungeAfter)) await out.send(line);
    const code = completion.code ? `[${completion.code}] ` : '';
    await out.send(`${tag} ${completion.status} ${code}${completion.text}`);
    const effects = completion.effect ? [completion.effect] : [];
    const failedLogin = completion.status === 'NO' && completion.code === 'AUTHENTICATIONFAILED';
    if (completion.status === 'BAD' || failedLogin) return [...effects, ...(await this.countError(out))];
    return effects;
  }

  /** What changed in the selected mailbox, reported at once: before and during IDLE (RFC 2177 §3), EXPUNGE included. */
  async pushUpdates(out: Sink): Promise<void> {
    for (const line of this.idleUpdates()) await out.send(line);
  }

  /** In IDLE, the updates not yet reported; none in any other state. */
  idleUpdates(): string[] {
    return this.state === 'Idle' && this.mailbox ? this.mailbox.sync(true) : [];
  }

  async bye(text: string, out: Sink): Promise<Effect[]> {
    if (this.state === 'Logout') return [{ kind: 'close' }];
    this.enter('Logout');
    await out.send(`* BYE ${text}`);
    return [{ kind: 'close' }];
  }

  /**
   * Open a mailbox (the store's key: the inbox, or `<inbox>/<folder>`) to select; listen for
   * changes before reading, so none is missed. The handler's completion then enters Selected.
   */
  async openMailbox(key: string, readOnly: boolean): Promise<SelectedMailbox> {
    this.closeMailbox();
    const inbox = key;
    let view: SelectedMailbox | null = null;
    const early: Parameters<SelectedMailbox['apply']>[0][] = [];
    this.unsubscribe = this.services.events.subscribe((event) => {
      if (!view) {
        early.push(event);
        return;
      }
      if (view.apply(event) && this.state === 'Idle') this.onUpdate();
    });
    view = new SelectedMailbox(inbox, readOnly, await this.services.store.mailbox(inbox), this.services.recent);
    for (const event of early) view.apply(event);
    this.mailbox = view;
    return view;
  }

  private closeMailbox(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.mailbox = null;
  }

  /** The connection is gone: stop listening to the store. */
  dispose(): void {
    this.pending = null;
    this.closeMailbox();
  }

  tlsStarted(): void {
    this.tls = true;
    this.enter('NotAuthenticated');
  }
}
