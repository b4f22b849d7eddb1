/**
 * The MIME structure of a message (RFC 2045, RFC 2046), as byte ranges into the raw bytes: what
 * IMAP BODYSTRUCTURE, ENVELOPE and section fetches (RFC 3501 §6.4.5) need, and nothing more.
 * Decoded text comes from the full parse (parse.ts, see decode.ts); this keeps offsets, so
 * `BODY[1.2]` returns exactly the bytes that were received.
 *
 * Never throws. Malformed input degrades instead of failing: a multipart without a boundary or
 * without any delimiter line is treated as one text/plain part; an unreadable Content-Type is
 * text/plain (RFC 2045 §5.2); nesting beyond MAX_DEPTH and parts beyond MAX_PARTS are not split
 * further. Only CRLF line ends exist in stored mail (SMTP refuses bare LF), so only CRLF is sought.
 * Header blocks are read by header-block.ts, the same reader the listing fields use.
 */
import { bodyStartOf, headerValue, unfoldHeaders, type HeaderFields } from './header-block.js';

export interface ContentType {
  type: string;
  subtype: string;
  /** Parameters in order, names lower-cased, values unquoted. */
  params: Array<[string, string]>;
}

export interface MimePart {
  /** Where the part's header block starts, and where its body starts (after the blank line). */
  headerStart: number;
  bodyStart: number;
  /** End of the body (exclusive). */
  end: number;
  /** Unfolded header fields: lower-cased name, raw value. */
  headers: HeaderFields;
  contentType: ContentType;
  /** Content-Transfer-Encoding, lower-cased; '7bit' when absent. */
  encoding: string;
  /** Number of lines of the body. */
  lines: number;
  /** Sub-parts of a multipart. */
  children: MimePart[];
  /** The encapsulated message of a message/rfc822 part. */
  message: MimePart | null;
}

const MAX_DEPTH = 20;
const MAX_PARTS = 1000;

interface Budget {
  parts: number;
}

export function parseMimeTree(raw: Buffer): MimePart {
  try {
    return parseEntity(raw, 0, raw.length, 0, false, { parts: 0 });
  } catch {
    // Defensive: the parser is written not to throw; if it ever does, the message is one text part.
    return flat(raw, 0, raw.length);
  }
}

function flat(raw: Buffer, start: number, end: number): MimePart {
  return {
    headerStart: start,
    bodyStart: start,
    end,
    headers: [],
    contentType: { type: 'text', subtype: 'plain', params: [['charset', 'us-ascii']] },
    encoding: '7bit',
    lines: countLines(raw, start, end),
    children: [],
    message: null,
  };
}

