/**
 * A header block (of the message or of one MIME part) as unfolded fields, the one reader of
 * header bytes: the listing fields parsed while the SMTP client waits (headers.ts), the MIME tree
 * behind IMAP BODYSTRUCTURE, sections and SEARCH (mime-tree.ts), and the fallback headers of a
 * failed full parse (parse.ts) all read fields through `unfoldHeaders`.
 *
 * Values stay latin1 strings of the raw bytes, so one character is one byte and offsets stay
 * exact for IMAP; turning a value into text a person reads (8-bit UTF-8, RFC 2047 words) is
 * decode.ts's job. Only CRLF line ends exist in stored mail (SMTP refuses bare LF).
 */

/** A header block larger than this is not read past it: a hostile 10 MiB header costs nothing. */
export const MAX_HEADER_BLOCK_BYTES = 256 * 1024;

/** Unfolded header fields in order: lower-cased name, raw (latin1) value with the outer whitespace trimmed. */
export type HeaderFields = Array<[string, string]>;

/** Offset after the blank line ending the header block that starts at `start`, or `end` if there is none. */
export function bodyStartOf(raw: Buffer, start = 0, end = raw.length): number {
  if (end - start >= 2 && raw[start] === 0x0d && raw[start + 1] === 0x0a) return start + 2;
  const blank = raw.subarray(start, end).indexOf('\r\n\r\n');
  return blank === -1 ? end : start + blank + 4;
}

/**
 * The fields of the header block starting at `start` (at most MAX_HEADER_BLOCK_BYTES of it).
 * With `wanted`, only fields of those (lower-case) names are kept. A line that is neither a
 * field nor a continuation ends the field before it and is skipped.
 */
export function unfoldHeaders(raw: Buffer, start = 0, end = bodyStartOf(raw, start), wanted?: ReadonlySet<string>): HeaderFields {
  const block = raw.toString('latin1', start, Math.min(end, start + MAX_HEADER_BLOCK_BYTES));
  const out: HeaderFields = [];
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

/** The raw value of the first field named `name` (lower-case), or null. */
export function headerValue(headers: HeaderFields, name: string): string | null {
  for (const [n, v] of headers) if (n === name) return v;
  return null;
}
