/**
 * The storage cell (issue 18): the corpus of bench/corpus/transactional.ts sent over SMTP to a
 * fresh server, then bytes on disk per message as a fraction of the raw bytes sent, ingest
 * rate, peak RSS, message fetch over HTTP and IMAP `UID FETCH 1:* BODY.PEEK[]` on what was
 * stored. Three fresh servers, one after the other, so one run compares like with like:
 * 1. compacted bodies (`--compact-bodies on`) with the whole corpus;
 * 2. `--compact-bodies off` with the same corpus: the ingest rate compaction is measured against;
 * 3. compacted, with only the corpus's low-redundancy (personal) part.
 * Every fill is bounded by its message count and a time budget. Disk is the data dir's files once
 * every message is shown and the WAL checkpointed, less what an empty store takes, WAL and shm
 * files left out (their size is SQLite's high-water mark, not the data); beside it, the bytes the
 * store counts itself (tidemail_store_stored_bytes: what --max-store-size counts).
 * Also the codec's CPU per message, in this process: encode and decode of the corpus messages.
 */
import { runHttpCell, type HttpCellResult } from '../http/load.js';
import { imapFetch } from '../mailread/imap.js';
import type { ReadResult } from '../mailread/pop3.js';
import { corpus, type CorpusKind } from '../corpus/transactional.js';
import { RssSampler } from '../proc.js';
import { runSmtpCell } from '../smtp/load.js';
import { startTarget } from '../target.js';
import { getJson } from './api.js';
import Database from 'better-sqlite3';
import { readdirSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { BodyCodec, COMPACT_DDL } from '../../src/store/compact/body-codec.js';

export const STORAGE_SEED = 18;
const INBOXES = 100;
const PREFIX = 'corpus-';

export interface StorageFill {
  label: 'compacted' | 'plain' | 'personal, compacted';
  messages: number;
  rawBytes: number;
  diskBytes: number;
  /** diskBytes / rawBytes: bytes on disk per message as a fraction of its raw size. */
  diskPerRaw: number;
  /** The store's own count of the bytes it uses (blobs, transcripts, parts, dictionaries), and of the raw bytes it holds. */
  storedBytes: number | null;
  heldRawBytes: number | null;
  messagesPerSecond: number;
  /** The server's CPU per message accepted during the fill (all its threads): the A/B that a loaded machine does not blur. */
  serverCpuUsPerMessage: number | null;
  peakRssBytes: number;
}

export interface StorageOutcome {
  fills: StorageFill[];
  /** Ingest rate compacted ÷ plain, same corpus. */
  ingestRatio: number | null;
  fetch: HttpCellResult | null;
  imap: ReadResult | null;
  /** CPU µs per message of the codec alone (this process), on the corpus and on its personal part. */
  codec: CodecCost[];
  errors: string[];
}

export interface CodecCost {
  part: 'whole corpus' | 'personal';
  messages: number;
  encodeUs: number;
  decodeUs: number;
  /** What the codec stored (blobs, parts, dictionaries) ÷ raw: the payload alone, before SQLite's pages and indexes. */
  storedPerRaw: number;
}

export interface StorageTiming {
  storageMessages: number;
  storageFillMaxMs: number;
  apiDurationMs: number;
  mailReadDurationMs: number;
}

/** Raw bytes of the first `count` corpus messages of these kinds (what the load generator sends). */
function rawBytesOf(count: number, kinds: CorpusKind[] | undefined): number {
  const wanted = kinds ? new Set(kinds) : null;
  let bytes = 0;
  for (const m of corpus(count, STORAGE_SEED)) if (!wanted || wanted.has(m.kind)) bytes += m.raw.length;
  return bytes;
}

async function fill(label: StorageFill['label'], args: string[], count: number, kinds: CorpusKind[] | undefined, timing: StorageTiming, after?: (target: { httpPort?: number; imapPort?: number; pid: number }) => Promise<void>): Promise<StorageFill> {
  const target = await startTarget([], args);
  try {
    const base = dataBytes(target.dataDir);
    const sampler = new RssSampler(target.pid).start();
    // The personal part is a fifth of the corpus: walk five times as many to send `count` of them.
    const walk = kinds ? count * 5 : count;
    const run = await runSmtpCell({
      host: target.host, port: target.ports.smtp!, serverPid: target.pid, mode: 'persistent', sizeBytes: 0, sessions: 8,
      warmupMs: 0, durationMs: timing.storageFillMaxMs, maxMessages: count, inboxPrefix: PREFIX, inboxCount: INBOXES,
      corpus: { seed: STORAGE_SEED, count: walk, ...(kinds ? { kinds } : {}) },
    });
    const rawBytes = rawBytesOf(walk, kinds) * (run.accepted / Math.max(1, count));
    const counted = target.ports.http === undefined ? null : await settled(target.ports.http, run.accepted);
    const diskBytes = dataBytes(target.dataDir) - base;
    if (after) await after({ httpPort: target.ports.http, imapPort: target.ports.imap, pid: target.pid });
    const peak = sampler.stop();
    return {
      label, messages: run.accepted, rawBytes, diskBytes, diskPerRaw: diskBytes / rawBytes, storedBytes: counted?.stored ?? null, heldRawBytes: counted?.raw ?? null,
      messagesPerSecond: run.messagesPerSecond, peakRssBytes: peak,
      serverCpuUsPerMessage: run.serverCpuCores === null || run.messagesPerSecond === 0 ? null : (run.serverCpuCores / run.messagesPerSecond) * 1e6,
    };
  } finally {
    await target.stop();
  }
}

export async function runStorageCell(timing: StorageTiming, progress: (line: string) => void): Promise<StorageOutcome> {
  const outcome: StorageOutcome = { fills: [], ingestRatio: null, fetch: null, imap: null, codec: [], errors: [] };
  const n = timing.storageMessages;
  const reads = async ({ httpPort, imapPort, pid }: { httpPort?: number; imapPort?: number; pid: number }): Promise<void> => {
    try {
      if (httpPort !== undefined) {
        const ids: number[] = [];
        for (let i = 0; i < 20; i++) {
          const listing = await getJson<{ messages?: Array<{ id?: number }> }>(httpPort, `/api/v1/inboxes/${PREFIX}${i}/messages`);
          for (const m of listing.messages ?? []) if (typeof m.id === 'number') ids.push(m.id);
        }
        outcome.fetch = await runHttpCell({ host: '127.0.0.1', port: httpPort, serverPid: pid, connections: 50, warmupMs: Math.min(1000, timing.apiDurationMs / 4), durationMs: timing.apiDurationMs, paths: ids.map((id) => `/api/v1/messages/${id}`) });
      }
      if (imapPort !== undefined) outcome.imap = await imapFetch(imapPort, `${PREFIX}0`, timing.mailReadDurationMs);
    } catch (error) {
      outcome.errors.push(`reads: ${(error as Error).message}`);
    }
  };
  for (const [label, args, count, kinds, after] of [
    ['compacted', ['--compact-bodies', 'on'], n, undefined, reads],
    ['plain', ['--compact-bodies', 'off'], n, undefined, undefined],
    ['personal, compacted', ['--compact-bodies', 'on'], Math.ceil(n / 5), ['personal'] as CorpusKind[], undefined],
  ] as const) {
    try {
      const result = await fill(label, [...args], count, kinds ? [...kinds] : undefined, timing, after);
      outcome.fills.push(result);
      progress(`storage ${label}: ${result.messages} messages, ${(result.diskPerRaw).toFixed(3)} × raw on disk, ${result.messagesPerSecond.toFixed(0)} msg/s, ${result.serverCpuUsPerMessage?.toFixed(0)} µs server CPU per message`);
    } catch (error) {
      outcome.errors.push(`${label}: ${(error as Error).message}`);
    }
  }
  for (const part of ['whole corpus', 'personal'] as const) {
    outcome.codec.push(codecCost(part, Math.min(n, 5_000)));
    const c = outcome.codec.at(-1)!;
    progress(`storage codec, ${part}: encode ${c.encodeUs.toFixed(0)} µs, decode ${c.decodeUs.toFixed(0)} µs CPU per message, ${c.storedPerRaw.toFixed(3)} × raw`);
  }
  const [compacted, plain] = outcome.fills;
  if (compacted?.label === 'compacted' && plain?.label === 'plain' && plain.messagesPerSecond > 0) outcome.ingestRatio = compacted.messagesPerSecond / plain.messagesPerSecond;
  return outcome;
}

/** Bytes of the data dir's files, WAL and shm left out (allocated blocks, as on disk). */
function dataBytes(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.endsWith('-wal') || entry.name.endsWith('-shm')) continue;
    bytes += statSync(join(entry.parentPath, entry.name)).blocks * 512;
  }
  return bytes;
}

