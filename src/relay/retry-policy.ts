/**
 * When to try a recipient again, and when to give up. RFC 5321 §4.5.4.1 asks for retries spaced
 * out and giving up after 4–5 days; Postfix starts at 300 s and doubles to 4000 s. Our default
 * (`--retry-schedule 5m,10m,20m,40m,70m`, the last step repeating, `--queue-lifetime 5d`) is that
 * curve. A failure past the lifetime bounces; a retry that would fall after it is moved to the
 * lifetime's end, so the last try happens at the deadline rather than never.
 */
import { parseDuration } from '../config.js';

export interface RetryPolicy {
  /** Delays after the 1st, 2nd, … failure; the last repeats. */
  scheduleMs: readonly number[];
  lifetimeMs: number;
}

/** `5m,10m,20m` → [300000, 600000, 1200000]; throws on an empty or malformed list. */
export function parseRetrySchedule(text: string): number[] {
  const steps = text.split(',').map((s) => s.trim()).filter(Boolean).map(parseDuration);
  if (steps.length === 0 || steps.some((ms) => ms <= 0)) throw new Error('expected durations above 0, e.g. 5m,10m,20m,40m,70m');
  return steps;
}

/** `failures` counts this one (1 after the first failed try). */
export function retryDelayMs(policy: RetryPolicy, failures: number): number {
  const steps = policy.scheduleMs;
  return steps[Math.min(Math.max(failures, 1), steps.length) - 1]!;
}

export type TemporaryVerdict = { kind: 'retry'; atMs: number } | { kind: 'expired' };

/** After a temporary failure at `nowMs`: the next try's time, or expired (bounce). */
export function afterTemporaryFailure(policy: RetryPolicy, createdAtMs: number, failures: number, nowMs: number): TemporaryVerdict {
  const deadline = createdAtMs + policy.lifetimeMs;
  if (nowMs >= deadline) return { kind: 'expired' };
  return { kind: 'retry', atMs: Math.min(nowMs + retryDelayMs(policy, failures), deadline) };
}
