/**
 * Group commit on a synchronous SQLite handle: writes asked for while a batch gathers (the next
 * turn of the loop, or as long as the last commit took, up to `maxWindowMs`) run in one
 * transaction, and every caller's promise settles once that transaction (and with
 * `synchronous = FULL`, its fsync) is done. The fsync blocks the main thread (better-sqlite3 is
 * synchronous), so fewer, larger commits matter more than a millisecond of latency. One fsync per tick
 * instead of one per enqueue or state change is what lets the queue sustain thousands of durable
 * writes a second on one disk (the store's writer thread does the same for messages).
 *
 * A write that throws fails only its own caller: each runs inside a savepoint of the batch.
 */
import type Database from 'better-sqlite3';

interface PendingWrite<T> {
  run: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private pending: PendingWrite<unknown>[] = [];
  private scheduled = false;
  private flushed: Promise<void> = Promise.resolve();
  private markFlushed: (() => void) | null = null;

  constructor(
    private readonly db: Database.Database,
    /** Upper bound of how long the first write of a batch waits for company. */
    private readonly maxWindowMs = 20,
  ) {}

  /** How long the last commit took: the next batch waits about as long (a slow disk gathers more). */
  private lastFlushMs = 0;

  /** Queue `run` for the next batch; resolves with its result once the batch is committed. */
  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject } as PendingWrite<unknown>);
      if (!this.scheduled) {
        this.scheduled = true;
        this.flushed = new Promise<void>((done) => (this.markFlushed = done));
        const windowMs = Math.min(this.maxWindowMs, Math.floor(this.lastFlushMs));
        if (windowMs > 0) setTimeout(() => this.flush(), windowMs);
        else setImmediate(() => this.flush());
      }
    });
  }

  /** Resolves once every write queued so far is committed. */
  idle(): Promise<void> {
    return this.scheduled ? this.flushed : Promise.resolve();
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    const done = this.markFlushed;
    this.markFlushed = null;
    const results: { ok: boolean; value: unknown }[] = [];
    const startedAt = performance.now();
    try {
      this.db.transaction(() => {
        for (const write of batch) {
          try {
            results.push({ ok: true, value: this.db.transaction(write.run)() });
          } catch (error) {
            results.push({ ok: false, value: error });
          }
        }
      })();
    } catch (error) {
      this.lastFlushMs = performance.now() - startedAt;
      for (const write of batch) write.reject(error);
      done?.();
      return;
    }
    this.lastFlushMs = performance.now() - startedAt;
    batch.forEach((write, index) => {
      const result = results[index]!;
      if (result.ok) write.resolve(result.value);
      else write.reject(result.value);
    });
    done?.();
  }
}
