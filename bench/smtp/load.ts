/**
 * Run one SMTP cell: spread its sessions over worker threads (./worker.ts), open a measurement
 * window after a warm-up, and merge what the workers saw into messages/second, p50/p99 of
 * end-of-DATA → 250, and the CPU both sides used during the window (server from /proc, client
 * = this whole process, worker threads included), so a client-bound cell shows as one.
 */
import { Worker } from 'node:worker_threads';
import { ownCpuSeconds, processCpuSeconds } from '../proc.js';
import { summarize, type LatencySummary } from '../stats.js';
import type { SmtpMode } from './session.js';
import type { GoMessage, WorkerResult, WorkerSpec } from './worker.js';

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
/** After the window closes, how long in-flight messages may take before they are dropped. */
const DRAIN_MS = 10_000;

export async function runSmtpCell(spec: SmtpCellSpec): Promise<SmtpCellResult> {
  const workerCount = Math.min(MAX_WORKERS, spec.sessions);
  const workers: Worker[] = [];
  const results: Array<Promise<WorkerResult>> = [];
  const ready: Array<Promise<void>> = [];
  for (let i = 0; i < workerCount; i++) {
    const sessions = Math.floor(spec.sessions / workerCount) + (i < spec.sessions % workerCount ? 1 : 0);
    const workerSpec: WorkerSpec = {
      host: spec.host,
      port: spec.port,
      mode: spec.mode,
      sizeBytes: spec.sizeBytes,
      sessions,
      maxMessages: Math.floor(spec.maxMessages / workerCount) + (i < spec.maxMessages % workerCount ? 1 : 0),
      inboxPrefix: spec.inboxPrefix,
      inboxCount: spec.inboxCount,
      inboxOffset: Math.floor((i * spec.inboxCount) / workerCount),
    };
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: workerSpec });
    workers.push(worker);
    ready.push(new Promise((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    }));
    results.push(new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`load worker exited with ${code} before reporting`)));
      void ready[i]!.then(() => worker.once('message', (message: WorkerResult) => resolve(message)));
    }));
  }
  try {
    await Promise.all(ready);
    const now = process.hrtime.bigint();
    const windowStartNs = now + BigInt(spec.warmupMs) * 1_000_000n;
    const windowEndNs = windowStartNs + BigInt(spec.durationMs) * 1_000_000n;
    const go: GoMessage = { type: 'go', windowStartNs, windowEndNs, hardDeadlineMs: spec.warmupMs + spec.durationMs + DRAIN_MS };
    for (const worker of workers) worker.postMessage(go);

    const all = Promise.all(results);
    all.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
    await sleep(spec.warmupMs);
    const serverCpuStart = spec.serverPid ? processCpuSeconds(spec.serverPid) : 0;
    const clientCpuStart = ownCpuSeconds();
    // The window ends at its time, or earlier when every message allowed has been sent.
    await Promise.race([sleep(spec.durationMs), all]);
    const windowSeconds = Math.max(0.001, Number((process.hrtime.bigint() < windowEndNs ? process.hrtime.bigint() : windowEndNs) - windowStartNs) / 1e9);
    const serverCpuSeconds = spec.serverPid ? processCpuSeconds(spec.serverPid) - serverCpuStart : null;
    const clientCpuSeconds = ownCpuSeconds() - clientCpuStart;

    const finished = await all;
    const latencies = new Float64Array(finished.reduce((n, r) => n + r.latenciesMs.length, 0));
    let offset = 0;
    for (const r of finished) {
      latencies.set(r.latenciesMs, offset);
      offset += r.latenciesMs.length;
    }
    const seconds = windowSeconds;
    return {
      messagesPerSecond: finished.reduce((n, r) => n + r.completedInWindow, 0) / seconds,
      latency: summarize(latencies),
      accepted: finished.reduce((n, r) => n + r.completedTotal, 0),
      errors: finished.reduce((n, r) => n + r.errors, 0),
      errorSamples: finished.flatMap((r) => r.errorSamples).slice(0, 3),
      serverCpuCores: serverCpuSeconds === null ? null : serverCpuSeconds / seconds,
      clientCpuCores: clientCpuSeconds / seconds,
    };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
