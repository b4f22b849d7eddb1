/**
 * The folder registry (store/folders.ts) on the shared state database (state-db.ts), component
 * `folders`: two tables keyed by inbox and path, written on the main thread with synchronous
 * commits like every component there. A few rows per inbox that uses folders at all; a lookup
 * is one index range scan.
 */
import type Database from 'better-sqlite3';
import type { FolderRegistry } from '../folders.js';
import type { StateDatabase } from './state-db.js';

/** Append-only migration steps of component `folders` (state-db.ts). */
const STEPS: readonly string[] = [
  `CREATE TABLE folders (inbox TEXT NOT NULL, path TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (inbox, path)) WITHOUT ROWID;
   CREATE TABLE folder_subscriptions (inbox TEXT NOT NULL, path TEXT NOT NULL, PRIMARY KEY (inbox, path)) WITHOUT ROWID;`,
];

export class SqliteFolderRegistry implements FolderRegistry {
  private readonly sql;
  private readonly renameAll;
  private readonly createAll;

  constructor(state: StateDatabase, private readonly now: () => number = Date.now) {
    state.migrate('folders', STEPS);
    const db: Database.Database = state.db;
    this.sql = {
      folders: db.prepare<[string], string>('SELECT path FROM folders WHERE inbox = ? ORDER BY path').pluck(),
      create: db.prepare('INSERT OR IGNORE INTO folders (inbox, path, created_at) VALUES (?, ?, ?)'),
      remove: db.prepare('DELETE FROM folders WHERE inbox = ? AND path = ?'),
      renameFolder: db.prepare('UPDATE folders SET path = ? WHERE inbox = ? AND path = ?'),
      subscriptions: db.prepare<[string], string>('SELECT path FROM folder_subscriptions WHERE inbox = ? ORDER BY path').pluck(),
      subscribe: db.prepare('INSERT OR IGNORE INTO folder_subscriptions (inbox, path) VALUES (?, ?)'),
      unsubscribe: db.prepare('DELETE FROM folder_subscriptions WHERE inbox = ? AND path = ?'),
      renameSubscription: db.prepare('UPDATE OR REPLACE folder_subscriptions SET path = ? WHERE inbox = ? AND path = ?'),
    };
    this.createAll = db.transaction((inbox: string, paths: readonly string[]) => {
      const at = this.now();
      for (const path of paths) this.sql.create.run(inbox, path, at);
    });
    this.renameAll = db.transaction((inbox: string, pairs: ReadonlyArray<readonly [string, string]>) => {
      for (const [from, to] of pairs) {
        this.sql.renameFolder.run(to, inbox, from);
        this.sql.renameSubscription.run(to, inbox, from);
      }
    });
  }

  async folders(inbox: string): Promise<string[]> {
    return this.sql.folders.all(inbox);
  }

  async create(inbox: string, paths: readonly string[]): Promise<void> {
    this.createAll(inbox, paths);
  }

  async remove(inbox: string, path: string): Promise<void> {
    this.sql.remove.run(inbox, path);
  }

  async rename(inbox: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<void> {
    this.renameAll(inbox, pairs);
  }

  async subscriptions(inbox: string): Promise<string[]> {
    return this.sql.subscriptions.all(inbox);
  }

  async subscribe(inbox: string, path: string, subscribed: boolean): Promise<void> {
    if (subscribed) this.sql.subscribe.run(inbox, path);
    else this.sql.unsubscribe.run(inbox, path);
  }
}
