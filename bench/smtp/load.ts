/**
 * Run one SMTP cell: spread its sessions over worker threads (./worker.ts), measure over one
 * window (../window.ts), and merge what the workers saw into messages/second and p50/p99 of
 * end-of-DATA → 250, with the CPU both sides used.
 */
import { summarize, type LatencySummary } from '../stats.js';
import { mergeLatencies, runWindow, share } from '../window.js';
import type { CorpusSpec } from '../corpus/payloads.js';
import type { SmtpMode } from './session.js';
import type { WorkerResult, WorkerSpec } from './worker.js';

export interface SmtpCellSpec {
  host: string;
  port: number;
  /** The server's pid, for its CPU time; null when not ours to read. */
  serverPid: number | null;
  mode: SmtpMode;
  sizeBytes: number;
  sessions: number;
  warmupMs: number;
  durationMs: number;
  maxMessages: number;
  inboxPrefix: string;
  inboxCount: number;
  /** Send the storage corpus instead of `sizeBytes` messages (each worker its share). */
  corpus?: Omit<CorpusSpec, 'share' | 'shares'>;
}

export interface SmtpCellResult {
  messagesPerSecond: number;
  latency: LatencySummary;
  /** Every message accepted with 250, warm-up and drain included (they are all stored). */
  accepted: number;
  errors: number;
  errorSamples: string[];
  /** CPU used during the window, in cores (1.0 = one core busy). */
  serverCpuCores: number | null;
  clientCpuCores: number;
}

/** Load generator threads: two at most, since the machine class has two cores. */
const MAX_WORKERS = 2;

export async function runSmtpCell(spec: SmtpCellSpec): Promise<SmtpCellResult> {
  const workerCount = Math.min(MAX_WORKERS, spec.sessions);
  const specs: WorkerSpec[] = Array.from({ length: workerCount }, (_, i) => ({
    host: spec.host,
    port: spec.port,
    mode: spec.mode,
    sizeBytes: spec.sizeBytes,
    sessions: share(spec.sessions, workerCount, i),
    maxMessages: share(spec.maxMessages, workerCount, i),
    inboxPrefix: spec.inboxPrefix,
    inboxCount: spec.inboxCount,
    inboxOffset: Math.floor((i * spec.inboxCount) / workerCount),
    ...(spec.corpus ? { corpus: { ...spec.corpus, share: i, shares: workerCount } } : {}),
  }));
  const run = await runWindow<WorkerResult>(new URL('./worker.js', import.meta.url), specs, spec);
  const { results } = run;
  return {
    messagesPerSecond: results.reduce((n, r) => n + r.completedInWindow, 0) / run.windowSeconds,
    latency: summarize(mergeLatencies(results)),
    accepted: results.reduce((n, r) => n + r.completedTotal, 0),
    errors: results.reduce((n, r) => n + r.errors, 0),
    errorSamples: results.flatMap((r) => r.errorSamples).slice(0, 3),
    serverCpuCores: run.serverCpuCores,
    clientCpuCores: run.clientCpuCores,
  };
}
