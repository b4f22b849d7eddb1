/**
 * The cheap parse done while the SMTP client waits: only the top-level header block, and only
 * the fields a listing needs (From, To, Cc, Subject, Date). The full MIME parse happens later,
 * off the critical path (see parse.ts). Never throws: a malformed header gives empty fields.
 *
 * Addresses are read here for every reader (the listing and API summaries, IMAP ENVELOPE and
 * SEARCH FROM/TO): by `email-addresses`, a parser of RFC 5322 §3.4's grammar itself, obsolete
 * forms (§4.4) included, so groups (`team: a@x, b@y;`), comments and folding whitespace inside
 * an address (CFWS, §3.4.1) and source routes (obs-route) come out as the grammar says rather
 * than as a regular expression guesses. A list the grammar rejects (real mail has some) falls
 * back to postal-mime's lenient splitter, so a sloppy header still shows its addresses.
 */
import emailAddresses from 'email-addresses';
import { addressParser } from 'postal-mime';
import { decodeEncodedWords, decodeHeaderValue, headerText } from './decode.js';
import { bodyStartOf, unfoldHeaders } from './header-block.js';
import type { Address } from './model.js';

export interface ListingFields {
  from: Address | null;
  to: Address[];
  subject: string;
  dateMs: number | null;
}

/** One mailbox of an address header: display name (RFC 2047 words decoded), source route, local part, domain. */
export interface ParsedMailbox {
  name: string;
  /** The obsolete source route without its final colon, e.g. "@a.net,@b.net" (RFC 5322 §4.4); null if none. */
  route: string | null;
  local: string;
  /** null when the address has no domain (only from the lenient fallback). */
  domain: string | null;
}

/** An address header's entries in order: mailboxes, and groups with their members (§3.4 group). */
export type AddressEntry = ({ kind: 'mailbox' } & ParsedMailbox) | { kind: 'group'; name: string; members: ParsedMailbox[] };

const WANTED: ReadonlySet<string> = new Set(['from', 'to', 'cc', 'subject', 'date']);
/** Longer address headers are not parsed by the grammar (its parse tree grows with the input). */
const MAX_GRAMMAR_CHARS = 64 * 1024;

/** Byte offset where the body starts (after the blank line), or the message length if none. */
export function headerEnd(raw: Buffer): number {
  return bodyStartOf(raw);
}

type GrammarMailbox = emailAddresses.ParsedMailbox;

/** The obs-route of a parsed mailbox, found in its parse tree (the library keeps it only there). */
function routeOf(mailbox: GrammarMailbox): string | null {
  const stack = mailbox.node ? [mailbox.node] : [];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.name === 'obs-route') return node.semantic.replace(/:$/, '');
    if (node.name !== 'addr-spec' && node.name !== 'display-name') stack.push(...node.children);
  }
  return null;
}

function fromGrammar(mailbox: GrammarMailbox): ParsedMailbox {
  return { name: decodeEncodedWords(mailbox.name ?? ''), route: routeOf(mailbox), local: mailbox.local, domain: mailbox.domain };
}

function fromLenient(entry: { name?: string; address?: string }): ParsedMailbox {
  const address = entry.address ?? '';
  const at = address.lastIndexOf('@');
  return { name: decodeEncodedWords(entry.name ?? ''), route: null, local: at === -1 ? address : address.slice(0, at), domain: at === -1 ? null : address.slice(at + 1) };
}

function lenient(text: string): AddressEntry[] {
  const out: AddressEntry[] = [];
  for (const entry of addressParser(text)) {
    if ('group' in entry && Array.isArray(entry.group)) out.push({ kind: 'group', name: decodeEncodedWords(entry.name ?? ''), members: entry.group.map(fromLenient) });
    else if ('address' in entry) {
      const mailbox = fromLenient(entry);
      if (mailbox.local !== '' || mailbox.name !== '') out.push({ kind: 'mailbox', ...mailbox });
    }
  }
  return out;
}

