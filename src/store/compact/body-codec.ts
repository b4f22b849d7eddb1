/**
 * Bodies stored small (issue 18): each received message is kept as its shared parts (parts.ts:
 * attachments stored once by hash, with reference counts) plus the rest compressed with zstd
 * and its sender family's dictionary (dictionaries.ts), in the layout of format.ts. Reading gives
 * back exactly the bytes received. Which scheme and why, measured on the corpus: BENCHMARKS.md.
 *
 * One codec per database connection, used inside that connection's write transactions (encode,
 * release) and by its reads (decode). Rows:
 * - `raws(body_id, raw, codec)`: codec 0 is the raw bytes as they were stored before this
 *   scheme or with --compact-bodies off (read as they are; an upgraded data dir keeps its old bodies
 *   so until they expire), codec 1 a blob of
 *   format.ts;
 * - `parts(hash, refs, size, data)`: a shared part, zstd-compressed alone, with the number of
 *   bodies that hold it; deleted with the last one;
 * - `dictionaries(id, family, checksum, bytes, refs)`: likewise (`bytes` zstd-compressed alone),
 *   counted by the bodies using it.
 *
 * What a body costs the disk (`storedBytes`) is its blob plus the parts and dictionary rows it
 * brought in or, on removal, took out: the total-size rule and /metrics count those bytes.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { DictionaryChooser, familyOf } from './dictionaries.js';
import { decodeLayout, encodeBody, splice, type PartRef } from './format.js';
import { shareableParts } from './parts.js';
import { Zstd } from './zstd.js';

export const CODEC_PLAIN = 0;
/** Enough of a blob's start for its part list: 1,000 parts (mime-tree.ts's cap) of ≤ 50 bytes each. */
export const RELEASE_HEAD_BYTES = 64 * 1024;
export const CODEC_COMPACT = 1;

/** A `raws` row as read: its blob and how it is kept. */
export interface StoredRaw {
  raw: Buffer;
  codec: number;
}

export interface Encoded {
  codec: number;
  blob: Buffer;
  /** Bytes this body adds to the store: its blob, and the part and dictionary rows it created. */
  storedBytes: number;
}

export class BodyCodec {
  private readonly zstd = new Zstd();
  private readonly chooser: DictionaryChooser;
  private readonly sql;

  constructor(db: Database.Database) {
    this.sql = {
      createDictionary: db.prepare<[string, bigint, Buffer]>('INSERT INTO dictionaries (family, checksum, bytes, refs) VALUES (?, ?, ?, 0)'),
      useDictionary: db.prepare<[number, bigint]>('UPDATE dictionaries SET refs = refs + 1 WHERE id = ? AND checksum = ?'),
      dictionaryBytes: db.prepare<[number], Buffer>('SELECT bytes FROM dictionaries WHERE id = ?').pluck(),
      releaseDictionary: db.prepare<[number], { refs: number; size: number }>('UPDATE dictionaries SET refs = refs - 1 WHERE id = ? RETURNING refs, length(bytes) AS size'),
      deleteDictionary: db.prepare<[number]>('DELETE FROM dictionaries WHERE id = ?'),
      usePart: db.prepare<[Buffer]>('UPDATE parts SET refs = refs + 1 WHERE hash = ?'),
      createPart: db.prepare<[Buffer, number, Buffer]>('INSERT INTO parts (hash, refs, size, data) VALUES (?, 1, ?, ?)'),
      partData: db.prepare<[Buffer], Buffer>('SELECT data FROM parts WHERE hash = ?').pluck(),
      releasePart: db.prepare<[Buffer], { refs: number; size: number }>('UPDATE parts SET refs = refs - 1 WHERE hash = ? RETURNING refs, length(data) AS size'),
      deletePart: db.prepare<[Buffer]>('DELETE FROM parts WHERE hash = ?'),
    };
    this.chooser = new DictionaryChooser({
      // Kept compressed (a dictionary is recent mail: ~5× smaller), expanded once per connection into its LRU.
      create: (family, bytes) => {
        const kept = this.zstd.compress(bytes, 0, null);
        const sum = checksum(bytes);
        return { id: Number(this.sql.createDictionary.run(family, sum, kept).lastInsertRowid), checksum: sum, storedBytes: kept.length };
      },
      // The checksum is the chooser's, made once with the dictionary: hashing 64 KiB per body cost more than compressing it.
      use: (id, sum) => this.sql.useDictionary.run(id, sum).changes === 1,
    });
  }

