/**
 * Group commit on a synchronous SQLite handle in WAL mode, with the fsync off the main thread.
 *
 * better-sqlite3 runs on the main thread, so a commit under `synchronous = FULL` blocks it for
 * the whole fsync of the WAL (2–4 ms on this VM's virtio disk), during which no SMTP reply of
 * the relay's 50 connections is read. Instead each batch commits under `synchronous = NORMAL`
 * (the WAL frames reach the page cache, no sync) and then the WAL file is synced with
 * `fdatasync` on libuv's thread pool; the callers' promises settle only once that sync is done,
 * so "resolved" still means "on disk", as FULL would promise (FULL in WAL mode is exactly a
 * sync of the WAL after the commit's frames are written: https://sqlite.org/pragma.html#pragma_synchronous).
 * Checkpoints keep NORMAL's own syncs (the WAL before, the database after), so a checkpointed
 * page is on disk before the WAL that held it is reused.
 *
 * The batches: writes asked for while a sync is in flight wait for it and then commit together
 * (one transaction, one fdatasync), and batches start at least `minCycleMs` apart, so under
 * load there are at most 1000 / minCycleMs commits and syncs a second whatever the rate of
 * writes (each costs a transaction, WAL frames for the same hot pages, a sync and a hand-off to
 * the thread pool); a write to an idle queue commits on the next turn of the loop. A write that
 * throws fails only its own caller: each runs inside a savepoint of the batch.
 *
 * What a commit makes visible before its sync: other statements on this connection (a claim)
 * may read it. Only a power cut (not a kill -9: the page cache survives a killed process) can
 * then lose it, and the queue is at-least-once anyway.
 */
import type Database from 'better-sqlite3';
import { closeSync, fdatasync, openSync } from 'node:fs';

interface PendingWrite<T> {
  run: () => T;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

interface Committed {
  write: PendingWrite<unknown>;
  ok: boolean;
  value: unknown;
}

/** Makes everything committed so far durable; calls back once it is. */
export type WalSync = (done: (error: Error | null) => void) => void;

/** fdatasync of the database's WAL file, on the thread pool (the file is opened on first use: a commit creates it). */
export function walFileSync(walPath: string): { sync: WalSync; close(): void } {
  let fd: number | null = null;
  return {
    sync(done) {
      try {
        fd ??= openSync(walPath, 'r+');
      } catch (error) {
        done(error as Error);
        return;
      }
      fdatasync(fd, (error) => done(error));
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

export class GroupCommit {
  private pending: PendingWrite<unknown>[] = [];
  private flushScheduled = false;
  private syncing = false;
  private idleWaiters: (() => void)[] = [];
  private lastFlushAtMs = -Infinity;

  constructor(
    private readonly db: Database.Database,
    private readonly sync: WalSync,
    /** Least time between the starts of two batches. */
    private readonly minCycleMs = 3,
  ) {}

  /** Queue `run` for the next batch; resolves with its result once the batch is committed and synced. */
  write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ run, resolve, reject } as PendingWrite<unknown>);
      this.scheduleFlush();
    });
  }

  /** Resolves once every write queued so far is committed and synced. */
  idle(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private get busy(): boolean {
    return this.pending.length > 0 || this.syncing || this.flushScheduled;
  }

  /** Commit on the next turn (or once `minCycleMs` have passed since the last batch), unless a sync is in flight: its end schedules the next. */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.syncing) return;
    this.flushScheduled = true;
    const run = (): void => {
      this.flushScheduled = false;
      // Timers run on the loop's millisecond clock and may fire a fraction of a millisecond
      // early by this one: then wait out the rest, so batches really start minCycleMs apart.
      if (performance.now() - this.lastFlushAtMs < this.minCycleMs) this.scheduleFlush();
      else this.flush();
    };
    const waitMs = this.lastFlushAtMs + this.minCycleMs - performance.now();
    if (waitMs > 0) setTimeout(run, Math.ceil(waitMs));
    else setImmediate(run);
  }

  private flush(): void {
    this.lastFlushAtMs = performance.now();
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.settleIdle();
    const committed: Committed[] = [];
    try {
      this.db.pragma('synchronous = NORMAL');
      this.db.transaction(() => {
        for (const write of batch) {
          try {
            committed.push({ write, ok: true, value: this.db.transaction(write.run)() });
          } catch (error) {
            committed.push({ write, ok: false, value: error });
          }
        }
      })();
    } catch (error) {
      for (const write of batch) write.reject(error);
      return this.afterBatch();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
    this.syncing = true;
    this.sync((error) => {
      this.syncing = false;
      for (const c of committed) {
        if (error) c.write.reject(error);
        else if (c.ok) c.write.resolve(c.value);
        else c.write.reject(c.value);
      }
      this.afterBatch();
    });
  }

  private afterBatch(): void {
    if (this.pending.length) this.scheduleFlush();
    else this.settleIdle();
  }

  private settleIdle(): void {
    if (this.busy) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
