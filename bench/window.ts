/**
 * Run load generator threads over one measurement window: start the workers, wait until each
 * is online, post 'go' (messages queue until the worker listens) with a window that opens after a warm-up, and collect one result per
 * worker. Alongside, the CPU both sides used inside the window (server from /proc, client =
 * this whole process with its worker threads), so a client-bound cell shows as one.
 * Shared by the SMTP and HTTP load generators.
 */
import { Worker } from 'node:worker_threads';
import { ownCpuSeconds, processCpuSeconds } from './proc.js';

export interface GoMessage {
  type: 'go';
  /** Completions between these hrtime readings are measured; nothing is started after windowEndNs. */
  windowStartNs: bigint;
  windowEndNs: bigint;
  /** Relative to 'go': drop whatever is still running. */
  hardDeadlineMs: number;
}

/** What every load worker reports. */
export interface WindowResult {
  latenciesMs: Float64Array;
  completedInWindow: number;
  completedTotal: number;
  errors: number;
  errorSamples: string[];
}

export interface WindowRun<R> {
  results: R[];
  windowSeconds: number;
  /** CPU used inside the window, in cores (1.0 = one core busy). */
  serverCpuCores: number | null;
  clientCpuCores: number;
}

/** After the window closes, how long in-flight work may take before it is dropped. */
const DRAIN_MS = 10_000;

export async function runWindow<R extends WindowResult>(
  script: URL,
  specs: unknown[],
  timing: { warmupMs: number; durationMs: number; serverPid: number | null },
): Promise<WindowRun<R>> {
  const workers = specs.map((workerData) => new Worker(script, { workerData }));
  try {
    const results = workers.map(
      (worker) =>
        new Promise<R>((resolve, reject) => {
          worker.once('message', (message: R) => resolve(message));
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`load worker exited with ${code} before reporting`)));
        }),
    );
    const all = Promise.all(results);
    all.catch(() => {}); // awaited below; this only keeps an early failure from being "unhandled"
    await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('online', resolve))));
    await new Promise((resolve) => setTimeout(resolve, 20));

    const windowStartNs = process.hrtime.bigint() + BigInt(timing.warmupMs) * 1_000_000n;
    const windowEndNs = windowStartNs + BigInt(timing.durationMs) * 1_000_000n;
    const go: GoMessage = { type: 'go', windowStartNs, windowEndNs, hardDeadlineMs: timing.warmupMs + timing.durationMs + DRAIN_MS };
    for (const worker of workers) worker.postMessage(go);

    await sleepUnless(timing.warmupMs, all);
    const serverCpuStart = timing.serverPid ? processCpuSeconds(timing.serverPid) : 0;
    const clientCpuStart = ownCpuSeconds();
    // The window ends at its time, or earlier when the workers have done all they were allowed.
    await sleepUnless(timing.durationMs, all);
    const now = process.hrtime.bigint();
    const windowSeconds = Math.max(0.001, Number((now < windowEndNs ? now : windowEndNs) - windowStartNs) / 1e9);
    const serverCpuCores = timing.serverPid ? (processCpuSeconds(timing.serverPid) - serverCpuStart) / windowSeconds : null;
    const clientCpuCores = (ownCpuSeconds() - clientCpuStart) / windowSeconds;
    return { results: await all, windowSeconds, serverCpuCores, clientCpuCores };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** All workers' latencies in one array. */
export function mergeLatencies(results: WindowResult[]): Float64Array {
  const merged = new Float64Array(results.reduce((n, r) => n + r.latenciesMs.length, 0));
  let offset = 0;
  for (const r of results) {
    merged.set(r.latenciesMs, offset);
    offset += r.latenciesMs.length;
  }
  return merged;
}

/** Split `total` as evenly as possible over `parts`. */
export function share(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

/** Wait `ms`, or less if `done` settles first; the timer never outlives the wait. */
async function sleepUnless(ms: number, done: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slept = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  await Promise.race([slept, done.then(() => undefined, () => undefined)]);
  clearTimeout(timer);
}
