/**
 * Which byte ranges of a message are worth storing once for every message that carries them:
 * the bodies of base64 parts that are not text (attachments, images, PDFs) of at least
 * MIN_SHARED_PART_BYTES. A shop that attaches the same terms.pdf to every receipt, or a sender
 * whose logo travels inline, then costs that part once however many mails repeat it (Mailinator
 * shared parts of mails with reference counts by 2018).
 *
 * Nothing here decides what a reader sees: a stored body is the concatenation of its pieces, so
 * any choice of ranges gives back the exact bytes; a wrong guess only costs space. So the ranges
 * come from a scan of the part headers, not the full MIME tree (mail/mime-tree.ts), which cost
 * ~70 µs per corpus message on the ingest path against a few µs here:
 * - each `Content-Transfer-Encoding: base64` header line starts a candidate; its part's header
 *   block runs from the delimiter line before it (RFC 2046 §5.1.1: `--boundary`) to the first
 *   empty line after it, and its Content-Type must be there and be neither text nor multipart;
 * - the body runs from that empty line to the next line that starts with `--` (a delimiter: the
 *   base64 alphabet has no `-`, RFC 2045 §6.8) or the end of the message, less its line ends,
 *   which belong to the delimiter (so one attachment is one hash wherever it travels).
 * Text parts are left to the compressor: they differ per recipient (names, codes, links) and
 * compress well with the sender's dictionary.
 */

export const MIN_SHARED_PART_BYTES = 1024;

export interface ByteRange {
  start: number;
  end: number;
}

const CTE_NAME = 'content-transfer-encoding:';
const CONTENT_TYPE = /^content-type:[ \t]*([a-z0-9!#$&^_.+-]+)\//im;
const SPELLINGS = ['base64', 'BASE64', 'Base64'].map((s) => Buffer.from(s, 'latin1'));

/** The shareable ranges of `raw`, ascending and disjoint. */
export function shareableParts(raw: Buffer): ByteRange[] {
  // Most mail has no attachment at all: skip the scan unless a base64 part may be there.
  if (raw.length < 2 * MIN_SHARED_PART_BYTES) return [];
  const ranges: ByteRange[] = [];
  let after = 0;
  const nextBase64 = base64Finder(raw);
  for (let at = nextBase64(0); at !== -1; at = nextBase64(Math.max(at + 6, after))) {
    const lineStart = raw.lastIndexOf(0x0a, at) + 1;
    if (raw.toString('latin1', lineStart, lineStart + CTE_NAME.length).toLowerCase() !== CTE_NAME) continue;
    const headStart = Math.max(raw.lastIndexOf('\n--', at, 'latin1'), 0);
    const blank = raw.indexOf('\r\n\r\n', at, 'latin1');
    if (blank === -1) break;
    const type = CONTENT_TYPE.exec(raw.toString('latin1', headStart, blank))?.[1]?.toLowerCase();
    const bodyStart = blank + 4;
    const next = raw.indexOf('\n--', bodyStart - 1, 'latin1');
    let end = next === -1 ? raw.length : next + 1;
    while (end > bodyStart && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
    after = end;
    if (!type || type === 'text' || type === 'multipart') continue;
    if (end - bodyStart >= MIN_SHARED_PART_BYTES) ranges.push({ start: bodyStart, end });
  }
  return ranges;
}

/**
 * The next "base64" at or after a position, as senders spell it (a rarer spelling only means the
 * part is not shared); each spelling's next match is remembered, so the buffer is scanned once.
 */
function base64Finder(raw: Buffer): (from: number) => number {
  const next = SPELLINGS.map(() => -2);
  return (from) => {
    let first = -1;
    SPELLINGS.forEach((spelling, i) => {
      if (next[i]! !== -1 && next[i]! < from) next[i] = raw.indexOf(spelling, from);
      const at = next[i]!;
      if (at !== -1 && (first === -1 || at < first)) first = at;
    });
    return first;
  };
}
