/**
 * The SQLite layout. One row per received message in `bodies` (raw bytes stored once), one row
 * per inbox it went to in `messages` (its own id and flags). `inboxes` keeps counts so listing
 * totals and the per-inbox cap never count rows. `bodies_fts` is contentless: the text lives
 * in the raw bytes already, the index only has to answer "which rows".
 */
import type Database from 'better-sqlite3';
import { randomInt } from 'node:crypto';

export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (
  id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: the indexer walks bodies by ascending id
  raw BLOB NOT NULL,
  size INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  mail_from TEXT NOT NULL,
  rcpt_to TEXT NOT NULL,
  remote_address TEXT NOT NULL,
  helo TEXT NOT NULL,
  tls INTEGER NOT NULL,
  from_json TEXT,
  to_json TEXT NOT NULL,
  subject TEXT NOT NULL,
  date INTEGER,
  preview TEXT NOT NULL DEFAULT '',
  attachments INTEGER NOT NULL DEFAULT 0,
  parsed INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS bodies_unparsed ON bodies(id) WHERE parsed = 0;
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  inbox TEXT NOT NULL,
  body_id INTEGER NOT NULL,
  flags INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_by_inbox ON messages(inbox, id);
CREATE INDEX IF NOT EXISTS messages_by_body ON messages(body_id);
CREATE TABLE IF NOT EXISTS inboxes (name TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS bodies_fts USING fts5(subject, addresses, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
`;

export interface ConnectionOptions {
  /** FULL for the writer (a commit is on disk when it returns); readers never commit. */
  synchronous: 'FULL' | 'NORMAL';
}

export function configure(db: Database.Database, options: ConnectionOptions): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = OFF');
  // 8 MiB page cache per connection: listings touch few pages, and RSS must stay small.
  db.pragma('cache_size = -8000');
  db.pragma('temp_store = MEMORY');
}

/** Create or check the schema; returns the store's UIDVALIDITY (random, fixed at creation). */
export function migrate(db: Database.Database): number {
  db.exec(DDL);
  const version = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const current = version.get('schema_version');
  if (current && Number(current.value) !== SCHEMA_VERSION) {
    throw new Error(`data dir holds schema version ${current.value}; this Tidemail reads version ${SCHEMA_VERSION}`);
  }
  const insert = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
  insert.run('schema_version', String(SCHEMA_VERSION));
  insert.run('uid_validity', String(randomInt(1, 2 ** 31)));
  return Number(version.get('uid_validity')?.value);
}
