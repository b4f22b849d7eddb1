/**
 * SMTP AUTH (RFC 4954) for the submission port, as data: the SASL exchange in progress is the
 * `Auth` state's own record (session.ts), and each step here maps it and one client line to the
 * next exchange, a challenge, or the credentials to check. Pure; the password check is an
 * effect the connection runs (server.ts), since scrypt is asynchronous.
 *
 * Mechanisms: PLAIN (RFC 4616; decoding shared with POP3, pop3/sasl.ts) and LOGIN (the
 * de-facto `334 VXNlcm5hbWU6` / `334 UGFzc3dvcmQ6` exchange every client still speaks), both
 * with an optional initial response (RFC 4954 §4). `*` cancels (501 5.7.0, §4).
 */
import { decodePlain } from '../pop3/sasl.js';
import { reply, type Reply } from './replies.js';

export type Mechanism = 'PLAIN' | 'LOGIN';
export const MECHANISMS: readonly Mechanism[] = ['PLAIN', 'LOGIN'];

/** The SASL exchange of the `Auth` state: which mechanism, and what it waits for next. */
export type SaslExchange = { mechanism: 'PLAIN' } | { mechanism: 'LOGIN'; awaiting: 'username' } | { mechanism: 'LOGIN'; awaiting: 'password'; user: string };

/** What one step of the exchange yields. */
export type SaslStep =
  | { kind: 'challenge'; exchange: SaslExchange; reply: Reply }
  | { kind: 'credentials'; user: string; password: string }
  | { kind: 'failed'; reply: Reply };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const A = {
  // RFC 4954 §6 and the RFC 5248 registry.
  succeeded: reply(235, '2.7.0', 'Authentication successful'),
  invalid: reply(535, '5.7.8', 'Authentication credentials invalid'),
  required: reply(530, '5.7.0', 'Authentication required'),
  encryptionRequired: reply(538, '5.7.11', 'Encryption required for requested authentication mechanism: STARTTLS first'),
  unknownMechanism: reply(504, '5.5.4', `Unrecognized authentication type; use ${MECHANISMS.join(' or ')}`),
  cancelled: reply(501, '5.7.0', 'Authentication cancelled'),
  badResponse: (why: string) => reply(501, '5.5.2', `Cannot decode response: ${why}`),
  already: reply(503, '5.5.1', 'Already authenticated'),
  notOffered: reply(502, '5.5.1', 'AUTH is offered on the submission port only'),
  throttled: (seconds: number) => reply(454, '4.7.0', `Too many failed logins from your address; try again in ${seconds} seconds`),
  temporary: reply(454, '4.7.0', 'Temporary authentication failure'),
} as const;

const challenge = (text: string): Reply => reply(334, '', text);
const USERNAME = challenge(Buffer.from('Username:').toString('base64'));
const PASSWORD = challenge(Buffer.from('Password:').toString('base64'));

/** `AUTH mechanism [initial-response]`. */
export function startSasl(args: string): SaslStep {
  const [name = '', initial, extra] = args.trim().split(/ +/);
  if (extra !== undefined) return { kind: 'failed', reply: A.badResponse('too many arguments') };
  const mechanism = name.toUpperCase();
  if (mechanism === 'PLAIN') {
    // "=" is an empty initial response (§4): the same as none, a 334 asks for it.
    if (initial === undefined || initial === '=') return { kind: 'challenge', exchange: { mechanism: 'PLAIN' }, reply: challenge('') };
    return continueSasl({ mechanism: 'PLAIN' }, initial);
  }
  if (mechanism === 'LOGIN') {
    if (initial === undefined || initial === '=') return { kind: 'challenge', exchange: { mechanism: 'LOGIN', awaiting: 'username' }, reply: USERNAME };
    return continueSasl({ mechanism: 'LOGIN', awaiting: 'username' }, initial);
  }
  return { kind: 'failed', reply: A.unknownMechanism };
}

/** The client's response line to the last challenge. */
export function continueSasl(exchange: SaslExchange, line: string): SaslStep {
  const response = line.trim();
  if (response === '*') return { kind: 'failed', reply: A.cancelled };
  if (exchange.mechanism === 'PLAIN') {
    const plain = decodePlain(response);
    return plain.ok ? { kind: 'credentials', user: plain.user, password: plain.password } : { kind: 'failed', reply: A.badResponse(plain.reason) };
  }
  if (!BASE64.test(response)) return { kind: 'failed', reply: A.badResponse('not base64') };
  const text = Buffer.from(response, 'base64').toString('utf8');
  if (exchange.awaiting === 'username') {
    if (text === '' || text.includes('\0')) return { kind: 'failed', reply: A.badResponse('empty user name') };
    return { kind: 'challenge', exchange: { mechanism: 'LOGIN', awaiting: 'password', user: text }, reply: PASSWORD };
  }
  return { kind: 'credentials', user: exchange.user, password: text };
}

/** How the connection's password check ended. */
export type AuthVerdict = { kind: 'ok' } | { kind: 'invalid' } | { kind: 'throttled'; retryAfterMs: number } | { kind: 'error' };

/** The transcript's view of an AUTH line: the mechanism, never the credentials. */
export function redactAuthLine(line: string): string {
  const match = /^(AUTH\s+\S+)\s+\S/i.exec(line);
  return match ? `${match[1]} <credentials>` : line;
}
