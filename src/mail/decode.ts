/**
 * The one way a message's bytes become the words people read and search for. Every reader of
 * decoded text goes through here, so the listing (and with it the message JSON and the HTTP
 * search index), IMAP SEARCH and the web UI can never disagree about what a message says:
 *
 * - header values: `decodeHeaderValue` (8-bit bytes as UTF-8, RFC 6532 §3.2; encoded words
 *   decoded, RFC 2047, in any charset TextDecoder knows: ISO-8859-1, Shift_JIS, …);
 * - bodies: the full MIME parse (parse.ts, postal-mime) undoes the transfer encodings (RFC 2045
 *   §6.7 quoted-printable, §6.8 base64) and charsets of the text parts once, into
 *   `ParsedBody.text`/`html`; `searchableBody` is the body text a search sees: the text and, when
 *   the HTML part says more, that HTML's text too (a word only in the HTML alternative is still in
 *   the message a person reads). Text attachments are attachments, not the message's text.
 *
 * Raw bytes are never decoded here for IMAP's byte-exact answers (BODY[] sections,
 * BODYSTRUCTURE sizes); those read the MIME tree's offsets. Nothing here throws.
 */
import { decodeWords } from 'postal-mime';
import { htmlToText } from './extract.js';
import type { ParsedBody } from './model.js';

// eslint-disable-next-line no-control-regex
const EIGHT_BIT = /[^\x00-\x7f]/;

/** A raw (latin1) header value as text: 8-bit bytes are UTF-8 (RFC 6532), as SMTPUTF8 mail sends them. */
export function headerText(latin1Value: string): string {
  return EIGHT_BIT.test(latin1Value) ? Buffer.from(latin1Value, 'latin1').toString('utf8') : latin1Value;
}

/** RFC 2047 encoded words of already-textual header content decoded; the text itself if they cannot be. */
export function decodeEncodedWords(text: string): string {
  try {
    return decodeWords(text);
  } catch {
    return text;
  }
}

/** A raw (latin1) header value as a person reads it: 8-bit bytes as UTF-8, encoded words decoded. */
export function decodeHeaderValue(latin1Value: string): string {
  return decodeEncodedWords(headerText(latin1Value));
}

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The body text searches match (the HTTP index's body column and IMAP SEARCH BODY/TEXT): the text
 * body, then the text of the HTML body if it has a word the text body lacks. Most HTML
 * alternatives repeat the text word for word, and indexing those twice would double the index's
 * work for nothing; an HTML-only message's text already is its HTML's text (parse.ts).
 */
export function searchableBody(parsed: Pick<ParsedBody, 'text' | 'html'>): string {
  if (parsed.html === '') return parsed.text;
  const htmlText = htmlToText(parsed.html);
  if (htmlText === parsed.text) return parsed.text;
  const known = new Set(parsed.text.toLowerCase().match(WORD));
  const saysMore = (htmlText.toLowerCase().match(WORD) ?? []).some((word) => !known.has(word));
  return saysMore ? `${parsed.text}\n${htmlText}` : parsed.text;
}
