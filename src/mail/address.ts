/**
 * Mailbox syntax (RFC 5321 §4.1.2, with RFC 6531's UTF-8 extension) and inbox naming.
 *
 * An inbox is named after the recipient's local part, lower-cased, with any `+tag` removed:
 * `Joe+signup@any.domain` lands in inbox `joe`, as on Mailinator. All accepted domains share
 * inboxes.
 */

/** RFC 5321 §4.5.3.1: size limits of the parts of a path. */
export const MAX_LOCAL_PART_OCTETS = 64;
export const MAX_DOMAIN_OCTETS = 255;
export const MAX_PATH_OCTETS = 256;

export interface Mailbox {
  /** The local part as written, unquoted. */
  localPart: string;
  /** The domain, lower-cased; address literals keep their brackets. */
  domain: string;
  /** `local@domain`, as it should be shown and stored. */
  address: string;
}

export type MailboxResult = { ok: true; mailbox: Mailbox } | { ok: false; reason: string };

// atext (RFC 5322 §3.2.3) plus any non-ASCII character (RFC 6531 §3.3 UTF8-non-ascii).
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\u{10FFFF}]+";
const DOT_STRING = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`, 'u');
const LABEL = '[A-Za-z0-9\\u0080-\\u{10FFFF}](?:[A-Za-z0-9\\-\\u0080-\\u{10FFFF}]*[A-Za-z0-9\\u0080-\\u{10FFFF}])?';
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, 'u');
const ADDRESS_LITERAL = /^\[(?:\d{1,3}(?:\.\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\]$/;
// qtext and quoted-pair contents, printable ASCII or UTF-8, no control characters.
const QUOTED_CONTENT = /^(?:[^"\\\x00-\x1f\x7f]|\\[\x20-\x7e])*$/u;

/** Parse `local@domain` (no angle brackets). */
export function parseMailbox(text: string): MailboxResult {
  if (Buffer.byteLength(text) > MAX_PATH_OCTETS - 2) return { ok: false, reason: 'path too long' };
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return { ok: false, reason: 'address must be local@domain' };
  const rawLocal = text.slice(0, at);
  const rawDomain = text.slice(at + 1);

  let localPart: string;
  if (rawLocal.startsWith('"')) {
    if (rawLocal.length < 2 || !rawLocal.endsWith('"') || !QUOTED_CONTENT.test(rawLocal.slice(1, -1))) {
      return { ok: false, reason: 'malformed quoted local part' };
    }
    localPart = rawLocal.slice(1, -1).replace(/\\(.)/g, '$1');
  } else {
    if (!DOT_STRING.test(rawLocal)) return { ok: false, reason: 'malformed local part' };
    localPart = rawLocal;
  }
  if (Buffer.byteLength(rawLocal) > MAX_LOCAL_PART_OCTETS) return { ok: false, reason: 'local part longer than 64 octets' };
  if (Buffer.byteLength(rawDomain) > MAX_DOMAIN_OCTETS) return { ok: false, reason: 'domain longer than 255 octets' };
  if (!DOMAIN.test(rawDomain) && !ADDRESS_LITERAL.test(rawDomain)) return { ok: false, reason: 'malformed domain' };

  const domain = rawDomain.toLowerCase();
  return { ok: true, mailbox: { localPart, domain, address: `${rawLocal}@${domain}` } };
}

/**
 * The inbox a local part delivers to: lower-cased, `+tag` removed. Returns null for a local
 * part that names no usable inbox (empty before the `+`, or characters we do not allow in
 * inbox names because they would be ambiguous in URLs and mail clients' user names).
 */
export function inboxFor(localPart: string): string | null {
  const plus = localPart.indexOf('+');
  const name = (plus === -1 ? localPart : localPart.slice(0, plus)).toLowerCase();
  return isInboxName(name) ? name : null;
}

// Inbox names are dot-atoms without '/' (a path separator in URLs and IMAP) or '+' (the tag separator).
const INBOX_ATOM = "[a-z0-9!#$%&'*=?^_`{|}~\\-\\u0080-\\u{10FFFF}]+";
const INBOX_NAME = new RegExp(`^${INBOX_ATOM}(?:\\.${INBOX_ATOM})*$`, 'u');

/** Whether `name` is a valid (already normalised) inbox name: what the API, POP3 and IMAP accept. */
export function isInboxName(name: string): boolean {
  return name.length > 0 && Buffer.byteLength(name) <= MAX_LOCAL_PART_OCTETS && name === name.toLowerCase() && INBOX_NAME.test(name);
}

/**
 * The inbox named by what a user typed: an inbox name or a full address (`Joe+x@domain` → `joe`).
 * Used by the HTTP API, POP3 USER and IMAP LOGIN. Returns null if it names no valid inbox.
 */
export function inboxFromUserInput(input: string): string | null {
  const text = input.trim();
  if (text.includes('@')) {
    const parsed = parseMailbox(text);
    return parsed.ok ? inboxFor(parsed.mailbox.localPart) : null;
  }
  return inboxFor(text);
}
