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
 * - headers that are exactly the message's header block unfolded (header-block.ts) are not kept;
 * Only what differs from the raw bytes (a base64 or quoted-printable part, another charset, a
 * long list of links) is kept as text. Every shortcut is checked against the parse itself before
 * it is taken, so the rebuilt parse is always exactly the one made.
 */
import { unfoldHeaders } from '../../mail/header-block.js';
import { parseMimeTree, type MimePart } from '../../mail/mime-tree.js';
import { SUMMARY_LINKS, type AttachmentInfo, type Header, type ParsedBody } from '../types.js';

/** [start, end) of the raw bytes. */
type Span = [number, number];

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

function spanText(raw: Buffer, [start, end]: Span): string {
  return raw.toString('utf8', start, end).replace(/\r\n/g, '\n');
}

/** The body ranges of the identity-encoded text leaves, where a decoded text may be found as is. */
function textSpans(part: MimePart, out: Span[] = []): Span[] {
  if (part.children.length > 0) for (const child of part.children) textSpans(child, out);
  else if (part.message) textSpans(part.message, out);
  else if (part.contentType.type === 'text' && ['7bit', '8bit', 'binary'].includes(part.encoding)) out.push([part.bodyStart, part.end]);
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
  const asSpan = (text: string): string | Span | undefined => {
    if (text === '') return undefined;
    return spans.find((span) => span[1] - span[0] >= text.length && spanText(raw, span) === text) ?? text;
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