/*
 * The common forms, read without the grammar's parse tree (which costs ~0.1 ms a field, too
 * much for the SMTP path): a comma-separated list of `local@domain` or `[phrase] <local@domain>`
 * where the phrase is atoms (and dots, obs-phrase) or one simple quoted string, the local part a
 * dot-atom and the domain a host name. Anything else (comments, groups, routes, escapes,
 * domain literals, a stray character) goes to the grammar. The fast path gives what the grammar
 * gives for the forms it accepts (test/imap/addresses.test.ts checks that both agree).
 */
const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]";
const DOT_ATOM = `${ATEXT}+(?:\\.${ATEXT}+)*`;
const HOST = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*';
const PHRASE = `${ATEXT}+(?:[ \\t.]+${ATEXT}+)*\\.?`;
const SIMPLE_MAILBOX = new RegExp(`^[ \\t]*(?:(${DOT_ATOM})@(${HOST})|(?:(${PHRASE})|"([^"\\\\\\r\\n]*)")?[ \\t]*<(${DOT_ATOM})@(${HOST})>)[ \\t]*$`);

function simpleList(text: string): AddressEntry[] | null {
  if (text.length > 4096) return null;
  const out: AddressEntry[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    if (i < text.length && (c !== ',' || quoted)) continue;
    const m = SIMPLE_MAILBOX.exec(text.slice(start, i));
    if (!m) return null;
    const name = m[3] !== undefined ? m[3].replace(/[ \t]+/g, ' ') : m[4] ?? '';
    out.push(m[1] !== undefined
      ? { kind: 'mailbox', name: '', route: null, local: m[1], domain: m[2]! }
      : { kind: 'mailbox', name: decodeEncodedWords(name), route: null, local: m[5]!, domain: m[6]! });
    start = i + 1;
  }
  return out;
}

/** An address header's value (raw, latin1) as its entries; never throws. */
export function parseAddressHeader(value: string): AddressEntry[] {
  try {
    // RFC 6532: 8-bit UTF-8 in names and addresses is allowed and is text.
    const text = headerText(value).trim();
    if (text === '') return [];
    const simple = simpleList(text);
    if (simple) return simple;
    const parsed = text.length <= MAX_GRAMMAR_CHARS ? emailAddresses({ input: text, startAt: 'address-list', rfc6532: true }) : null;
    if (!parsed) return lenient(text);
    return parsed.addresses.map((a): AddressEntry =>
      a.type === 'group' ? { kind: 'group', name: decodeEncodedWords(a.name ?? ''), members: a.addresses.map(fromGrammar) } : { kind: 'mailbox', ...fromGrammar(a) },
    );
  } catch {
    return [];
  }
}

/** local@domain as one string (no domain: the local part alone). */
export function addressOf(mailbox: ParsedMailbox): string {
  return mailbox.domain === null ? mailbox.local : `${mailbox.local}@${mailbox.domain}`;
}

/** Every mailbox of an address header, group members included, as the listing shows them. */
export function parseAddressList(value: string): Address[] {
  const out: Address[] = [];
  for (const entry of parseAddressHeader(value)) {
    for (const m of entry.kind === 'group' ? entry.members : [entry]) out.push({ name: m.name, address: addressOf(m) });
  }
  return out.filter((a) => a.address !== '' || a.name !== '');
}

export function parseListingFields(raw: Buffer): ListingFields {
  const fields: ListingFields = { from: null, to: [], subject: '', dateMs: null };
  for (const [name, value] of unfoldHeaders(raw, 0, headerEnd(raw), WANTED)) {
    switch (name) {
      case 'from':
        fields.from ??= parseAddressList(value)[0] ?? null;
        break;
      case 'to':
      case 'cc':
        fields.to.push(...parseAddressList(value));
        break;
      case 'subject':
        if (fields.subject === '') fields.subject = decodeHeaderValue(value);
        break;
      case 'date': {
        const ms = Date.parse(value.replace(/\s*\([^)]*\)\s*$/, ''));
        if (fields.dateMs === null && Number.isFinite(ms)) fields.dateMs = ms;
        break;
      }
    }
  }
  return fields;
}
