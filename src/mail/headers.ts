/**
 * The cheap parse done while the SMTP client waits: only the top-level header block, and only
 * the fields a listing needs (From, To, Cc, Subject, Date). The full MIME parse happens later,
 * off the critical path (see parse.ts). Never throws: a malformed header gives empty fields.
 */
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

const WANTED: ReadonlySet<string> = new Set(['from', 'to', 'cc', 'subject', 'date']);

/** Byte offset where the body starts (after the blank line), or the message length if none. */
export function headerEnd(raw: Buffer): number {
  return bodyStartOf(raw);
}

export function parseAddressList(value: string): Address[] {
  try {
    const out: Address[] = [];
    for (const entry of addressParser(headerText(value))) {
      if ('group' in entry && Array.isArray(entry.group)) {
        for (const member of entry.group) out.push({ name: decodeEncodedWords(member.name ?? ''), address: member.address ?? '' });
      } else if ('address' in entry) {
        out.push({ name: decodeEncodedWords(entry.name ?? ''), address: entry.address ?? '' });
      }
    }
    return out.filter((a) => a.address !== '' || a.name !== '');
  } catch {
    return [];
  }
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
