/**
 * SEARCH and UID SEARCH (RFC 3501 §6.4.4, §6.4.8): evaluate the key tree (search-keys.ts) over
 * the selected mailbox. Flags, sizes, internal dates, sequence numbers and UIDs come from the
 * session's view; only keys on headers, text or the Date header read the message, once each.
 *
 * Matching is a case-insensitive substring match (§6.4.4) on decoded text: header values with
 * RFC 2047 words decoded, body parts with their transfer encoding and charset undone. Dates
 * compare whole days, ignoring time (§6.4.4): the internal date's day in UTC, the Date header's
 * day as written.
 */
import { headerValue } from '../../mail/mime-tree.js';
import { bodyText, decodeHeaderValue } from '../../mail/mime-text.js';
import { dayOf, parseSearchDate } from '../format.js';
import { inSequenceSet } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import type { LoadedMessage } from '../message-cache.js';
import type { MessageRef, SelectedMailbox } from '../mailbox.js';
import { BadCharset, needsContent, parseSearch, type DateOp, type SearchKey } from './search-keys.js';

interface Candidate {
  ref: MessageRef;
  message: LoadedMessage | null;
  text?: string;
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

function contains(haystack: string, needle: string): boolean {
  return haystack.toLowerCase().includes(needle.toLowerCase());
}

function headerMatches(c: Candidate, field: string, value: string): boolean {
  if (!c.message) return false;
  for (const [name, raw] of c.message.tree.headers) if (name === field && contains(decodeHeaderValue(raw), value)) return true;
  return false;
}

function body(c: Candidate): string {
  c.text ??= c.message ? bodyText(c.message.raw, c.message.tree) : '';
  return c.text;
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
      return view.recent.has(uid) === key.set;
    case 'header':
      return headerMatches(c, key.field, key.value);
    case 'body':
      return contains(body(c), key.value);
    case 'text':
      return !!c.message && (c.message.tree.headers.some(([, v]) => contains(decodeHeaderValue(v), key.value)) || contains(body(c), key.value));
    case 'date': {
      const day = key.sent ? sentDay(c.message ? headerValue(c.message.tree.headers, 'date') : null) : dayOf(view.entry(uid)?.receivedAtMs ?? 0);
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
  const content = needsContent(key);
  const found: number[] = [];
  for (let i = 0; i < view.uids.length; i++) {
    const ref = { seq: i + 1, uid: view.uids[i]! };
    if (view.isGone(ref.uid)) continue;
    const message = content ? await session.services.messages.load(ref.uid) : null;
    if (matches(key, { ref, message }, view)) found.push(uid ? ref.uid : ref.seq);
  }
  await out.send(`* SEARCH${found.map((n) => ` ${n}`).join('')}`);
  return ok(`${uid ? 'UID SEARCH' : 'SEARCH'} completed`);
};
