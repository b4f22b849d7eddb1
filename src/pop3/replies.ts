/**
 * Every response the POP3 server sends (RFC 1939 §3): a status line `+OK …` / `-ERR …`,
 * optionally followed by a multi-line body that is dot-stuffed and ends with ".CRLF", and the
 * SASL continuation `+ ` (RFC 5034 §4). Failures carry RFC 2449 §8 response codes where one
 * applies, in brackets right after -ERR: [IN-USE] (§8.1), and [SYS/TEMP], [SYS/PERM] and
 * [AUTH] (RFC 3206). Wording lives here so it stays consistent.
 */
import { dotStuff } from '../protocol/dot-stuff.js';

export type ResponseCode = 'IN-USE' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH';

export type Reply =
  | { status: '+OK' | '-ERR'; code?: ResponseCode; text: string; body?: Buffer }
  /** A SASL challenge (always empty for PLAIN). */
  | { status: '+' };

export function ok(text: string, body?: Buffer): Reply {
  return body ? { status: '+OK', text, body } : { status: '+OK', text };
}

export function err(text: string, code?: ResponseCode): Reply {
  return code ? { status: '-ERR', code, text } : { status: '-ERR', text };
}

/** A multi-line body from text lines (CAPA, LIST, UIDL). */
export function lines(items: readonly string[]): Buffer {
  return Buffer.from(items.map((line) => `${line}\r\n`).join(''), 'utf8');
}

/** Wire form. A body is dot-stuffed and terminated (RFC 1939 §3), even when empty. */
export function formatReply(r: Reply): Buffer {
  if (r.status === '+') return Buffer.from('+ \r\n');
  const head = Buffer.from(`${r.status}${r.code ? ` [${r.code}]` : ''}${r.text ? ` ${r.text}` : ''}\r\n`, 'utf8');
  return r.body ? Buffer.concat([head, dotStuff(r.body)]) : head;
}

export const R = {
  unknownCommand: err('Unknown command'),
  lineTooLong: err('Command line too long (RFC 2449 allows 255 octets)'),
  bareNewline: err('Bare CR or LF not allowed; end lines with CRLF'),
  badUtf8: err('Command is not valid UTF-8'),
  tooManyErrors: err('Too many errors, closing connection'),
  shuttingDown: err('Server shutting down; no messages were deleted', 'SYS/TEMP'),
  tooManyConnections: err('Too many connections, try again later', 'SYS/TEMP'),
  tooManyConnectionsFromIp: err('Too many connections from your address, try again later', 'SYS/TEMP'),
  noArguments: (verb: string) => err(`${verb} takes no arguments`),
  notInState: (verb: string, state: string) => err(`${verb} is not allowed in the ${state} state`),

  // AUTHORIZATION (RFC 1939 §4, §7; RFC 5034; RFC 2595 §4)
  needUser: err('USER needs a user name: an inbox name or an email address'),
  sendPass: ok('Send PASS'),
  passWithoutUser: err('Send USER first'),
  badUser: err('That user name names no inbox', 'AUTH'),
  badCredentials: err('Invalid user name or password', 'AUTH'),
  inUse: err('Maildrop already locked by another session; try again later', 'IN-USE'),
  loginUnavailable: err('Maildrop temporarily unavailable; try again later', 'SYS/TEMP'),
  saslMechanisms: ok('SASL mechanisms follow', lines(['PLAIN'])),
  badMechanism: err('Unsupported SASL mechanism; use PLAIN'),
  authCancelled: err('AUTH cancelled'),
  badSaslResponse: (why: string) => err(`Malformed AUTH PLAIN response: ${why}`),
  startTls: ok('Begin TLS negotiation'),
  tlsActive: err('TLS already active'),
  bye: ok('Tidemail POP3 server signing off'),

  // TRANSACTION (RFC 1939 §5)
  badNumber: (arg: string) => err(`"${arg}" is not a message number`),
  badLineCount: (arg: string) => err(`"${arg}" is not a line count`),
  usage: (usage: string) => err(`Usage: ${usage}`),
  noSuchMessage: (n: number) => err(`No such message: ${n}`),
  messageDeleted: (n: number) => err(`Message ${n} is deleted`),
  messageGone: (n: number) => err(`Message ${n} is no longer available`, 'SYS/PERM'),
  retrieveFailed: (n: number) => err(`Could not read message ${n}; try again later`, 'SYS/TEMP'),
  deleted: (n: number) => ok(`Message ${n} deleted`),
  noop: ok(''),

  // UPDATE (RFC 1939 §6)
  signedOff: (deleted: number) => ok(`Tidemail POP3 server signing off (${deleted} message${deleted === 1 ? '' : 's'} deleted)`),
  updateFailed: err('Some deleted messages not removed', 'SYS/TEMP'),
} as const;
