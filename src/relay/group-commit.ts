/**
 * Group commit on a synchronous SQLite handle: writes asked for in the same turn of the event
 * loop run in one transaction, flushed on `setImmediate`, and every caller's promise settles
 * once that transaction (and with `synchronous = FULL`, its fsync) is done. One fsync per tick
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

  constructor(private readonly db: Database.Database) {}

  /** Queue `run` for the next batch; resolves with its result once the batch is committed. */
  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject } as PendingWrite<unknown>);
      if (!this.scheduled) {
        this.scheduled = true;
        this.flushed = new Promise<void>((done) => (this.markFlushed = done));
        setImmediate(() => this.flush());
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
      for (const write of batch) write.reject(error);
      done?.();
      return;
    }
    batch.forEach((write, index) => {
      const result = results[index]!;
      if (result.ok) write.resolve(result.value);
      else write.reject(result.value);
    });
    done?.();
  }
}
