/**
 * The greylist's SQLite engine, on the shared `state.db` (component `greylist`, its own
 * append-only migration steps): a memory copy of the whole table answers every RCPT, and each
 * change is written behind to SQLite, in one transaction per FLUSH_MS (or at once when
 * FLUSH_BATCH changes are waiting), and at close.
 *
 * Why write behind, not a commit per RCPT: state.db runs `synchronous = FULL`, so a commit is
 * an fsync, and a flood of new triplets would cost one fsync each on the RCPT path. What a crash
 * can lose is the last second of greylist changes, and that is harmless: a triplet first seen
 * in that second is deferred once more when it is retried (the sender retries, no mail is
 * lost), and a pass not recorded is counted again on the next one. The table is bounded by the
 * greylist's cap (greylist.ts), so holding all of it in memory is too: ~200 bytes an entry.
 */
import type { Clock, Timer } from '../../clock.js';
import { MemoryGreylistState, entryKey, type GreyEntry, type GreyKind, type GreylistState } from '../../policy/greylist-state.js';
import type { StateDatabase } from './state-db.js';

export const FLUSH_MS = 1000;
export const FLUSH_BATCH = 1000;

/** Append-only: never edit a step that has shipped. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE greylist_entries (
     key TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('grey', 'white', 'client')),
     network TEXT NOT NULL,
     sender TEXT NOT NULL,
     recipient TEXT NOT NULL,
     first_seen_ms INTEGER NOT NULL,
     last_seen_ms INTEGER NOT NULL,
     passes INTEGER NOT NULL,
     expires_at_ms INTEGER NOT NULL
   ) WITHOUT ROWID;
   CREATE INDEX greylist_entries_expiry ON greylist_entries (expires_at_ms);`,
];

interface Row {
  kind: GreyKind;
  network: string;
  sender: string;
  recipient: string;
  first_seen_ms: number;
  last_seen_ms: number;
  passes: number;
  expires_at_ms: number;
}

export class SqliteGreylistState implements GreylistState {
  private readonly memory: MemoryGreylistState;
  /** Changes not yet written: key → the entry to write, or null to delete it. */
  private readonly dirty = new Map<string, GreyEntry | null>();
  private timer: Timer | null = null;
  private readonly write: (changes: Array<[string, GreyEntry | null]>) => void;

  constructor(
    private readonly state: StateDatabase,
    private readonly clock: Clock,
    private readonly onError: (message: string) => void,
  ) {
    state.migrate('greylist', MIGRATIONS);
    const db = state.db;
    const upsert = db.prepare(
      `INSERT INTO greylist_entries (key, kind, network, sender, recipient, first_seen_ms, last_seen_ms, passes, expires_at_ms)
       VALUES (@key, @kind, @network, @sender, @recipient, @firstSeenMs, @lastSeenMs, @passes, @expiresAtMs)
       ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, first_seen_ms = excluded.first_seen_ms, last_seen_ms = excluded.last_seen_ms,
         passes = excluded.passes, expires_at_ms = excluded.expires_at_ms`,
    );
    const remove = db.prepare<[string]>('DELETE FROM greylist_entries WHERE key = ?');
    this.write = db.transaction((changes: Array<[string, GreyEntry | null]>) => {
      for (const [key, entry] of changes) {
        if (entry) upsert.run({ key, ...entry });
        else remove.run(key);
      }
    });
    this.memory = new MemoryGreylistState((entry, deleted) => this.changed(entry, deleted));
    db.prepare<[number]>('DELETE FROM greylist_entries WHERE expires_at_ms <= ?').run(clock.now());
    const rows = db.prepare<[], Row>('SELECT kind, network, sender, recipient, first_seen_ms, last_seen_ms, passes, expires_at_ms FROM greylist_entries ORDER BY last_seen_ms').all();
    for (const r of rows) {
      this.memory.restore({
        kind: r.kind, network: r.network, sender: r.sender, recipient: r.recipient,
        firstSeenMs: r.first_seen_ms, lastSeenMs: r.last_seen_ms, passes: r.passes, expiresAtMs: r.expires_at_ms,
      });
    }
  }

  get(kind: 'triplet' | 'client', network: string, sender?: string, recipient?: string): GreyEntry | undefined {
    return this.memory.get(kind, network, sender, recipient);
  }
  put(entry: GreyEntry): void {
    this.memory.put(entry);
  }
  delete(entry: GreyEntry): void {
    this.memory.delete(entry);
  }
  count(kind: GreyKind): number {
    return this.memory.count(kind);
  }
  evictOldest(kind: GreyKind, n: number): number {
    return this.memory.evictOldest(kind, n);
  }
  sweep(nowMs: number): number {
    return this.memory.sweep(nowMs);
  }
  recent(limit: number): GreyEntry[] {
    return this.memory.recent(limit);
  }

  /** Entries not yet written to state.db. */
  get pending(): number {
    return this.dirty.size;
  }

  flush(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.dirty.size === 0 || !this.state.db.open) return;
    const changes = [...this.dirty];
    this.dirty.clear();
    try {
      this.write(changes);
    } catch (error) {
      // Kept in memory and retried on the next flush; the RCPT path never waits on the disk.
      for (const [key, entry] of changes) if (!this.dirty.has(key)) this.dirty.set(key, entry);
      this.onError(`greylist: cannot write state.db: ${(error as Error).message}`);
      this.schedule();
    }
  }

  close(): void {
    this.flush();
  }

  private changed(entry: GreyEntry, deleted: boolean): void {
    this.dirty.set(entryKey(entry), deleted ? null : entry);
    if (this.dirty.size >= FLUSH_BATCH) this.flush();
    else this.schedule();
  }

  private schedule(): void {
    this.timer ??= this.clock.after(FLUSH_MS, () => {
      this.timer = null;
      this.flush();
    });
  }
}
