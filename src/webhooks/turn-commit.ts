/**
 * Group commit for the shared-state database on the ingest path. A rule's tags and expiry and a
 * message's webhook deliveries must be on disk before its `250` (state-db.ts: synchronous=FULL,
 * so each commit is an fsync). Twenty sessions finishing DATA in one event-loop turn would cost
 * twenty fsyncs one after another on the main thread; here the writes of one turn run in one
 * transaction at the end of the turn (setImmediate), and every caller's promise settles with it.
 */
import type { StateDatabase } from '../store/sqlite/state-db.js';

interface Pending {
  write: () => void;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class TurnCommit {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly state: StateDatabase) {}

  /** Run `write` (synchronous SQL) in this turn's transaction; resolves once that transaction committed. */
  run(write: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      this.state.db.transaction(() => {
        for (const item of batch) item.write();
      })();
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) item.resolve();
  }
}
