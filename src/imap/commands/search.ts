/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4, §6.4.8): evaluate the key tree (search-keys.ts) over
 * the selected mailbox. Flags, sizes, internal dates, sequence numbers and UIDs come from the
 * session's view; only keys on headers, text or the Date header read the message, once each.
 *
 * Matching is a case-insensitive substring match (§6.4.4) on decoded text, decoded exactly as
 * the message JSON and the HTTP search index decode it (mail/decode.ts): header values with
 * 8-bit UTF-8 and RFC 2047 words decoded, the body as the full parse's searchable text (text
 * parts with transfer encoding and charset undone, and the HTML part's text). Dates compare whole
 * days, ignoring time (§6.4.4): the internal date's day in UTC, the Date header's day as written.
 *
 * TEXT matches the header (field names and decoded values, §6.4.4 "header or body") and the
 * body. Address fields also match their addresses as the RFC 5322 parser reads them
 * (mail/headers.ts), so FROM finds a mailbox written with comments or folding inside it. Header
 * fields come from the shared header cache (message-cache.ts), already decoded and lower-cased,
 * so a header search over a whole mailbox reads the store only for messages not cached yet.
 *
 * Messages expunged by another session but not yet announced (§7.4.1 forbids it during
 * SEARCH) are left out and the completion says `OK [EXPUNGEISSUED]` (RFC 5530 §3, RFC 2180 §4.1).
 */
import { searchableBody } from '../../mail/decode.js';
import { headerValue } from '../../mail/header-block.js';
import { dayOf, parseSearchDate } from '../format.js';
import { inSequenceSet } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import type { MessageRef, SelectedMailbox } from '../mailbox.js';
import type { MessageHeaders } from '../message-cache.js';
import { BadCharset, contentNeeds, parseSearch, type DateOp, type SearchKey } from './search-keys.js';

interface Candidate {
  ref: MessageRef;
  /** The message's header, if the key reads it and the message still exists. */
  headers: MessageHeaders | null;
  /** Its searchable body text, if the key reads it ('' once the message is gone). */
  body: string;
}

function compareDay(day: number, op: DateOp, wanted: number): boolean {
  return op === 'before' ? day < wanted : op === 'on' ? day === wanted : day >= wanted;
}

/** The day of the Date header as written ("Sat, 21 Nov 2026 23:30 -0500" is the 21st). */
function sentDay(value: string | null): number | null {
  if (value === null) return null;
  const m = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\s+(\d{4})/.exec(value);
  if (m) return parseSearchDate(`${m[1]}-${m[2]}-${m[3]}`);
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? dayOf(ms) : null;
}

/** `lowerNeedle` is already lower-cased (search-keys.ts). */
function contains(haystack: string, lowerNeedle: string): boolean {
  return haystack.toLowerCase().includes(lowerNeedle);
}

function headerMatches(c: Candidate, field: string, lowerValue: string): boolean {
  // The values of one field joined by newlines; a needle with a newline (only a literal can hold one) is matched per value.
  const values = c.headers?.field(field) ?? null;
  if (values === null) return false;
  if (!lowerValue.includes('\n')) return values.includes(lowerValue);
  return values.split('\n').some((v) => v.includes(lowerValue));
}

function matches(key: SearchKey, c: Candidate, view: SelectedMailbox): boolean {
  const { uid, seq } = c.ref;
  switch (key.kind) {
    case 'all':
      return true;
    case 'none':
      return false;
    case 'flag':
      return view.flags(uid).includes(key.flag) === key.set;
    case 'recent':
      return view.isRecent(uid) === key.set;
    case 'header':
      return headerMatches(c, key.field, key.value);
    case 'body':
      return contains(c.body, key.value);
    case 'text':
      return !!c.headers && (c.headers.text().includes(key.value) || contains(c.body, key.value));
    case 'date': {
      const day = key.sent ? sentDay(c.headers ? headerValue(c.headers.fields, 'date') : null) : dayOf(view.entry(uid)?.receivedAtMs ?? 0);
      return day !== null && compareDay(day, key.op, key.dayMs);
    }
    case 'size': {
      const size = view.entry(uid)?.size ?? 0;
      return key.larger ? size > key.bytes : size < key.bytes;
    }
    case 'seq':
      return inSequenceSet(key.set, seq, view.exists);
    case 'uid':
      return inSequenceSet(key.set, uid, view.uids[view.uids.length - 1] ?? 0);
    case 'not':
      return !matches(key.key, c, view);
    case 'or':
      return matches(key.a, c, view) || matches(key.b, c, view);
    case 'and':
      return key.keys.every((k) => matches(k, c, view));
  }
}

export const search: Handler = async ({ session, args, uid, out }) => {
  let key: SearchKey;
  try {
    key = parseSearch(args.all());
  } catch (error) {
    if (error instanceof BadCharset) return no(`Charset ${error.message.slice(0, 30)} is not supported`, 'BADCHARSET (UTF-8 US-ASCII)');
    throw error;
  }
  const view = session.mailbox!;
  const needs = contentNeeds(key);
  const { messages, store } = session.services;
  const found: number[] = [];
  let expunged = 0;
  // One candidate, refilled per message: a search over a large mailbox allocates per match, not per message.
  const c: Candidate = { ref: { seq: 0, uid: 0 }, headers: null, body: '' };
  for (let i = 0; i < view.uids.length; i++) {
    const id = view.uids[i]!;
    if (view.isGone(id)) {
      expunged++;
      continue;
    }
    c.ref.seq = i + 1;
    c.ref.uid = id;
    if (needs.headers) {
      c.headers = messages.cachedHeaders(id) ?? (await messages.headers(id));
      if (!c.headers) {
        expunged++;
        continue;
      }
    }
    if (needs.body) {
      // The store's full parse: the very ParsedBody the message JSON shows and the indexer's search text is made of.
      const stored = await store.get(id);
      if (!stored) {
        expunged++;
        continue;
      }
      c.body = searchableBody(stored.parsed);
    }
    if (matches(key, c, view)) found.push(uid ? id : i + 1);
  }
  await out.send(`* SEARCH${found.map((n) => ` ${n}`).join('')}`);
  const name = uid ? 'UID SEARCH' : 'SEARCH';
  return expunged > 0 ? ok(`${name} completed; ${expunged} messages expunged by another session were left out`, 'EXPUNGEISSUED') : ok(`${name} completed`);
};
