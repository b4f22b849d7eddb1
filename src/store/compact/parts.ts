/**
 * Which byte ranges of a message are worth storing once for every message that carries them:
 * the bodies of base64 leaf parts that are not text (attachments, images, PDFs) of at least
 * MIN_SHARED_PART_BYTES. A shop that attaches the same terms.pdf to every receipt, or a sender
 * whose logo travels inline, then costs that part once however many mails repeat it (Mailinator
 * shared parts of mails with reference counts by 2018).
 *
 * The ranges come from the MIME tree (mail/mime-tree.ts, byte offsets, never throws). Nothing
 * here decides what a reader sees: a stored body is the concatenation of its pieces, so any
 * choice of ranges gives back the exact bytes; a wrong guess only costs space. Text parts are
 * left to the compressor: they differ per recipient (names, codes, links) and compress well.
 */
import { parseMimeTree, type MimePart } from '../../mail/mime-tree.js';

export const MIN_SHARED_PART_BYTES = 1024;

export interface ByteRange {
  start: number;
  end: number;
}

/** The shareable ranges of `raw`, ascending and disjoint. */
export function shareableParts(raw: Buffer): ByteRange[] {
  // Most mail has no attachment at all: skip the tree unless a base64 part may be there.
  if (raw.length < 2 * MIN_SHARED_PART_BYTES || indexOfBase64(raw) === -1) return [];
  const ranges: ByteRange[] = [];
  collect(raw, parseMimeTree(raw), ranges);
  return ranges;
}

function collect(raw: Buffer, part: MimePart, into: ByteRange[]): void {
  if (part.children.length > 0) {
    for (const child of part.children) collect(raw, child, into);
    return;
  }
  if (part.message) {
    collect(raw, part.message, into);
    return;
  }
  if (part.encoding !== 'base64' || part.contentType.type === 'text' || part.contentType.type === 'multipart') return;
  // Line ends after the last base64 line belong to wherever the part sits (the delimiter, the
  // end of an enclosing body), not to the attachment: trimmed, one attachment is one hash.
  let end = part.end;
  while (end > part.bodyStart && (raw[end - 1] === 0x0a || raw[end - 1] === 0x0d)) end--;
  if (end - part.bodyStart >= MIN_SHARED_PART_BYTES) into.push({ start: part.bodyStart, end });
}

/** Whether "base64" occurs as senders spell it (a rarer spelling only means the part is not shared). */
function indexOfBase64(raw: Buffer): number {
  for (const spelling of ['base64', 'BASE64', 'Base64']) {
    const at = raw.indexOf(spelling);
    if (at !== -1) return at;
  }
  return -1;
}
