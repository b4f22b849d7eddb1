/**
 * Parsing of one SMTP command line (RFC 5321 §4.1): the verb, and for MAIL and RCPT the path
 * and ESMTP parameters (§4.1.2). Pure; knows nothing of state.
 */
import { MAX_PATH_OCTETS, parseMailbox, type Mailbox } from '../mail/address.js';

export interface CommandLine {
  /** Upper-cased verb. */
  verb: string;
  /** Everything after the verb and one space, as sent. */
  args: string;
}

export function splitCommand(line: string): CommandLine {
  const space = line.indexOf(' ');
  if (space === -1) return { verb: line.toUpperCase(), args: '' };
  return { verb: line.slice(0, space).toUpperCase(), args: line.slice(space + 1) };
}

export type PathResult =
  | { ok: true; mailbox: Mailbox | null; params: Map<string, string | true> }
  | { ok: false; reason: string };

/**
 * `FROM:<path> params…` / `TO:<path> params…`. A space after the colon is tolerated (many
 * clients send one); source routes `<@a,@b:user@c>` are accepted and ignored (§4.1.1.3 / §C).
 * `mailbox` is null for the null path `<>`, and for `<postmaster>` with no domain
 * (§4.1.1.3), which is given back as `postmaster@` with an empty domain.
 */
export function parsePathArgument(args: string, keyword: 'FROM' | 'TO'): PathResult {
  const prefix = `${keyword}:`;
  if (args.slice(0, prefix.length).toUpperCase() !== prefix) return { ok: false, reason: `expected ${keyword}:<address>` };
  const rest = args.slice(prefix.length).replace(/^ /, '');
  if (!rest.startsWith('<')) return { ok: false, reason: 'address must be enclosed in <>' };
  const close = rest.indexOf('>');
  if (close === -1) return { ok: false, reason: 'missing closing >' };
  let path = rest.slice(1, close);
  if (Buffer.byteLength(path) + 2 > MAX_PATH_OCTETS) return { ok: false, reason: 'path longer than 256 octets' };

  const params = new Map<string, string | true>();
  const paramText = rest.slice(close + 1);
  if (paramText !== '' && !paramText.startsWith(' ')) return { ok: false, reason: 'junk after address' };
  for (const word of paramText.split(' ').filter(Boolean)) {
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:=([\x21-\x3c\x3e-\x7e\u0080-\u{10FFFF}]+))?$/u.exec(word);
    if (!match) return { ok: false, reason: `malformed parameter "${word}"` };
    params.set(match[1]!.toUpperCase(), match[2] ?? true);
  }

  const route = /^@[^:]+:/.exec(path);
  if (route) path = path.slice(route[0].length);
  if (path === '') return { ok: true, mailbox: null, params };
  if (keyword === 'TO' && path.toLowerCase() === 'postmaster') {
    return { ok: true, mailbox: { localPart: 'postmaster', domain: '', address: 'postmaster' }, params };
  }
  const parsed = parseMailbox(path);
  if (!parsed.ok) return { ok: false, reason: parsed.reason };
  return { ok: true, mailbox: parsed.mailbox, params };
}

/** True if the text holds any non-ASCII character (needs SMTPUTF8, RFC 6531 §3.4). */
export function isNonAscii(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(text);
}