  /** The stored form of `raw` (inside the caller's transaction: it counts parts and dictionary). */
  encode(raw: Buffer, mailFrom: string): Encoded {
    let storedBytes = 0;
    const parts: PartRef[] = [];
    const rest: Buffer[] = [];
    let at = 0;
    for (const range of shareableParts(raw)) {
      const bytes = raw.subarray(range.start, range.end);
      const hash = createHash('sha256').update(bytes).digest();
      if (this.sql.usePart.run(hash).changes === 0) {
        const data = this.zstd.compress(bytes, 0, null);
        this.sql.createPart.run(hash, bytes.length, data);
        storedBytes += data.length;
      }
      parts.push({ offset: range.start, length: bytes.length, hash });
      rest.push(raw.subarray(at, range.start));
      at = range.end;
    }
    rest.push(raw.subarray(at));
    const content = rest.length === 1 ? raw : Buffer.concat(rest);
    const dictionary = this.chooser.choose(familyOf(mailFrom), content);
    storedBytes += dictionary?.createdBytes ?? 0;
    const frame = this.zstd.compress(content, dictionary?.id ?? 0, dictionary?.bytes ?? null);
    const blob = encodeBody({ dictionaryId: dictionary?.id ?? 0, parts }, frame);
    return { codec: CODEC_COMPACT, blob, storedBytes: storedBytes + blob.length };
  }

  /** The bytes as received. */
  decode(codec: number, blob: Buffer): Buffer {
    if (codec === CODEC_PLAIN) return blob;
    const layout = decodeLayout(blob);
    const remainder = this.zstd.decompress(blob.subarray(layout.frameStart), layout.dictionaryId, () => this.dictionary(layout.dictionaryId));
    const partBytes = layout.parts.map((part) => {
      const data = this.sql.partData.get(part.hash);
      if (data === undefined) throw new Error(`stored body: shared part ${part.hash.toString('hex')} is missing`);
      return this.zstd.decompress(data, 0, noDictionary);
    });
    return splice(remainder, layout.parts, partBytes);
  }

  /** The bytes as received of a `raws` row. */
  bytesOf(row: StoredRaw): Buffer {
    return this.decode(row.codec, row.raw);
  }

  /**
   * The body is being deleted (inside the caller's transaction): release its parts and
   * dictionary; the bytes freed. `head` is the start of its blob (RELEASE_HEAD_BYTES hold any
   * part list), `blobBytes` the blob's whole length.
   */
  release(codec: number, head: Uint8Array, blobBytes: number): number {
    if (codec === CODEC_PLAIN) return blobBytes;
    const layout = decodeLayout(head);
    let freed = blobBytes;
    for (const part of layout.parts) {
      const left = this.sql.releasePart.get(part.hash);
      if (left && left.refs <= 0) {
        this.sql.deletePart.run(part.hash);
        freed += left.size;
      }
    }
    if (layout.dictionaryId !== 0) {
      const left = this.sql.releaseDictionary.get(layout.dictionaryId);
      if (left && left.refs <= 0) {
        this.sql.deleteDictionary.run(layout.dictionaryId);
        this.zstd.forget(layout.dictionaryId);
        freed += left.size;
      }
    }
    return freed;
  }

  private dictionary(id: number): Buffer {
    const kept = this.sql.dictionaryBytes.get(id);
    if (kept === undefined) throw new Error(`stored body: dictionary ${id} is missing`);
    return this.zstd.decompress(kept, 0, noDictionary);
  }
}

function noDictionary(): Buffer {
  throw new Error('no dictionary');
}

/** 63 bits of the dictionary's SHA-256: tells a dictionary row from another that took its id after a rollback. */
function checksum(bytes: Buffer): bigint {
  return createHash('sha256').update(bytes).digest().readBigInt64BE(0);
}

/** The tables the codec keeps beside `raws` (schema.ts creates them and adds `raws.codec`). */
export const COMPACT_DDL = `
CREATE TABLE IF NOT EXISTS parts (hash BLOB PRIMARY KEY, refs INTEGER NOT NULL, size INTEGER NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS dictionaries (id INTEGER PRIMARY KEY AUTOINCREMENT, family TEXT NOT NULL, checksum INTEGER NOT NULL, bytes BLOB NOT NULL, refs INTEGER NOT NULL);
`;
