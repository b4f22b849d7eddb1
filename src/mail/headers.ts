/**
 * The cheap parse done while the SMTP client waits: only the top-level header block, and only
 * the fields a listing needs (From, To, Cc, Subject, Date). The full MIME parse happens later,
 * off the critical path (see parse.ts). Never throws: a malformed header gives empty fields.
 */
import { addressParser, decodeWords } from 'postal-mime';
import type { Address } from '../store/types.js';

export interface ListingFields {
  from: Address | null;
  to: Address[];
  subject: string;
  dateMs: number | null;
}

const WANTED = new Set(['from', 'to', 'cc', 'subject', 'date']);
/** A header block larger than this is not scanned for listing fields (they stay empty). */
const MAX_HEADER_SCAN_BYTES = 256 * 1024;

/** Byte offset where the body starts (after the blank line), or the message length if none. */
export function headerEnd(raw: Buffer): number {
  if (raw.length >= 2 && raw[0] === 0x0d && raw[1] === 0x0a) return 2;
  const blank = raw.indexOf('\r\n\r\n');
  return blank === -1 ? raw.length : blank + 4;
}

/** Unfolded header lines of the top-level header block, lower-cased names, raw values. */
export function readHeaders(raw: Buffer, wanted?: ReadonlySet<string>): Array<[string, string]> {
  const end = Math.min(headerEnd(raw), MAX_HEADER_SCAN_BYTES);
  const block = raw.toString('latin1', 0, end);
  const out: Array<[string, string]> = [];
  let current: [string, string] | null = null;
  for (const line of block.split('\r\n')) {
    if (line === '') break;
    if ((line[0] === ' ' || line[0] === '\t') && current) {
      current[1] += line; // RFC 5322 §2.2.3 unfolding: drop the CRLF, keep the whitespace
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) {
      current = null;
      continue;
    }
    const name = line.slice(0, colon).trim().toLowerCase();
    if (wanted && !wanted.has(name)) {
      current = null;
      continue;
    }
    current = [name, line.slice(colon + 1).trim()];
    out.push(current);
  }
  return out;
}

/** Header values were read as latin1 so offsets stay byte-exact; 8-bit (UTF-8) text is re-read here. */
function utf8(value: string): string {
  // eslint-disable-next-line no-control-regex
  return /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
}

function safeDecodeWords(value: string): string {
  try {
    return decodeWords(utf8(value));
  } catch {
    return utf8(value);
  }
}

export function parseAddressList(value: string): Address[] {
  try {
    const out: Address[] = [];
    for (const entry of addressParser(utf8(value))) {
      if ('group' in entry && Array.isArray(entry.group)) {
        for (const member of entry.group) out.push({ name: safeDecodeWords(member.name ?? ''), address: member.address ?? '' });
      } else if ('address' in entry) {
        out.push({ name: safeDecodeWords(entry.name ?? ''), address: entry.address ?? '' });
      }
    }
    return out.filter((a) => a.address !== '' || a.name !== '');
  } catch {
    return [];
  }
}

export function parseListingFields(raw: Buffer): ListingFields {
  const fields: ListingFields = { from: null, to: [], subject: '', dateMs: null };
  for (const [name, value] of readHeaders(raw, WANTED)) {
    switch (name) {
      case 'from':
        fields.from ??= parseAddressList(value)[0] ?? null;
        break;
      case 'to':
      case 'cc':
        fields.to.push(...parseAddressList(value));
        break;
      case 'subject':
        if (fields.subject === '') fields.subject = safeDecodeWords(value);
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