function parseEntity(raw: Buffer, start: number, end: number, depth: number, inDigest: boolean, budget: Budget): MimePart {
  budget.parts++;
  const bodyStart = bodyStartOf(raw, start, end);
  const headers = unfoldHeaders(raw, start, bodyStart);
  const declared = headerValue(headers, 'content-type');
  const fallback: ContentType = inDigest
    ? { type: 'message', subtype: 'rfc822', params: [] }
    : { type: 'text', subtype: 'plain', params: [['charset', 'us-ascii']] };
  let contentType = (declared !== null ? parseContentType(declared) : null) ?? fallback;
  const encoding = (headerValue(headers, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase() || '7bit';
  const part: MimePart = {
    headerStart: start,
    bodyStart,
    end,
    headers,
    contentType,
    encoding,
    lines: countLines(raw, bodyStart, end),
    children: [],
    message: null,
  };
  if (contentType.type === 'multipart') {
    const boundary = paramOf(contentType, 'boundary');
    const ranges = boundary && depth < MAX_DEPTH && budget.parts < MAX_PARTS ? splitMultipart(raw, bodyStart, end, boundary) : null;
    if (!ranges || ranges.length === 0) {
      contentType = { type: 'text', subtype: 'plain', params: [['charset', 'us-ascii']] };
      part.contentType = contentType;
      return part;
    }
    const digest = contentType.subtype === 'digest';
    for (const [s, e] of ranges) {
      if (budget.parts >= MAX_PARTS) break;
      part.children.push(parseEntity(raw, s, e, depth + 1, digest, budget));
    }
  } else if (contentType.type === 'message' && contentType.subtype === 'rfc822' && depth < MAX_DEPTH && budget.parts < MAX_PARTS) {
    // Only an identity encoding lets the encapsulated message be parsed in place (RFC 2046 §5.2.1).
    if (encoding === '7bit' || encoding === '8bit' || encoding === 'binary') part.message = parseEntity(raw, bodyStart, end, depth + 1, false, budget);
  }
  return part;
}

/**
 * Body-part ranges between the delimiter lines `--boundary` (RFC 2046 §5.1.1). The CRLF before
 * a delimiter belongs to the delimiter. Without a close delimiter the last part runs to the end.
 */
function splitMultipart(raw: Buffer, start: number, end: number, boundary: string): Array<[number, number]> | null {
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const ranges: Array<[number, number]> = [];
  let partStart = -1;
  let at = start;
  while (at < end) {
    const within = raw.subarray(at, end).indexOf(delimiter);
    if (within === -1) break;
    const found = at + within;
    const atLineStart = found === start || (found >= 2 && raw[found - 2] === 0x0d && raw[found - 1] === 0x0a);
    if (!atLineStart) {
      at = found + 1;
      continue;
    }
    let after = found + delimiter.length;
    const close = raw[after] === 0x2d && raw[after + 1] === 0x2d;
    if (close) after += 2;
    while (after < end && (raw[after] === 0x20 || raw[after] === 0x09)) after++;
    const lineEnd = after >= end ? end : raw[after] === 0x0d && raw[after + 1] === 0x0a ? after + 2 : -1;
    if (lineEnd === -1) {
      at = found + 1; // "--boundaryX…": a longer line that merely starts like the delimiter
      continue;
    }
    if (partStart !== -1) ranges.push([partStart, Math.max(partStart, found - 2)]);
    if (close) return ranges;
    partStart = lineEnd;
    at = lineEnd;
    if (ranges.length >= MAX_PARTS) return ranges;
  }
  if (partStart !== -1) ranges.push([partStart, end]);
  return ranges;
}

function countLines(raw: Buffer, start: number, end: number): number {
  let lines = 0;
  for (let i = raw.indexOf(0x0a, start); i !== -1 && i < end; i = raw.indexOf(0x0a, i + 1)) lines++;
  if (end > start && raw[end - 1] !== 0x0a) lines++;
  return lines;
}

export function paramOf(contentType: ContentType, name: string): string | null {
  for (const [n, v] of contentType.params) if (n === name) return v;
  return null;
}

/** `type/subtype; name=value; name="quoted value"` (RFC 2045 §5.1); null if unreadable. */
export function parseContentType(value: string): ContentType | null {
  const main = /^\s*([^\s/;]+)\s*\/\s*([^\s;]+)\s*/.exec(value);
  if (!main) return null;
  return { type: main[1]!.toLowerCase(), subtype: main[2]!.toLowerCase(), params: parseParams(value.slice(main[0].length)) };
}

/** The `; name=value` list after a Content-Type or Content-Disposition value. */
export function parseParams(text: string): Array<[string, string]> {
  const params: Array<[string, string]> = [];
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim();
    params.push([m[1]!.toLowerCase(), value]);
    if (params.length >= 64) break;
  }
  return params;
}

/** Content-Disposition: `attachment; filename=x` → its type and parameters; null if absent. */
export function parseDisposition(value: string | null): { type: string; params: Array<[string, string]> } | null {
  if (value === null) return null;
  const main = /^\s*([^\s;]+)/.exec(value);
  if (!main) return null;
  return { type: main[1]!.toLowerCase(), params: parseParams(value.slice(main[0].length)) };
}
