/**
 * The zstd calls the store makes, through zstd-napi's binding (a native addon built from source
 * at `npm ci`): one compression and one decompression context per connection, and prepared
 * dictionaries (CDict/DDict) kept in LRU caches (PREPARED each), because preparing one costs far more
 * than compressing a message with it. Dictionaries are raw content (recent mail of one sender
 * family), which zstd accepts as is (zstd manual, "raw content dictionaries").
 */
import binding from 'zstd-napi/binding.js';

/**
 * Level 1: with a sender's dictionary it stores the corpus at 0.202 × against level 3's 0.196 ×,
 * but its prepared dictionary (CDict) is ~170 KiB and 0.7 ms to make against ~0.5 MiB and 2.4 ms,
 * so a prepared dictionary per active sender family fits in memory (BENCHMARKS.md, issue 18).
 */
export const LEVEL = 1;
/** Prepared dictionaries kept per connection: more than the families that send at once, or every encode would prepare one. */
const PREPARED = 128;

class Lru<V> {
  private readonly map = new Map<number, V>();
  constructor(private readonly capacity: number) {}
  get(key: number, make: () => V): V {
    let value = this.map.get(key);
    if (value === undefined) {
      value = make();
      if (this.map.size >= this.capacity) this.map.delete(this.map.keys().next().value as number);
    } else {
      this.map.delete(key);
    }
    this.map.set(key, value);
    return value;
  }
  delete(key: number): void {
    this.map.delete(key);
  }
}

export class Zstd {
  private readonly cctx = new binding.CCtx();
  private readonly dctx = new binding.DCtx();
  /** With the bytes each was prepared from: an id whose insert was rolled back may name another dictionary later. */
  private readonly cdicts = new Lru<{ cdict: binding.CDict; source: Buffer }>(PREPARED);
  private readonly ddicts = new Lru<binding.DDict>(PREPARED);
  /** Where frames are compressed into (then copied out at their size): one allocation, not one per message. */
  private scratch = Buffer.allocUnsafe(64 * 1024);

  /** Compress with dictionary `dictionaryId`, made of `dictionary` (none for id 0). */
  compress(src: Buffer, dictionaryId: number, dictionary: Buffer | null): Buffer {
    const bound = binding.compressBound(src.length);
    if (this.scratch.length < bound) this.scratch = Buffer.allocUnsafe(bound);
    const dst = this.scratch;
    const n = dictionaryId === 0 || !dictionary ? this.cctx.compress(dst, src, LEVEL) : this.cctx.compressUsingCDict(dst, src, this.prepared(dictionaryId, dictionary));
    // A copy: the scratch buffer is the next frame's.
    return Buffer.from(dst.subarray(0, n));
  }

  private prepared(dictionaryId: number, dictionary: Buffer): binding.CDict {
    let entry = this.cdicts.get(dictionaryId, () => ({ cdict: new binding.CDict(dictionary, LEVEL), source: dictionary }));
    if (entry.source !== dictionary) {
      entry = { cdict: new binding.CDict(dictionary, LEVEL), source: dictionary };
      this.cdicts.delete(dictionaryId);
      this.cdicts.get(dictionaryId, () => entry);
    }
    return entry.cdict;
  }

  decompress(frame: Uint8Array, dictionaryId: number, bytes: () => Buffer): Buffer {
    const size = binding.getFrameContentSize(frame);
    if (size === null) throw new Error('stored body: zstd frame without its size');
    const dst = Buffer.allocUnsafe(size);
    const n = dictionaryId === 0 ? this.dctx.decompress(dst, frame) : this.dctx.decompressUsingDDict(dst, frame, this.ddicts.get(dictionaryId, () => new binding.DDict(bytes())));
    if (n !== size) throw new Error('stored body: zstd frame shorter than it says');
    return dst;
  }

  /** A dictionary that was deleted: its id is never reused (AUTOINCREMENT), but free the memory. */
  forget(dictionaryId: number): void {
    this.cdicts.delete(dictionaryId);
    this.ddicts.delete(dictionaryId);
  }
}
