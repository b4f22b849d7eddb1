/**
 * SEARCH keys (RFC 3501 §6.4.4) parsed into a tree: a list of keys is their conjunction, NOT and
 * OR combine, parentheses group, and a bare sequence set is a key. Only UTF-8 and US-ASCII are
 * accepted after CHARSET (anything else gets NO [BADCHARSET], §6.4.4).
 */
import type { Flag } from '../../store/types.js';
import { ImapSyntaxError, astring, isSequenceSet, parseSequenceSet, type SequenceSet, type Token } from '../syntax.js';
import { parseSearchDate } from '../format.js';

export type DateOp = 'before' | 'on' | 'since';

export type SearchKey =
  | { kind: 'all' }
  | { kind: 'none' }
  | { kind: 'flag'; flag: Flag; set: boolean }
  | { kind: 'recent'; set: boolean }
  /** Values of header, body and text keys are lower-cased here, once (§6.4.4 matching is case-insensitive). */
  | { kind: 'header'; field: string; value: string }
  | { kind: 'body'; value: string }
  | { kind: 'text'; value: string }
  | { kind: 'date'; sent: boolean; op: DateOp; dayMs: number }
  | { kind: 'size'; larger: boolean; bytes: number }
  | { kind: 'seq'; set: SequenceSet }
  | { kind: 'uid'; set: SequenceSet }
  | { kind: 'not'; key: SearchKey }
  | { kind: 'or'; a: SearchKey; b: SearchKey }
  | { kind: 'and'; keys: SearchKey[] };

const FLAG_KEYS: Record<string, [Flag, boolean]> = {
  SEEN: ['seen', true],
  UNSEEN: ['seen', false],
  FLAGGED: ['flagged', true],
  UNFLAGGED: ['flagged', false],
  DELETED: ['deleted', true],
  UNDELETED: ['deleted', false],
  ANSWERED: ['answered', true],
  UNANSWERED: ['answered', false],
  DRAFT: ['draft', true],
  UNDRAFT: ['draft', false],
};

const HEADER_KEYS: Record<string, string> = { FROM: 'from', TO: 'to', CC: 'cc', BCC: 'bcc', SUBJECT: 'subject' };
const DATE_KEYS: Record<string, [boolean, DateOp]> = {
  BEFORE: [false, 'before'],
  ON: [false, 'on'],
  SINCE: [false, 'since'],
  SENTBEFORE: [true, 'before'],
  SENTON: [true, 'on'],
  SENTSINCE: [true, 'since'],
};
const MAX_KEYS = 1000;
const MAX_DEPTH = 32;

export class BadCharset extends Error {}

class KeyReader {
  private at = 0;
  count = 0;

  constructor(private readonly tokens: Token[]) {}

  done(): boolean {
    return this.at >= this.tokens.length;
  }

  private take(what: string): Token {
    const t = this.tokens[this.at++];
    if (!t) throw new ImapSyntaxError(`SEARCH: missing ${what}`);
    return t;
  }

  private text(what: string): string {
    return astring(this.take(what), what);
  }

  private number(what: string): number {
    const value = this.text(what);
    if (!/^\d{1,15}$/.test(value)) throw new ImapSyntaxError(`SEARCH: ${what} must be a number`);
    return Number(value);
  }

