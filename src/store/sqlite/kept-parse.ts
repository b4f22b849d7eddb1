/**
 * What the store keeps of a body's full parse, so that a message read never parses: the indexer
 * makes it (`keepParse`) once, the reader rebuilds the `ParsedBody` from it (`restoreParse`) with
 * string copies only. A 4 KiB message read this way costs tens of µs instead of the ~0.7 ms of
 * postal-mime on the main thread (BENCHMARKS.md, issue 13 §4).
 *
 * Compact, because a later issue wants the store much smaller and the raw bytes are kept anyway:
 * - the preview, codes and (up to SUMMARY_LINKS) links are the summary's columns already;
 * - a text or HTML body that is one stretch of the raw bytes read as UTF-8 with CRLF as LF (an
 *   identity-encoded UTF-8 or ASCII part, by far the usual case) is kept as its offsets;
 * - so is one that is such a stretch once its quoted-printable or base64 is decoded (RFC 2045
 *   §6.7, §6.8), with the encoding named: transactional mail is mostly encoded, and keeping its
 *   decoded text took about half as many bytes as the raw message again (issue 18);
 * - headers that are exactly the message's header block unfolded (header-block.ts) are not kept;
 * Only what differs from the raw bytes (a base64 or quoted-printable part, another charset, a
 * long list of links) is kept as text. Every shortcut is checked against the parse itself before
 * it is taken, so the rebuilt parse is always exactly the one made.
 */
import { unfoldHeaders } from '../../mail/header-block.js';
import { parseMimeTree, type MimePart } from '../../mail/mime-tree.js';
import { SUMMARY_LINKS, type AttachmentInfo, type Header, type ParsedBody } from '../types.js';

/**
 * [start, end) of the raw bytes, and how they are encoded: 'q' quoted-printable, 'b' base64, none
 * as they are; 'qn' and 'bn' when the parse ends the decoded text with a line end the span leaves
 * to the delimiter after it.
 */
type Encoded = 'q' | 'b' | 'qn' | 'bn';
type Span = [number, number] | [number, number, Encoded];

interface Kept {
  /** Headers when they are not the unfolded header block: [name, value] pairs. */
  h?: Array<[string, string]>;
  t?: string | Span;
  x?: string | Span;
  a?: AttachmentInfo[];
  /** Every link, when there are more than the summary holds. */
  l?: string[];
}

/** The summary's own columns, which the kept parse does not repeat. */
export interface SummaryParts {
  preview: string;
  codes: string[];
  links: string[];
}

function spanText(raw: Buffer, [start, end, encoding]: Span): string {
  if (encoding === undefined) return raw.toString('utf8', start, end).replace(/\r\n/g, '\n');
  const bytes = encoding[0] === 'b' ? Buffer.from(raw.toString('latin1', start, end), 'base64') : quotedPrintable(raw, start, end);
  const text = bytes.toString('utf8').replace(/\r\n/g, '\n');
  return encoding.length === 2 ? `${text}\n` : text;
}

/** RFC 2045 §6.7: soft line breaks go, `=XX` is the byte XX; anything else stays as it is. */
function quotedPrintable(raw: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    const byte = raw[i]!;
    if (byte !== 0x3d) out[n++] = byte;
    else if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a && i + 2 < end) i += 2;
    else if (raw[i + 1] === 0x0a && i + 1 < end) i += 1;
    else {
      const high = i + 2 < end ? hexValue(raw[i + 1]!) : -1;
      const low = high === -1 ? -1 : hexValue(raw[i + 2]!);
      if (low === -1) out[n++] = byte;
      else {
        out[n++] = high * 16 + low;
        i += 2;
      }
    }
  }
  return out.subarray(0, n);
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/** Charsets whose bytes read as UTF-8 are the text (ASCII is UTF-8). */
const UTF8_CHARSETS = new Set(['', 'utf-8', 'utf8', 'us-ascii', 'ascii']);

/** The body ranges of the text leaves, where a decoded text may be found as is or once its transfer encoding is undone. */
function textSpans(part: MimePart, out: Span[] = []): Span[] {
  if (part.children.length > 0) for (const child of part.children) textSpans(child, out);
  else if (part.message) textSpans(part.message, out);
  else if (part.contentType.type === 'text') {
    if (['7bit', '8bit', 'binary'].includes(part.encoding)) out.push([part.bodyStart, part.end]);
    else if (UTF8_CHARSETS.has((part.contentType.params.find(([name]) => name.toLowerCase() === 'charset')?.[1] ?? '').toLowerCase())) {
      const code = part.encoding === 'quoted-printable' ? 'q' : part.encoding === 'base64' ? 'b' : null;
      if (code) out.push([part.bodyStart, part.end, code]);
    }
  }
  return out;
}

function sameHeaders(parsed: readonly Header[], raw: Buffer): boolean {
  const unfolded = unfoldHeaders(raw);
  return unfolded.length === parsed.length && unfolded.every(([name, value], i) => parsed[i]!.name === name && parsed[i]!.value === value);
}

/** The kept form of `parsed` (the parse of `raw`), as JSON. */
export function keepParse(raw: Buffer, parsed: ParsedBody): string {
  const kept: Kept = {};
  if (!sameHeaders(parsed.headers, raw)) kept.h = parsed.headers.map((h) => [h.name, h.value]);
  const spans = parsed.text !== '' || parsed.html !== '' ? textSpans(parseMimeTree(raw)) : [];
  // Each encoded span is decoded once, however many texts are looked for in it.
  const decoded = new Map<Span, string>();
  const asSpan = (text: string): string | Span | undefined => {
    if (text === '') return undefined;
    for (const span of spans) {
      const [start, end, code] = span;
      if (code === undefined) {
        if (end - start >= text.length && spanText(raw, span) === text) return span;
        continue;
      }
      // Decoding gives at most as many bytes as the span (base64: 3/4), and a UTF-16 text has no more units than its UTF-8 bytes.
      if (text.length > (code === 'b' ? ((end - start) * 3) / 4 : end - start) + 1) continue;
      let plain = decoded.get(span);
      if (plain === undefined) decoded.set(span, (plain = spanText(raw, span)));
      if (plain === text) return span;
      if (`${plain}\n` === text) return [start, end, code === 'q' ? 'qn' : 'bn'];
    }
    return text;
  };
  kept.t = asSpan(parsed.text);
  kept.x = asSpan(parsed.html);
  if (parsed.attachments.length > 0) kept.a = parsed.attachments;
  if (parsed.links.length > SUMMARY_LINKS) kept.l = parsed.links;
  return JSON.stringify(kept);
}

/** The parse `keepParse` kept, rebuilt from it, the raw bytes and the summary's columns. */
export function restoreParse(json: string, raw: Buffer, summary: SummaryParts): ParsedBody {
  const kept = JSON.parse(json) as Kept;
  const text = (value: string | Span | undefined): string => (value === undefined ? '' : typeof value === 'string' ? value : spanText(raw, value));
  return {
    headers: kept.h ? kept.h.map(([name, value]) => ({ name, value })) : unfoldHeaders(raw).map(([name, value]) => ({ name, value })),
    text: text(kept.t),
    html: text(kept.x),
    attachments: kept.a ?? [],
    links: kept.l ?? summary.links,
    codes: summary.codes,
    preview: summary.preview,
  };
}
