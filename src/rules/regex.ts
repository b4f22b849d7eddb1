/**
 * Bounded regular expressions for `regex` conditions, so that no rule can stall ingest.
 *
 * - The pattern is at most MAX_PATTERN_CHARS, and the value it is tested on at most
 *   MAX_VALUE_CHARS (RFC 5322 §2.1.1's line limit; longer header values are cut there).
 * - The engine: V8's own backtracking engine (JIT-compiled, ~50 ns for a typical pattern), with
 *   V8's fallback to its linear-time engine once a match has backtracked too much
 *   (`--enable-experimental-regexp-engine-on-excessive-backtracks`): a catastrophic pattern
 *   such as `^(a+)+$` then finishes in linear time (measured on 4 KiB: 0.3 ms instead of
 *   never). The fallback works only for patterns the linear engine can run, so a pattern is
 *   accepted only if it also compiles with the `l` flag: no backreferences, lookarounds, and no
 *   `i`/`u` flags (matching is case-sensitive; the other operators are not). Worst case
 *   measured: ~10 µs per value character, ~10 ms for a 1,000-character value.
 *
 * The V8 flags are process-wide; they change nothing for a regex that never backtracks
 * excessively, and make one that does finish.
 */
import v8 from 'node:v8';

export const MAX_PATTERN_CHARS = 256;
export const MAX_VALUE_CHARS = 1000;

let engineReady: boolean | null = null;

function enableLinearFallback(): boolean {
  if (engineReady !== null) return engineReady;
  try {
    v8.setFlagsFromString('--enable-experimental-regexp-engine');
    v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    new RegExp('a', 'l');
    engineReady = true;
  } catch {
    engineReady = false;
  }
  return engineReady;
}

/** The compiled pattern, or throws with the reason it is refused. */
export function boundedRegex(pattern: string): RegExp {
  if (pattern.length > MAX_PATTERN_CHARS) throw new Error(`a regex is limited to ${MAX_PATTERN_CHARS} characters`);
  if (!enableLinearFallback()) throw new Error('this Node.js has no linear-time regex engine, so regex conditions are refused');
  try {
    new RegExp(pattern, 'l');
  } catch (error) {
    const message = (error as Error).message;
    if (/linear time/.test(message)) throw new Error(`regex "${pattern}" uses a feature (backreference, lookaround) that cannot run in linear time`);
    throw new Error(`regex "${pattern}" does not compile: ${message.replace(/^Invalid regular expression: /, '')}`);
  }
  return new RegExp(pattern);
}
