/**
 * A clock that moves only when the test says so: `advance(ms)` runs every timer that falls due,
 * in order, so a test of a 300 s idle timeout takes no time and cannot race the machine's load.
 */
import type { Clock, Timer } from '../../src/clock.js';

interface Pending {
  due: number;
  delayMs: number;
  callback: () => void;
  cancelled: boolean;
}

export class ManualClock implements Clock {
  private current: number;
  private pending: Pending[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  after(delayMs: number, callback: () => void): Timer {
    const entry: Pending = { due: this.current + delayMs, delayMs, callback, cancelled: false };
    this.pending.push(entry);
    return {
      cancel: () => void (entry.cancelled = true),
      refresh: () => {
        entry.due = this.current + entry.delayMs;
        if (entry.cancelled || !this.pending.includes(entry)) {
          entry.cancelled = false;
          this.pending.push(entry);
        }
      },
    };
  }

  /** Timers not yet run or cancelled. */
  get timers(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** Move time forward by `ms`, running each timer that falls due on the way, earliest first. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const live = this.pending.filter((p) => !p.cancelled && p.due <= target).sort((a, b) => a.due - b.due);
      const next = live[0];
      if (!next) break;
      this.current = Math.max(this.current, next.due);
      this.pending = this.pending.filter((p) => p !== next);
      next.callback();
    }
    this.current = target;
    this.pending = this.pending.filter((p) => !p.cancelled);
  }
}
