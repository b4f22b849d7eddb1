/**
 * Encoding server data for the wire (RFC 3501 §4): strings go out quoted when they can be
 * (7-bit, no CR/LF, short) and as literals otherwise; NIL for absent values; dates in the
 * date-time form of INTERNALDATE (§9). A response line may carry binary literals, so responses are
 * built as lists of chunks (strings and Buffers) rather than one string.
 */
import type { Flag } from '../store/types.js';

export type Chunk = string | Buffer;

const MAX_QUOTED_CHARS = 1024;

/** A string or literal for arbitrary text (RFC 3501 §4.3). */
export function str(value: string): Chunk {
  // eslint-disable-next-line no-control-regex
  if (value.length <= MAX_QUOTED_CHARS && /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value)) {
    return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  return literal(Buffer.from(value, 'utf8'));
}

/** A string from raw header bytes (latin1-decoded), sent back byte for byte. */
export function rawStr(value: string): Chunk {
  // eslint-disable-next-line no-control-regex
  if (value.length <= MAX_QUOTED_CHARS && /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/.test(value)) return str(value);
  return literal(Buffer.from(value, 'latin1'));
}

export function nstr(value: string | null | undefined): Chunk {
  return value === null || value === undefined ? 'NIL' : str(value);
}

export function literal(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`), bytes]);
}

/** Join chunks into one line fragment, merging adjacent strings. */
export function join(chunks: Chunk[], separator = ' '): Chunk[] {
  const out: Chunk[] = [];
  chunks.forEach((c, i) => {
    if (i > 0) out.push(separator);
    out.push(c);
  });
  return out;
}

export function paren(chunks: Chunk[]): Chunk[] {
  return ['(', ...join(chunks), ')'];
}

/** Store flags ↔ IMAP system flags (RFC 3501 §2.3.2). */
export const SYSTEM_FLAGS: Record<Flag, string> = {
  seen: '\\Seen',
  answered: '\\Answered',
  flagged: '\\Flagged',
  deleted: '\\Deleted',
  draft: '\\Draft',
};

export function flagFromImap(name: string): Flag | null {
  const lower = name.toLowerCase();
  for (const [flag, imap] of Object.entries(SYSTEM_FLAGS)) if (imap.toLowerCase() === lower) return flag as Flag;
  return null;
}

export function flagList(flags: readonly Flag[], recent = false): string {
  const names = flags.map((f) => SYSTEM_FLAGS[f]);
  if (recent) names.push('\\Recent');
  return `(${names.join(' ')})`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** date-time: "17-Jul-1996 02:44:25 +0000", always in UTC. */
export function internalDate(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `"${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000"`;
}

/** date (RFC 3501 §9): "1-Feb-1994" → the UTC midnight that starts that day, or null. */
export function parseSearchDate(text: string): number | null {
  const match = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})$/.exec(text);
  if (!match) return null;
  const month = MONTHS.findIndex((m) => m.toLowerCase() === match[2]!.toLowerCase());
  const day = Number(match[1]);
  if (month === -1 || day < 1 || day > 31) return null;
  return Date.UTC(Number(match[3]), month, day);
}

/** The UTC midnight starting the day that contains `ms`. */
export function dayOf(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Total bytes of a list of chunks as they will go on the wire. */
export function toBuffer(chunks: Chunk[]): Buffer {
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
}
