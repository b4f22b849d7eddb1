/**
 * Time as the servers see it. Everything that waits (idle timeouts, `wait`'s deadline, retention
 * passes) asks a Clock instead of calling `Date.now()` and `setTimeout` itself, so a test can
 * drive those waits with a manual clock (test/helpers/clock.ts) instead of sleeping.
 */

/** A pending callback; `refresh` restarts its countdown from now (an idle timer on input). */
export interface Timer {
  cancel(): void;
  refresh(): void;
}

export interface Clock {
  now(): number;
  /** Run `callback` once after `delayMs`. Real timers never keep the process alive by themselves. */
  after(delayMs: number, callback: () => void): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(delayMs, callback) {
    const timer = setTimeout(callback, delayMs).unref();
    return {
      cancel: () => clearTimeout(timer),
      refresh: () => void timer.refresh(),
    };
  },
};
