/**
 * What a command handler sees and returns. A handler reads its arguments from the tokenizer,
 * writes untagged responses to the sink (awaiting it, so a large FETCH waits for the socket
 * instead of piling up in memory), and returns the tagged completion (RFC 3501 §7.1). It never
 * touches a socket: effects it needs (TLS, close, reading a continuation line) are returned.
 */
import type { Chunk } from './format.js';
import type { ImapSession } from './session.js';
import type { Tokenizer } from './syntax.js';

export type ImapState = 'NotAuthenticated' | 'Authenticated' | 'Selected' | 'Logout';

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
  effects?: Effect[];
  /**
   * The command goes on after a continuation request (AUTHENTICATE, IDLE): the next line the
   * client sends goes here instead of being read as a command.
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
