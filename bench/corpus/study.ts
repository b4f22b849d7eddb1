/**
 * One-off study for issue 18: how small each storage scheme makes the corpus. Prints bytes per
 * message as a fraction of raw, on the whole corpus and on the personal (low-redundancy) part.
 * `node dist/bench/corpus/study.js [count]`
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, constants, deflateRawSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { corpus, type CorpusMessage } from './transactional.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-var-requires
const zstd = require('zstd-napi') as {
  Compressor: new () => { setParameters(p: Record<string, number>): void; compress(b: Uint8Array): Buffer; loadDictionary(d: Uint8Array): void };
};

const count = Number(process.argv[2] ?? 10_000);
const messages: CorpusMessage[] = [...corpus(count)];

interface Tally {
  raw: number;
  stored: number;
  personalRaw: number;
  personalStored: number;
}

function tally(name: string, size: (m: CorpusMessage, i: number) => number, overhead: () => number = () => 0): void {
  const t: Tally = { raw: 0, stored: 0, personalRaw: 0, personalStored: 0 };
  const started = process.hrtime.bigint();
  messages.forEach((m, i) => {
    const s = size(m, i);
    t.raw += m.raw.length;
    t.stored += s;
    if (m.kind === 'personal') {
      t.personalRaw += m.raw.length;
      t.personalStored += s;
    }
  });
  t.stored += overhead();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${name.padEnd(44)} all ${(t.stored / t.raw).toFixed(3)}  personal ${(t.personalStored / t.personalRaw).toFixed(3)}  ${(ms / messages.length * 1000).toFixed(0)} µs/msg`);
}

const totalRaw = messages.reduce((a, m) => a + m.raw.length, 0);
console.log(`${messages.length} messages, ${(totalRaw / messages.length / 1024).toFixed(1)} KiB average, ${(messages.filter((m) => m.kind === 'personal').length / messages.length * 100).toFixed(0)} % personal`);
const sizes = messages.map((m) => m.raw.length).sort((a, b) => a - b);
console.log(`size p5 ${(sizes[Math.floor(sizes.length * 0.05)]! / 1024).toFixed(1)} KiB, p50 ${(sizes[Math.floor(sizes.length / 2)]! / 1024).toFixed(1)}, p95 ${(sizes[Math.floor(sizes.length * 0.95)]! / 1024).toFixed(1)}, max ${(sizes[sizes.length - 1]! / 1024).toFixed(1)}`);

tally('raw', (m) => m.raw.length);
tally('deflate 6, per message', (m) => deflateRawSync(m.raw, { level: 6 }).length);
tally('brotli 5, per message', (m) => brotliCompressSync(m.raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length);
const plain = new zstd.Compressor();
plain.setParameters({ compressionLevel: 3 });
tally('zstd 3, per message', (m) => plain.compress(m.raw).length);

/** Leaf bodies in base64 of ≥ 1 KiB that are not text: stored once by hash. */
function partsOf(raw: Buffer): Array<{ start: number; end: number }> {
  const text = raw.toString('latin1');
  const parts: Array<{ start: number; end: number }> = [];
  const re = /Content-Type: application[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const start = m.index + m[0].length;
    const end = text.indexOf('\r\n--', start);
    if (end > start + 1024) parts.push({ start, end });
  }
  return parts;
}

/**
 * A frozen dictionary per sender (raw content: the sender's last messages, the tail `dictBytes`),
 * made once 4 samples are seen and again every `refreshEvery` uses; its bytes are counted, once,
 * compressed. With `shareParts`, attachments are stored once by hash (counted once, compressed).
 */
function scheme(name: string, dictBytes: number, refreshEvery: number, shareParts: boolean, compress: (raw: Buffer, dict: Buffer | null) => number): void {
  const recent = new Map<number, Buffer[]>();
  const dicts = new Map<number, { dict: Buffer; uses: number }>();
  const seen = new Set<string>();
  let overhead = 0;
  tally(name, (m) => {
    let rest = m.raw;
    let size = 0;
    if (shareParts) {
      const pieces: Buffer[] = [];
      let at = 0;
      for (const p of partsOf(m.raw)) {
        const body = m.raw.subarray(p.start, p.end);
        const hash = createHash('sha256').update(body).digest('hex');
        if (!seen.has(hash)) {
          seen.add(hash);
          overhead += plain.compress(body).length + 48;
        }
        size += 40;
        pieces.push(m.raw.subarray(at, p.start));
        at = p.end;
      }
      pieces.push(m.raw.subarray(at));
      rest = Buffer.concat(pieces);
    }
    const samples = recent.get(m.sender) ?? [];
    let entry = dicts.get(m.sender);
    if (dictBytes > 0 && ((!entry && samples.length >= 4) || (entry && entry.uses >= refreshEvery))) {
      entry = { dict: Buffer.concat(samples).subarray(-dictBytes), uses: 0 };
      dicts.set(m.sender, entry);
      overhead += plain.compress(entry.dict).length;
    }
    if (entry) entry.uses++;
    size += compress(rest, entry?.dict ?? null);
    samples.push(rest);
    while (samples.length > 8) samples.shift();
    recent.set(m.sender, samples);
    return size;
  }, () => overhead);
}

const prepared = new Map<Buffer, InstanceType<typeof zstd.Compressor>>();
function zstdWith(level: number): (raw: Buffer, dict: Buffer | null) => number {
  return (raw, dict) => {
    if (!dict) return plain.compress(raw).length;
    let c = prepared.get(dict);
    if (!c) {
      c = new zstd.Compressor();
      c.setParameters({ compressionLevel: level });
      c.loadDictionary(dict);
      prepared.set(dict, c);
    }
    return c.compress(raw).length;
  };
}
const deflateWith = (raw: Buffer, dict: Buffer | null): number => deflateRawSync(raw, dict ? { level: 6, dictionary: dict } : { level: 6 }).length;

scheme('deflate 6 + 32 KiB sender dictionary', 32 * 1024, 2000, false, deflateWith);
scheme('zstd 3 + 64 KiB sender dictionary', 64 * 1024, 2000, false, zstdWith(3));
scheme('zstd 3 + 128 KiB sender dictionary', 128 * 1024, 2000, false, zstdWith(3));
scheme('parts + deflate 6 + 32 KiB dictionary', 32 * 1024, 2000, true, deflateWith);
scheme('parts + zstd 3 (no dictionary)', 0, 2000, true, zstdWith(3));
scheme('parts + zstd 3 + 64 KiB sender dictionary', 64 * 1024, 2000, true, zstdWith(3));
scheme('parts + zstd 3 + 128 KiB sender dictionary', 128 * 1024, 2000, true, zstdWith(3));
