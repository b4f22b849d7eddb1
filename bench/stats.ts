/**
 * Latency statistics for the bench. Samples are kept as they come (milliseconds in a growable
 * Float64Array, 8 bytes each: 100,000 samples are under 1 MiB) and sorted once at the end, so
 * percentiles are exact rather than bucketed. Percentiles use the nearest-rank method: p99 of
 * 100 samples is the 99th smallest, never an interpolation between two real observations.
 */

export class Samples {
  private values = new Float64Array(1024);
  private length = 0;

  get count(): number {
    return this.length;
  }

  add(valueMs: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = valueMs;
  }

  addAll(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.add(values[i]!);
  }

  /** A copy of the samples, for posting between threads. */
  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }

  summary(): LatencySummary {
    return summarize(this.values.subarray(0, this.length));
  }
}

export interface LatencySummary {
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  meanMs: number | null;
}

/** Nearest-rank percentile of ascending-sorted values: the smallest value with at least p% at or below it. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: ArrayLike<number>): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (let i = 0; i < sorted.length; i++) total += sorted[i]!;
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? sorted[sorted.length - 1]! : null,
    meanMs: sorted.length ? total / sorted.length : null,
  };
}

/** Elapsed milliseconds between two process.hrtime.bigint() readings. */
export function elapsedMs(startNs: bigint, endNs: bigint): number {
  return Number(endNs - startNs) / 1e6;
}