  key(depth = 0): SearchKey {
    if (++this.count > MAX_KEYS || depth > MAX_DEPTH) throw new ImapSyntaxError('SEARCH: too many keys');
    const token = this.take('a search key');
    if (token.kind === 'list') {
      if (token.items.length === 0) throw new ImapSyntaxError('SEARCH: empty parentheses');
      const inner = new KeyReader(token.items);
      inner.count = this.count;
      const keys: SearchKey[] = [];
      while (!inner.done()) keys.push(inner.key(depth + 1));
      this.count = inner.count;
      return keys.length === 1 ? keys[0]! : { kind: 'and', keys };
    }
    if (token.kind !== 'atom') throw new ImapSyntaxError('SEARCH: expected a search key, not a string');
    const name = token.value.toUpperCase();
    if (isSequenceSet(token.value)) return { kind: 'seq', set: parseSequenceSet(token.value) };
    const flag = FLAG_KEYS[name];
    if (flag) return { kind: 'flag', flag: flag[0], set: flag[1] };
    const header = HEADER_KEYS[name];
    if (header) return { kind: 'header', field: header, value: this.text(`a ${name} string`).toLowerCase() };
    const date = DATE_KEYS[name];
    if (date) {
      const dayMs = parseSearchDate(this.text('a date'));
      if (dayMs === null) throw new ImapSyntaxError(`SEARCH ${name}: dates look like 1-Feb-1994`);
      return { kind: 'date', sent: date[0], op: date[1], dayMs };
    }
    switch (name) {
      case 'ALL':
        return { kind: 'all' };
      case 'RECENT':
        return { kind: 'recent', set: true };
      case 'OLD':
        return { kind: 'recent', set: false };
      case 'NEW':
        return { kind: 'and', keys: [{ kind: 'recent', set: true }, { kind: 'flag', flag: 'seen', set: false }] };
      case 'KEYWORD':
        this.text('a keyword');
        return { kind: 'none' }; // keywords are never kept
      case 'UNKEYWORD':
        this.text('a keyword');
        return { kind: 'all' };
      case 'HEADER': {
        const field = this.text('a header field name').toLowerCase();
        return { kind: 'header', field, value: this.text('a header value').toLowerCase() };
      }
      case 'BODY':
        return { kind: 'body', value: this.text('a BODY string').toLowerCase() };
      case 'TEXT':
        return { kind: 'text', value: this.text('a TEXT string').toLowerCase() };
      case 'LARGER':
        return { kind: 'size', larger: true, bytes: this.number('a size') };
      case 'SMALLER':
        return { kind: 'size', larger: false, bytes: this.number('a size') };
      case 'UID':
        return { kind: 'uid', set: parseSequenceSet(this.text('a UID set')) };
      case 'NOT':
        return { kind: 'not', key: this.key(depth + 1) };
      case 'OR':
        return { kind: 'or', a: this.key(depth + 1), b: this.key(depth + 1) };
      default:
        throw new ImapSyntaxError(`SEARCH: unknown key ${token.value.slice(0, 30)}`);
    }
  }
}

/** The whole SEARCH argument list: [CHARSET name] key *(SP key). */
export function parseSearch(tokens: Token[]): SearchKey {
  let rest = tokens;
  const first = rest[0];
  if (first?.kind === 'atom' && first.value.toUpperCase() === 'CHARSET') {
    const charset = astring(rest[1], 'a charset name').toUpperCase();
    if (charset !== 'UTF-8' && charset !== 'US-ASCII') throw new BadCharset(charset);
    rest = rest.slice(2);
  }
  const reader = new KeyReader(rest);
  const keys: SearchKey[] = [];
  while (!reader.done()) keys.push(reader.key());
  if (keys.length === 0) throw new ImapSyntaxError('SEARCH needs at least one key');
  return keys.length === 1 ? keys[0]! : { kind: 'and', keys };
}

/** What evaluating a key reads of each message, besides the session's view (flags, sizes, dates). */
export interface ContentNeeds {
  /** The header fields (HEADER, FROM, SUBJECT…, TEXT, SENT* dates). */
  headers: boolean;
  /** The decoded body text (BODY, TEXT). */
  body: boolean;
}

export function contentNeeds(key: SearchKey): ContentNeeds {
  switch (key.kind) {
    case 'header':
      return { headers: true, body: false };
    case 'body':
      return { headers: false, body: true };
    case 'text':
      return { headers: true, body: true };
    case 'date':
      return { headers: key.sent, body: false };
    case 'not':
      return contentNeeds(key.key);
    case 'or':
      return either([key.a, key.b]);
    case 'and':
      return either(key.keys);
    default:
      return { headers: false, body: false };
  }
}

function either(keys: readonly SearchKey[]): ContentNeeds {
  const needs = keys.map(contentNeeds);
  return { headers: needs.some((n) => n.headers), body: needs.some((n) => n.body) };
}
