/**
 * The small shared-state database beside the message store (`state.db` in the data dir): the
 * tables of the parts that keep state of their own across restarts — greylist triplets, the
 * relay queue, webhook deliveries, routing rules, agent reply limits. ARCHITECTURE.md keeps
 * such state behind small interfaces so a distributed engine can implement them; this file is
 * the SQLite side they share.
 *
 * Why a second file, not tables in the message database: the message database is written by
 * the store's writer thread with group commit, and a second writer on the main thread would
 * contend for its lock on the ingest path. Here each component writes on the main thread, in
 * WAL mode with `synchronous = FULL`: a commit that returns is on disk.
 *
 * Each component owns its tables and migrates them itself: `migrate(component, steps)` runs the
 * steps it has not run yet, in order, in one transaction each, and remembers how far it got in
 * `state_schema`. Steps are append-only: never edit one that has shipped.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export class StateDatabase {
  readonly db: Database.Database;

  constructor(path: string) {
    const db = new Database(path);
    this.db = db;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.exec('CREATE TABLE IF NOT EXISTS state_schema (component TEXT PRIMARY KEY, version INTEGER NOT NULL)');
  }

  static inDataDir(dataDir: string): StateDatabase {
    return new StateDatabase(join(dataDir, 'state.db'));
  }

  /** Run the steps of `component` past the version it is at; each step is SQL run as one transaction. */
  migrate(component: string, steps: readonly string[]): void {
    const row = this.db.prepare<[string], { version: number }>('SELECT version FROM state_schema WHERE component = ?').get(component);
    const from = row?.version ?? 0;
    if (from > steps.length) throw new Error(`state.db: ${component} is at version ${from}, newer than this Tidemail knows (${steps.length})`);
    const record = this.db.prepare('INSERT INTO state_schema (component, version) VALUES (?, ?) ON CONFLICT (component) DO UPDATE SET version = excluded.version');
    for (let version = from + 1; version <= steps.length; version++) {
      this.db.transaction(() => {
        this.db.exec(steps[version - 1]!);
        record.run(component, version);
      })();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
