/**
 * Appends committed on the main thread, for a sender that is alone.
 *
 * Through the writer worker, a message costs two thread hand-offs: the post to the writer and the
 * outcome back, each waking a sleeping thread (about 60–90 µs apiece on the 2-core VM we measure
 * on, plus ~30 µs for the post itself). Under load a whole batch shares them; one SMTP session
 * sending a message at a time pays them for every message, a third of its end-of-data-to-250 time.
 * Committed here, that session's messages are answered ~25 % sooner (BENCHMARKS.md, fifth round).
 *
 * This is a second writing connection on the same database, kept apart from the writer by
 * SQLite's write lock. Its busy timeout is 0: while the writer holds the lock (an index batch, a
 * retention pass) `tryAppend` answers null at once and the caller goes through the writer, so the
 * event loop never waits for a lock, only for the one sync of its own commit. With company, the
 * senders' messages go to the writer's group commit: committing each on the event loop would
 * serialise them behind one sync apiece (4 KiB × 20 sessions fell from ~4,200 to ~1,700 msg/s).
 * Which appends come here is the store's rule (lone-sender.ts).
 */
import Database from 'better-sqlite3';
import type { NewMessage } from '../types.js';
import { MessageRows, type Appended } from './message-rows.js';
import { configureWriting, transactionStatements } from './schema.js';

export class InlineWriter {
  private readonly db: Database.Database;
  private readonly rows: MessageRows;
  private readonly tx;

  /** Opens a connection to a database whose schema the writer has already created. */
  constructor(path: string, maxPerInbox: number, compactBodies: boolean) {
    const db = new Database(path);
    this.db = db;
    configureWriting(db);
    db.pragma('busy_timeout = 0');
    this.rows = new MessageRows(db, maxPerInbox, compactBodies);
    this.tx = transactionStatements(db);
  }

  /** Commit one append, synced, or answer null without waiting if another connection is writing. */
  tryAppend(message: NewMessage): Appended | null {
    try {
      this.tx.begin.run();
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY')) return null;
      throw error;
    }
    try {
      const appended = this.rows.append(message);
      this.tx.commit.run();
      return appended;
    } catch (error) {
      if (this.db.inTransaction) this.tx.rollback.run();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }
}
