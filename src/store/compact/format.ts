/**
 * The stored form of a compacted body (codec 1), one blob:
 *
 *   u8       version (1)
 *   uvarint  dictionary id (0: none)
 *   uvarint  number of shared parts
 *   per part: uvarint offset in the original, uvarint length, 32 bytes SHA-256 of the part
 *   rest     one zstd frame: the original with the shared parts cut out
 *
 * The part list sits before the frame so that removing a body (which must release its parts
 * and dictionary) reads a few bytes and never decompresses. Offsets are ascending; the
 * original is rebuilt by splicing each part back at its offset.
 */

export const FORMAT_VERSION = 1;

export interface PartRef {
  offset: number;
  length: number;
  hash: Buffer;
}

export interface BodyLayout {
  dictionaryId: number;
  parts: PartRef[];
}

export function encodeBody(layout: BodyLayout, frame: Buffer): Buffer {
  const head: number[] = [FORMAT_VERSION];
  writeVarint(head, layout.dictionaryId);
  writeVarint(head, layout.parts.length);
  const chunks: Buffer[] = [];
  for (const part of layout.parts) {
    writeVarint(head, part.offset);
    writeVarint(head, part.length);
    chunks.push(Buffer.from(head.splice(0)), part.hash);
  }
  chunks.push(Buffer.from(head), frame);
  return Buffer.concat(chunks);
}

/** The layout and where the frame starts; throws on a blob that is not codec 1 (corruption is not guessed at). */
export function decodeLayout(blob: Uint8Array): BodyLayout & { frameStart: number } {
  if (blob[0] !== FORMAT_VERSION) throw new Error(`stored body: unknown format ${blob[0]}`);
  const at = { i: 1 };
  const dictionaryId = readVarint(blob, at);
  const count = readVarint(blob, at);
  const parts: PartRef[] = [];
  for (let n = 0; n < count; n++) {
    const offset = readVarint(blob, at);
    const length = readVarint(blob, at);
    if (at.i + 32 > blob.length) throw new Error('stored body: truncated part list');
    parts.push({ offset, length, hash: Buffer.from(blob.subarray(at.i, at.i + 32)) });
    at.i += 32;
  }
  return { dictionaryId, parts, frameStart: at.i };
}

/** Put the parts back into the remainder at their offsets. */
export function splice(remainder: Buffer, parts: readonly PartRef[], partBytes: readonly Buffer[]): Buffer {
  if (parts.length === 0) return remainder;
  const pieces: Buffer[] = [];
  let from = 0;
  let written = 0;
  parts.forEach((part, i) => {
    const take = part.offset - written;
    pieces.push(remainder.subarray(from, from + take), partBytes[i]!);
    from += take;
    written = part.offset + part.length;
  });
  pieces.push(remainder.subarray(from));
  return Buffer.concat(pieces);
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function readVarint(blob: Uint8Array, at: { i: number }): number {
  let value = 0;
  let scale = 1;
  for (;;) {
    if (at.i >= blob.length || scale > 2 ** 49) throw new Error('stored body: bad varint');
    const byte = blob[at.i++]!;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 0x80;
  }
}
