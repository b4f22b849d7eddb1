/**
 * Which dictionary a new body is compressed with. Mail of one sender family (the envelope
 * sender's domain) repeats itself: the same template with another name, code and link. A
 * dictionary made of that family's recent mail turns a 10 KiB sign-up mail into a few hundred
 * bytes, where compressing it alone leaves half its size (BENCHMARKS.md, issue 18).
 *
 * Per family this keeps the tail SAMPLE_BYTES of the latest mail seen (in memory, for at most
 * MAX_FAMILIES families, least recently used out); once MIN_SAMPLES are there, they become the
 * family's dictionary (a row in `dictionaries`, immutable, counted by the bodies that use it),
 * which serves the next REFRESH_USES messages before a fresh one is made from newer samples, so
 * a sender's new template is learnt within a day's mail. A body keeps the id of the dictionary
 * it was compressed with; a dictionary no body uses is deleted with the last of them.
 *
 * Samples and the current choice are this connection's own (the writer worker and the inline
 * writer each keep theirs); the rows are shared, and every use re-checks that the row is still
 * there, inside the caller's transaction, so two connections never disagree on what exists.
 */

export const SAMPLE_BYTES = 64 * 1024;
export const MIN_SAMPLES = 4;
export const REFRESH_USES = 2_000;
export const MAX_FAMILIES = 256;

export interface DictionaryRows {
  /** Insert a dictionary with refs = 0; its id, the checksum of its bytes and the bytes its row takes. */
  create(family: string, bytes: Buffer): { id: number; checksum: bigint; storedBytes: number };
  /**
   * Count one more body using dictionary `id` if it is still the one with this checksum; false if
   * it is gone (deleted with its last body, or its insert rolled back and the id taken again).
   */
  use(id: number, checksum: bigint): boolean;
}

interface Family {
  samples: Buffer[];
  sampleBytes: number;
  current: { id: number; bytes: Buffer; checksum: bigint; uses: number } | null;
}

export class DictionaryChooser {
  private readonly families = new Map<string, Family>();

  constructor(private readonly rows: DictionaryRows) {}

  /**
   * The dictionary to compress the next body of `family` with (already counted as used by it),
   * or null; then learn from `content` (what is compressed: the body without its shared parts).
   * `createdBytes` is what the dictionary's row takes if it was made for this body (this body's
   * to count: it is freed with the last body using it), else 0.
   */
  choose(family: string, content: Buffer): { id: number; bytes: Buffer; createdBytes: number } | null {
    const f = this.family(family);
    if (f.current && f.current.uses >= REFRESH_USES) f.current = null;
    let createdBytes = 0;
    if (!f.current && f.samples.length >= MIN_SAMPLES) {
      const bytes = Buffer.concat(f.samples);
      const row = this.rows.create(family, bytes);
      f.current = { id: row.id, bytes, checksum: row.checksum, uses: 0 };
      createdBytes = row.storedBytes;
    }
    let chosen: { id: number; bytes: Buffer; createdBytes: number } | null = null;
    if (f.current) {
      if (this.rows.use(f.current.id, f.current.checksum)) {
        f.current.uses++;
        chosen = { id: f.current.id, bytes: f.current.bytes, createdBytes };
      } else {
        f.current = null;
      }
    }
    this.learn(f, content);
    return chosen;
  }

  private family(name: string): Family {
    let f = this.families.get(name);
    if (f) {
      this.families.delete(name);
    } else {
      f = { samples: [], sampleBytes: 0, current: null };
      if (this.families.size >= MAX_FAMILIES) this.families.delete(this.families.keys().next().value as string);
    }
    this.families.set(name, f);
    return f;
  }

  private learn(f: Family, content: Buffer): void {
    // A copy of the tail: the sample must not pin the whole received message.
    const sample = Buffer.from(content.subarray(Math.max(0, content.length - SAMPLE_BYTES)));
    f.samples.push(sample);
    f.sampleBytes += sample.length;
    while (f.sampleBytes > SAMPLE_BYTES && f.samples.length > 1) f.sampleBytes -= f.samples.shift()!.length;
  }
}

/** The family of a message: its envelope sender's domain, lower-cased ('' for the null sender). */
export function familyOf(mailFrom: string): string {
  const at = mailFrom.lastIndexOf('@');
  return at === -1 ? '' : mailFrom.slice(at + 1).toLowerCase();
}
