/**
 * The FETCH data items (RFC 3501 §6.4.5) as parsed from the command: macros (ALL, FAST, FULL),
 * single items and BODY[section]<partial> / BODY.PEEK[…]. Which items set \Seen and which need
 * the message bytes or its MIME structure is decided here, once, for the whole command.
 */
import { ImapSyntaxError, type Token } from '../syntax.js';
import { parseSection, sectionLabel, type Section } from '../section.js';

export type SimpleItem = 'FLAGS' | 'UID' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODYSTRUCTURE' | 'BODY' | 'RFC822' | 'RFC822.HEADER' | 'RFC822.TEXT';

export type FetchItem =
  | { kind: 'simple'; name: SimpleItem }
  | { kind: 'section'; peek: boolean; section: Section; start: number | null; length: number | null };

const SIMPLE = new Set<string>(['FLAGS', 'UID', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT']);

const MACROS: Record<string, SimpleItem[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

const BODY_SECTION = /^BODY(\.PEEK)?\[([^\]]*)\](?:<(\d{1,10})(?:\.(\d{1,10}))?>)?$/i;

function item(text: string): FetchItem {
  const upper = text.toUpperCase();
  if (SIMPLE.has(upper)) return { kind: 'simple', name: upper as SimpleItem };
  const match = BODY_SECTION.exec(text);
  if (!match) throw new ImapSyntaxError(`unknown FETCH item ${text.slice(0, 40)}`);
  const length = match[4] === undefined ? null : Number(match[4]);
  if (length === 0) throw new ImapSyntaxError('a partial fetch needs a length of at least 1');
  return { kind: 'section', peek: match[1] !== undefined, section: parseSection(match[2]!), start: match[3] === undefined ? null : Number(match[3]), length };
}

export function parseFetchItems(token: Token | null): FetchItem[] {
  if (!token) throw new ImapSyntaxError('FETCH needs data items');
  if (token.kind === 'atom') {
    const macro = MACROS[token.value.toUpperCase()];
    if (macro) return macro.map((name) => ({ kind: 'simple', name }));
    return [item(token.value)];
  }
  if (token.kind !== 'list' || token.items.length === 0) throw new ImapSyntaxError('FETCH needs data items');
  return token.items.map((t) => {
    if (t.kind !== 'atom') throw new ImapSyntaxError('FETCH items are atoms such as FLAGS or BODY[]');
    return item(t.value);
  });
}

/** Whether fetching these items marks the message \Seen (§6.4.5: BODY[…] and RFC822, RFC822.TEXT). */
export function setsSeen(items: FetchItem[]): boolean {
  return items.some((i) => (i.kind === 'section' ? !i.peek : i.name === 'RFC822' || i.name === 'RFC822.TEXT'));
}

/** What answering the items reads: the raw bytes (sections, structure, RFC822…), or only the cached header (ENVELOPE). */
export function fetchNeeds(items: FetchItem[]): { raw: boolean; headers: boolean } {
  const raw = items.some((i) => i.kind === 'section' || ['BODYSTRUCTURE', 'BODY', 'RFC822', 'RFC822.HEADER', 'RFC822.TEXT'].includes(i.name));
  return { raw, headers: items.some((i) => i.kind === 'simple' && i.name === 'ENVELOPE') };
}

/** How a section item is named in the response: BODY[HEADER.FIELDS (SUBJECT)]<0> (PEEK is dropped). */
export function responseLabel(i: Extract<FetchItem, { kind: 'section' }>): string {
  return `BODY[${sectionLabel(i.section)}]${i.start !== null ? `<${i.start}>` : ''}`;
}
