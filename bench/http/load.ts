/**
 * Run one HTTP API cell: `connections` keep-alive connections spread over two worker threads,
 * GETs cycling through `paths`, measured over one window: requests/second and p50/p99.
 */
import { summarize, type LatencySummary } from '../stats.js';
import { mergeLatencies, runWindow, share } from '../window.js';
import type { HttpWorkerResult, HttpWorkerSpec } from './worker.js';

export interface HttpCellSpec {
  host: string;
  port: number;
  serverPid: number | null;
  connections: number;
  paths: string[];
  warmupMs: number;
  durationMs: number;
}

export interface HttpCellResult {
  requestsPerSecond: number;
  latency: LatencySummary;
  errors: number;
  errorSamples: string[];
  meanResponseBytes: number;
  serverCpuCores: number | null;
  clientCpuCores: number;
}

const WORKERS = 2;

export async function runHttpCell(spec: HttpCellSpec): Promise<HttpCellResult> {
  const workerCount = Math.min(WORKERS, spec.connections);
  const specs: HttpWorkerSpec[] = Array.from({ length: workerCount }, (_, i) => ({
    host: spec.host,
    port: spec.port,
    connections: share(spec.connections, workerCount, i),
    paths: spec.paths,
    pathOffset: Math.floor((i * spec.paths.length) / workerCount),
  }));
  const run = await runWindow<HttpWorkerResult>(new URL('./worker.js', import.meta.url), specs, spec);
  const { results } = run;
  const total = results.reduce((n, r) => n + r.completedTotal, 0);
  return {
    requestsPerSecond: results.reduce((n, r) => n + r.completedInWindow, 0) / run.windowSeconds,
    latency: summarize(mergeLatencies(results)),
    errors: results.reduce((n, r) => n + r.errors, 0),
    errorSamples: results.flatMap((r) => r.errorSamples).slice(0, 3),
    meanResponseBytes: total ? results.reduce((n, r) => n + r.bytes, 0) / total : 0,
    serverCpuCores: run.serverCpuCores,
    clientCpuCores: run.clientCpuCores,
  };
}
