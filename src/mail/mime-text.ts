/**
 * Decoded text of a message for searching (IMAP SEARCH BODY/TEXT, RFC 3501 §6.4.4): every text
 * part of the MIME tree with its Content-Transfer-Encoding undone (RFC 2045 §6.7, §6.8) and its
 * charset decoded, and header values with their encoded words decoded (RFC 2047). Never throws;
 * an unknown charset falls back to UTF-8 with replacement characters.
 */
import { decodeWords } from 'postal-mime';
import { paramOf, type MimePart } from './mime-tree.js';

/** Text searched per message is capped: a search must not decode a 10 MiB attachment-like text part in full. */
const MAX_TEXT_BYTES = 2 * 1024 * 1024;

export function decodeQuotedPrintable(input: Buffer): Buffer {
  const text = input.toString('latin1').replace(/=\r?\n/g, '');
  const out = Buffer.alloc(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out[n++] = parseInt(text.slice(i + 1, i + 3), 16);
      i += 2;
    } else {
      out[n++] = c & 0xff;
    }
  }
  return out.subarray(0, n);
}

export function decodeTransfer(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

export function decodeCharset(bytes: Buffer, charset: string): string {
  try {
    return new TextDecoder(charset === 'us-ascii' ? 'utf-8' : charset).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** The decoded text of every text/* part (and of encapsulated messages' text parts). */
export function bodyText(raw: Buffer, root: MimePart): string {
  const out: string[] = [];
  let budget = MAX_TEXT_BYTES;
  const walk = (part: MimePart): void => {
    if (budget <= 0) return;
    if (part.children.length > 0) return part.children.forEach(walk);
    if (part.message) return walk(part.message);
    if (part.contentType.type !== 'text') return;
    const body = raw.subarray(part.bodyStart, Math.min(part.end, part.bodyStart + budget));
    budget -= body.length;
    out.push(decodeCharset(decodeTransfer(body, part.encoding), (paramOf(part.contentType, 'charset') ?? 'utf-8').toLowerCase()));
  };
  walk(root);
  return out.join('\n');
}

/** A header value as a person reads it: 8-bit bytes as UTF-8, encoded words decoded. */
export function decodeHeaderValue(latin1Value: string): string {
  // eslint-disable-next-line no-control-regex
  const text = /[^\x00-\x7f]/.test(latin1Value) ? Buffer.from(latin1Value, 'latin1').toString('utf8') : latin1Value;
  try {
    return decodeWords(text);
  } catch {
    return text;
  }
}
