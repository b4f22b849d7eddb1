/**
 * What a command handler sees and returns. A handler reads its arguments from the tokenizer,
 * writes untagged responses to the sink (awaiting it, so a large FETCH waits for the socket
 * instead of piling up in memory), and returns the tagged completion (RFC 3501 §7.1). It never
 * touches a socket: effects it needs (TLS, close, reading a continuation line) are returned.
 */
import type { Chunk } from './format.js';
import type { ImapSession } from './session.js';
import type { Tokenizer } from './syntax.js';

/**
 * RFC 3501 §3's states, and two of ours inside them where the next line is not a command but a
 * continuation: `Authenticating` (AUTHENTICATE's response, RFC 3501 §6.2.2) and `Idle` (IDLE's
 * DONE, RFC 2177 §3). No command is allowed in those two; the line goes to the continuation.
 */
export type ImapState = 'NotAuthenticated' | 'Authenticating' | 'Authenticated' | 'Selected' | 'Idle' | 'Logout';

export interface Sink {
  /** One response line (CRLF is added). */
  send(line: Chunk[] | string): Promise<void>;
}

export type Effect = { kind: 'start-tls' } | { kind: 'close' };

export interface Completion {
  status: 'OK' | 'NO' | 'BAD';
  /** A response code without brackets, e.g. "READ-WRITE" or "UIDVALIDITY 3". */
  code?: string;
  text: string;
  effect?: Effect;
  /**
   * The state the session enters with this completion (handlers never switch it themselves);
   * unchanged when absent. It takes effect before the updates and the tagged response are sent.
   */
  next?: ImapState;
  /** With `next: 'Authenticated'`: the inbox now logged in to. */
  inbox?: string;
  /**
   * The command goes on after a continuation request (AUTHENTICATE, IDLE): the next line the
   * client sends goes here instead of being read as a command. Comes with `next` naming the
   * continuation's state; the continuation's own completion names the state after it (by
   * default the one the command started in).
   */
  continuation?: (line: string, out: Sink) => Promise<Completion>;
}

export interface CommandContext {
  session: ImapSession;
  tag: string;
  /** True for the UID form (UID FETCH, UID SEARCH, …). */
  uid: boolean;
  args: Tokenizer;
  out: Sink;
}

export type Handler = (ctx: CommandContext) => Promise<Completion>;

export interface CommandSpec {
  states: readonly ImapState[];
  handler: Handler;
  /**
   * Whether EXPUNGE responses may follow this command (RFC 3501 §7.4.1: not during FETCH,
   * STORE or SEARCH, whose sequence numbers the client is still reading). Default true.
   */
  expungeAfter?: boolean;
}

export function ok(text: string, code?: string): Completion {
  return code === undefined ? { status: 'OK', text } : { status: 'OK', code, text };
}

export function no(text: string, code?: string): Completion {
  return code === undefined ? { status: 'NO', text } : { status: 'NO', code, text };
}

export function bad(text: string, code?: string): Completion {
  return code === undefined ? { status: 'BAD', text } : { status: 'BAD', code, text };
}

/** A namespace operation's outcome (folders.ts) as a completion. */
export function completed(outcome: { ok: true } | { ok: false; code: string; text: string }, text: string): Completion {
  return outcome.ok ? ok(text) : no(outcome.text, outcome.code);
}
