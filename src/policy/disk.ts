/**
 * A full disk that heals itself. Every CHECK_INTERVAL_MS (more often near the line) the guard reads the free space of the
 * data dir's filesystem (statfs) plus the space the store can reuse inside its own files (pages
 * freed by deletes, which new mail fills first). Below --min-free-disk it evicts the oldest
 * messages, Mailinator's FIFO push-out, until that sum is back above; when eviction cannot help
 * (the store is empty, or something else filled the disk) new mail is refused with `452 4.3.1`
 * (RFC 3463: mail system full) at MAIL, every read keeps working, and ingest resumes by itself
 * when space returns.
 *
 * Deletes must succeed on a full disk (a SQLite delete writes to the WAL first): the guard keeps
 * a BALLAST_BYTES file in the data dir while there is room and removes it the moment the disk is
 * full, so the writes that free space always have somewhere to go; it is put back when the disk
 * has room again. Evictions are logged once a minute, summed, not per message.
 */
import { statfsSync } from 'node:fs';
import type { Clock, Timer } from '../clock.js';
import type { FreeSpace } from '../config.js';
import type { Logger } from '../log.js';
import { BALLAST_BYTES, type Ballast } from '../store/ballast.js';
import type { Store } from '../store/types.js';

/** A statfs and two pragma reads: microseconds, so the guard can look often. */
const CHECK_INTERVAL_MS = 250;
/** Near the line, look five times as often: a fast sender fills a small disk within a second. */
const CLOSE_CHECK_INTERVAL_MS = 50;
const LOG_INTERVAL_MS = 60_000;
/** Evictions per pass at most; the next pass (a second later) goes on if still needed. */
const MAX_EVICT_PER_PASS = 2000;

export interface DiskStatus {
  state: 'ok' | 'full';
  freeBytes: number;
  reusableBytes: number;
  minFreeBytes: number;
  evictedTotal: number;
}

export interface DiskGuardOptions {
  dataDir: string;
  minFree: FreeSpace;
  store: Pick<Store, 'stats' | 'evictOldest' | 'reusableBytes'>;
  ballast: Ballast;
  clock: Clock;
  log: Logger;
  onEvicted?: (count: number) => void;
}

/** The smaller of the percentage of the filesystem and the byte count, whichever are given. */
export function minFreeBytes(minFree: FreeSpace, filesystemBytes: number): number {
  const limits = [minFree.percent === null ? null : (filesystemBytes * minFree.percent) / 100, minFree.bytes].filter((x): x is number => x !== null);
  return limits.length ? Math.floor(Math.min(...limits)) : 0;
}

export class DiskGuard {
  private status: DiskStatus = { state: 'ok', freeBytes: 0, reusableBytes: 0, minFreeBytes: 0, evictedTotal: 0 };
  private timer: Timer | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private evictedSinceLog = 0;
  private loggedAtMs = -Infinity;
  /** Room was under twice the minimum at the last check. */
  private close = false;
  /** The state the last completed check decided (the interim 'full' during eviction aside). */
  private wasFull = false;

  constructor(private readonly options: DiskGuardOptions) {}

  get full(): boolean {
    return this.status.state === 'full';
  }

  get current(): DiskStatus {
    return { ...this.status };
  }

  start(): void {
    const tick = (): void => {
      this.running = this.check()
        .catch((error: unknown) => this.options.log.error({ err: String(error) }, 'disk check failed'))
        .then(() => {
          if (!this.stopped) this.timer = this.options.clock.after(this.close ? CLOSE_CHECK_INTERVAL_MS : CHECK_INTERVAL_MS, tick);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    await this.running;
  }

  /** One pass: measure, evict while it helps, decide whether new mail fits. */
  async check(): Promise<void> {
    const { minFree, store, log } = this.options;
    let fs = statfsSync(this.options.dataDir);
    const total = fs.blocks * fs.bsize;
    const min = minFreeBytes(minFree, total);
    if (min === 0) return;
    // Without its ballast the store needs the ballast's worth more before it takes mail again, so
    // the room kept for deletes is never what new mail fills (and a full disk does not flap).
    const ballast = this.options.ballast;
    const target = (): number => min + (ballast.present ? 0 : BALLAST_BYTES);
    let free = fs.bavail * fs.bsize;
    let stats = await store.stats();
    let reusable = await store.reusableBytes();
    let evicted = 0;
    // Refuse new mail while room is being made: what eviction (or the ballast) frees must go to
    // the deletes themselves, not to the next message.
    if (free + reusable < target()) this.status = { ...this.status, state: 'full', freeBytes: free, reusableBytes: reusable, minFreeBytes: min };
    while (free + reusable < target() && stats.messages > 0 && evicted < MAX_EVICT_PER_PASS) {
      if (free < BALLAST_BYTES) ballast.release(); // the deletes themselves need room now
      // What a message really takes on disk (compressed, shared parts once), not its raw size.
      const meanBytes = Math.max(1, stats.storedBytes / stats.messages);
      const count = Math.min(MAX_EVICT_PER_PASS - evicted, Math.max(1, Math.ceil((target() - free - reusable) / meanBytes)));
      const removed = await store.evictOldest(count);
      if (removed.length === 0) break;
      evicted += removed.length;
      fs = statfsSync(this.options.dataDir);
      free = fs.bavail * fs.bsize;
      stats = await store.stats();
      reusable = await store.reusableBytes();
    }
    if (evicted) {
      this.status.evictedTotal += evicted;
      this.evictedSinceLog += evicted;
      this.options.onEvicted?.(evicted);
    }
    const wasFull = this.wasFull;
    const full = free + reusable < target();
    this.wasFull = full;
    this.close = free + reusable < 4 * target();
    this.status = { ...this.status, state: full ? 'full' : 'ok', freeBytes: free, reusableBytes: reusable, minFreeBytes: min };
    if (full) ballast.release();
    else ballast.ensure(min + BALLAST_BYTES);
    const now = this.options.clock.now();
    if (full !== wasFull) {
      if (full) log.warn({ freeBytes: free, minFreeBytes: min }, 'disk full: refusing new mail with 452 4.3.1 until space returns');
      else log.warn({ freeBytes: free, minFreeBytes: min }, 'disk has room again: accepting mail');
    }
    if (this.evictedSinceLog && now - this.loggedAtMs >= LOG_INTERVAL_MS) {
      log.warn({ evicted: this.evictedSinceLog, freeBytes: free, minFreeBytes: min }, 'low disk: evicted the oldest messages');
      this.evictedSinceLog = 0;
      this.loggedAtMs = now;
    }
  }
}
