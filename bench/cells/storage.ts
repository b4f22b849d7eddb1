/**
 * The storage cell (issue 18): the corpus of bench/corpus/transactional.ts sent over SMTP to a
 * fresh server, then bytes on disk per message as a fraction of the raw bytes sent, ingest
 * rate, peak RSS, message fetch over HTTP and IMAP `UID FETCH 1:* BODY.PEEK[]` on what was
 * stored. Three fresh servers, one after the other, so one run compares like with like:
 * 1. compacted bodies (the default) with the whole corpus;
 * 2. `--compact-bodies off` with the same corpus: the ingest rate compaction is measured against;
 * 3. compacted, with only the corpus's low-redundancy (personal) part.
 * Every fill is bounded by its message count and a time budget.
 */
import { runHttpCell, type HttpCellResult } from '../http/load.js';
import { imapFetch } from '../mailread/imap.js';
import type { ReadResult } from '../mailread/pop3.js';
import { corpus, type CorpusKind } from '../corpus/transactional.js';
import { directorySize, RssSampler } from '../proc.js';
import { runSmtpCell } from '../smtp/load.js';
import { startTarget } from '../target.js';
import { getJson } from './api.js';

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
  messagesPerSecond: number;
  peakRssBytes: number;
}

export interface StorageOutcome {
  fills: StorageFill[];
  /** Ingest rate compacted ÷ plain, same corpus. */
  ingestRatio: number | null;
  fetch: HttpCellResult | null;
  imap: ReadResult | null;
  errors: string[];
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
    const base = directorySize(target.dataDir).allocatedBytes;
    const sampler = new RssSampler(target.pid).start();
    // The personal part is a fifth of the corpus: walk five times as many to send `count` of them.
    const walk = kinds ? count * 5 : count;
    const run = await runSmtpCell({
      host: target.host, port: target.ports.smtp!, serverPid: target.pid, mode: 'persistent', sizeBytes: 0, sessions: 8,
      warmupMs: 0, durationMs: timing.storageFillMaxMs, maxMessages: count, inboxPrefix: PREFIX, inboxCount: INBOXES,
      corpus: { seed: STORAGE_SEED, count: walk, ...(kinds ? { kinds } : {}) },
    });
    const rawBytes = rawBytesOf(walk, kinds) * (run.accepted / Math.max(1, count));
    const diskBytes = directorySize(target.dataDir).allocatedBytes - base;
    if (after) await after({ httpPort: target.ports.http, imapPort: target.ports.imap, pid: target.pid });
    const peak = sampler.stop();
    return { label, messages: run.accepted, rawBytes, diskBytes, diskPerRaw: diskBytes / rawBytes, messagesPerSecond: run.messagesPerSecond, peakRssBytes: peak };
  } finally {
    await target.stop();
  }
}

export async function runStorageCell(timing: StorageTiming, progress: (line: string) => void): Promise<StorageOutcome> {
  const outcome: StorageOutcome = { fills: [], ingestRatio: null, fetch: null, imap: null, errors: [] };
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
    ['compacted', [], n, undefined, reads],
    ['plain', ['--compact-bodies', 'off'], n, undefined, undefined],
    ['personal, compacted', [], Math.ceil(n / 5), ['personal'] as CorpusKind[], undefined],
  ] as const) {
    try {
      const result = await fill(label, [...args], count, kinds ? [...kinds] : undefined, timing, after);
      outcome.fills.push(result);
      progress(`storage ${label}: ${result.messages} messages, ${(result.diskPerRaw).toFixed(3)} × raw on disk, ${result.messagesPerSecond.toFixed(0)} msg/s`);
    } catch (error) {
      outcome.errors.push(`${label}: ${(error as Error).message}`);
    }
  }
  const [compacted, plain] = outcome.fills;
  if (compacted?.label === 'compacted' && plain?.label === 'plain' && plain.messagesPerSecond > 0) outcome.ingestRatio = compacted.messagesPerSecond / plain.messagesPerSecond;
  return outcome;
}