/** One /metrics scrape: the store's gauges. */
function storeGauges(port: number): Promise<{ messages: number; raw: number; stored: number }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => {
        const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
        resolve({ messages: gauge('tidemail_store_messages'), raw: gauge('tidemail_store_bytes'), stored: gauge('tidemail_store_stored_bytes') });
      });
    }).on('error', reject).end();
  });
}

/**
 * Once the store holds what was accepted and its parses are in (the last inbox's newest message
 * is shown), give the indexer's checkpoint a moment, and answer the store's own counts. Bounded.
 */
async function settled(port: number, accepted: number): Promise<{ raw: number; stored: number } | null> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const gauges = await storeGauges(port).catch(() => null);
    const shown = await getJson<{ total?: number }>(port, `/api/v1/inboxes/${PREFIX}${(accepted - 1) % INBOXES}/messages?limit=1`).catch(() => null);
    if (gauges && gauges.messages >= accepted && (shown?.total ?? 0) >= Math.floor(accepted / INBOXES)) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      return gauges;
    }
    if (Date.now() > deadline) return gauges;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The codec alone on `count` corpus messages (or that many of its personal part): CPU µs per encode and decode. */
export function codecCost(part: CodecCost['part'], count: number): CodecCost {
  const db = new Database(':memory:');
  db.exec(COMPACT_DDL);
  const codec = new BodyCodec(db);
  const messages: Array<{ raw: Buffer; mailFrom: string }> = [];
  for (const m of corpus(part === 'personal' ? count * 5 : count, STORAGE_SEED)) {
    if (part === 'personal' && m.kind !== 'personal') continue;
    messages.push({ raw: m.raw, mailFrom: m.sender < 0 ? `someone${messages.length}@home.example` : `no-reply@sender${m.sender}.example` });
  }
  const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
  const encodeAll = db.transaction(() => messages.map((m) => codec.encode(m.raw, m.mailFrom)));
  let started = cpu();
  const encoded = encodeAll();
  const encodeUs = (cpu() - started) / messages.length;
  started = cpu();
  let rawBytes = 0;
  for (const [i, e] of encoded.entries()) {
    const back = codec.decode(e.codec, e.blob);
    if (back.length !== messages[i]!.raw.length) throw new Error('codec: a message did not read back');
    rawBytes += back.length;
  }
  const decodeUs = (cpu() - started) / messages.length;
  const stored = encoded.reduce((sum, e) => sum + e.storedBytes, 0);
  db.close();
  return { part, messages: messages.length, encodeUs, decodeUs, storedPerRaw: stored / rawBytes };
}
