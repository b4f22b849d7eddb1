/**
 * The SQLite layout. One row per received message in `bodies` (envelope and listing fields) with
 * its raw bytes, stored once, in `raws` (compacted from version 7: `raws.codec`, the shared `parts`
 * and `dictionaries`, compact/body-codec.ts); one row per inbox it went to in `messages` (its own id
 * and flags). `inboxes` keeps counts so listing totals and the per-inbox cap never count rows.
 * `bodies_fts` is contentless: the text lives in the raw bytes already, the index only has to
 * answer "which rows". A body has its row there once it is parsed (`parsed = 1`), never before:
 * the indexer inserts it, off the ingest path, and search matches the few unparsed bodies itself.
 * `transcripts` holds each body's SMTP transcript as compact JSON (at most 16 KiB, the session's cap).
 * `parses` keeps what the indexer's full parse gave beyond the summary (headers, text, html,
 * attachment list; kept-parse.ts), compactly: a text that is a stretch of the raw bytes is kept as
 * its offsets, so a message read never parses and no byte of the message is stored twice.
 *
 * Visibility (store.ts): a message is shown only once its body is parsed, in id order, so what
 * readers see is every message up to a watermark, never a committed but unparsed one.
 * `inboxes.last_id` is the highest id an inbox ever showed: IMAP UIDNEXT, which must not go down
 * when the newest messages are deleted (RFC 3501 §2.3.1.1).
 * `totals` is one row: the messages, bodies and raw bytes held, and the bytes they take (`stored`:
 * blobs, transcripts, shared parts and dictionaries; what --max-store-size counts). Whichever connection adds or
 * removes messages updates it in the same transaction (message-rows.ts), so it is exactly what
 * is committed, a rolled-back transaction takes its change with it, and the total-size rule and
 * `stats()` read one row instead of summing every body.
 *
 * The raw bytes live apart from the listing fields because SQLite rewrites a whole row when
 * one column changes: with the bytes inline, storing a body's preview rewrote every overflow
 * page of the message, and reading a listing row walked them.
 */
import type Database from 'better-sqlite3';
import { randomInt } from 'node:crypto';
import { COMPACT_DDL } from '../compact/body-codec.js';

export const SCHEMA_VERSION = 7;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bodies (
  id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: the indexer walks bodies by ascending id
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
  parsed INTEGER NOT NULL DEFAULT 0,
  codes TEXT NOT NULL DEFAULT '[]', -- JSON array of strings, from the parse
  links TEXT NOT NULL DEFAULT '[]'  -- JSON array, at most SUMMARY_LINKS, from the parse
);
CREATE INDEX IF NOT EXISTS bodies_unparsed ON bodies(id) WHERE parsed = 0;
CREATE TABLE IF NOT EXISTS raws (body_id INTEGER PRIMARY KEY, raw BLOB NOT NULL, codec INTEGER NOT NULL DEFAULT 0); -- codec: compact/body-codec.ts
${COMPACT_DDL}CREATE TABLE IF NOT EXISTS transcripts (body_id INTEGER PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS parses (body_id INTEGER PRIMARY KEY, kept TEXT NOT NULL); -- kept-parse.ts
CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  inbox TEXT NOT NULL,
  body_id INTEGER NOT NULL,
  flags INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_by_inbox ON messages(inbox, id);
CREATE INDEX IF NOT EXISTS messages_by_body ON messages(body_id);
CREATE TABLE IF NOT EXISTS inboxes (
  name TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  last_id INTEGER NOT NULL DEFAULT 0 -- the highest id this inbox ever showed (IMAP UIDNEXT)
) WITHOUT ROWID;
CREATE VIRTUAL TABLE IF NOT EXISTS bodies_fts USING fts5(subject, addresses, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
CREATE TABLE IF NOT EXISTS totals (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  messages INTEGER NOT NULL,
  bodies INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  stored INTEGER NOT NULL DEFAULT 0 -- bytes used: STORED_BYTES
);
`;

/**
 * What `totals.stored` counts, summed from the rows: each body's blob and transcript, and the
 * shared parts and dictionaries once (compact/body-codec.ts; message-rows.ts keeps it up to date).
 */
const STORED_BYTES = `(SELECT coalesce(sum(length(raw)), 0) FROM raws) + (SELECT coalesce(sum(length(CAST(json AS BLOB))), 0) FROM transcripts)
  + (SELECT coalesce(sum(length(data)), 0) FROM parts) + (SELECT coalesce(sum(length(bytes)), 0) FROM dictionaries)`;

/** The one `totals` row, counted from the rows themselves: for a new store, and when upgrading to version 4. */
const COUNT_TOTALS = `
INSERT OR REPLACE INTO totals (id, messages, bodies, bytes, stored)
SELECT 1, (SELECT count(*) FROM messages), count(*), coalesce(sum(size), 0), ${STORED_BYTES} FROM bodies;
`;

export interface ConnectionOptions {
  /** FULL for the writer (a commit is on disk when it returns); readers never commit. */
  synchronous: 'FULL' | 'NORMAL';
  /** Page cache, KiB. */
  cacheKiB: number;
}

/** Listings and message reads revisit the same pages: the reader keeps more of them. */
export const READER_CACHE_KIB = 8000;
/**
 * The writer mostly appends pages it never reads again (new rows, overflow pages of raw bytes);
 * it needs the B-tree interiors and the hot leaves, and every KiB more is RSS under ingest.
 */
const WRITER_CACHE_KIB = 2000;

/**
 * A writing connection checkpoints the WAL itself only past this many pages (SQLite's default):
 * checkpoints are the indexer's job, and this bounds the WAL if it falls behind or stops. The
 * indexer has usually copied most pages already, so such a checkpoint is short; a larger WAL only
 * made the rare long one longer (p99 of 100 KiB messages 44 → 124 ms at 8,192 pages).
 */
const FALLBACK_CHECKPOINT_PAGES = 1000;

export function configure(db: Database.Database, options: ConnectionOptions): void {
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = OFF');
  db.pragma(`cache_size = -${options.cacheKiB}`);
  db.pragma('temp_store = MEMORY');
}

/** A connection that writes (the writer worker's, the inline writer's): synced commits, a small cache. */
export function configureWriting(db: Database.Database): void {
  configure(db, { synchronous: 'FULL', cacheKiB: WRITER_CACHE_KIB });
  db.pragma(`wal_autocheckpoint = ${FALLBACK_CHECKPOINT_PAGES}`);
}

/** Transaction control, prepared once: `exec` would compile each statement on every batch. */
export function transactionStatements(db: Database.Database) {
  return { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
}

/** Create, upgrade or check the schema; returns the store's UIDVALIDITY (random, fixed at creation). */
export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
  const version = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
  const current = version.get('schema_version');
  const from = current ? Number(current.value) : SCHEMA_VERSION;
  if (from !== SCHEMA_VERSION) {
    if (!(from in UPGRADES)) throw new Error(`data dir holds schema version ${current?.value}; this Tidemail reads version ${SCHEMA_VERSION}`);
    db.transaction(() => {
      for (let step = from; step < SCHEMA_VERSION; step++) UPGRADES[step]!(db);
      db.prepare("UPDATE meta SET value = ? WHERE key = 'schema_version'").run(String(SCHEMA_VERSION));
    })();
  }
  db.exec(DDL);
  // A new store's row (all zero); an existing one keeps its own.
  if (!db.prepare('SELECT 1 FROM totals').get()) db.exec(COUNT_TOTALS);
  const insert = db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)');
  insert.run('schema_version', String(SCHEMA_VERSION));
  insert.run('uid_validity', String(randomInt(1, 2 ** 31)));
  return Number(version.get('uid_validity')?.value);
}

/** Each step upgrades a data dir from the version it is keyed by to the next one, in place. */
const UPGRADES: Record<number, (db: Database.Database) => void> = {
  1: upgradeFromVersion1,
  2: upgradeFromVersion2,
  3: upgradeFromVersion3,
  4: upgradeFromVersion4,
  5: upgradeFromVersion5,
  6: upgradeFromVersion6,
};

/** The meta key naming the highest body id that may lack its kept parse (set by the version 6 upgrade). */
export const BACKFILL_KEY = 'kept_parse_backfill_through';

/** The listing columns of `bodies`, the same in versions 1 and 2. */
const BODY_COLUMNS =
  'id, size, received_at, mail_from, rcpt_to, remote_address, helo, tls, from_json, to_json, subject, date, preview, attachments, parsed';

/**
 * Version 1 kept the raw bytes in `bodies`. Move them to `raws` and rebuild `bodies` without
 * them, keeping every id and the AUTOINCREMENT high-water mark (ids are never reused).
 */
function upgradeFromVersion1(db: Database.Database): void {
  const sequence = db.prepare<[], { seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'bodies'").get()?.seq ?? 0;
  db.exec(`
    CREATE TABLE raws (body_id INTEGER PRIMARY KEY, raw BLOB NOT NULL);
    INSERT INTO raws (body_id, raw) SELECT id, raw FROM bodies;
    ALTER TABLE bodies RENAME TO bodies_v1;
    DROP INDEX IF EXISTS bodies_unparsed;
  `);
  db.exec(DDL);
  db.exec(`INSERT INTO bodies (${BODY_COLUMNS}) SELECT ${BODY_COLUMNS} FROM bodies_v1; DROP TABLE bodies_v1;`);
  const kept = db.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'bodies'").run(sequence);
  if (kept.changes === 0 && sequence > 0) db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('bodies', ?)").run(sequence);
}

/**
 * Versions 1 and 2 put a body's subject and addresses into the search index at append, and the
 * indexer replaced that row after parsing. Version 3 inserts it once, after parsing, so an
 * unparsed body must have none: search matches unparsed bodies on its own.
 */
function upgradeFromVersion2(db: Database.Database): void {
  db.exec('DELETE FROM bodies_fts WHERE rowid IN (SELECT id FROM bodies WHERE parsed = 0)');
}

/**
 * Up to version 3 the writer worker kept the bytes held in its memory, summed at start and fed by
 * the main thread's reports of its own commits. Version 4 keeps them in `totals`, in the same
 * transactions as the rows they count: count them once, here.
 */
function upgradeFromVersion3(db: Database.Database): void {
  db.exec(DDL);
  db.exec(COUNT_TOTALS);
}

/**
 * Version 5 adds the summary's codes and links (columns of `bodies`, filled by the parse) and the
 * SMTP transcript of each body (`transcripts`, written with the body). Bodies stored before have
 * no transcript: `transcript(id)` answers null for them (HTTP 404 saying so). The earlier steps
 * create `bodies` from today's DDL, so a column is added only where it is missing.
 */
function upgradeFromVersion4(db: Database.Database): void {
  addMissingColumns(db, 'bodies', { codes: "TEXT NOT NULL DEFAULT '[]'", links: "TEXT NOT NULL DEFAULT '[]'" });
  db.exec(DDL);
}

/**
 * Version 6 shows a message only once it is parsed (the visibility gate), keeps the parse
 * (`parses`) and each inbox's highest id shown (`inboxes.last_id`). What was stored before stays
 * visible: a parsed body's summary is final already, and its last_id is the highest id still there
 * (a newest message deleted before the upgrade is not known). Its kept parse is made again by the
 * indexer in the background, after fresh mail (BACKFILL_KEY); until then a read of one parses it
 * on the spot, as before. A body left unparsed by the previous run is shown once the indexer,
 * which starts with it, has parsed it.
 */
function upgradeFromVersion5(db: Database.Database): void {
  addMissingColumns(db, 'inboxes', { last_id: 'INTEGER NOT NULL DEFAULT 0' });
  db.exec(DDL);
  db.exec('UPDATE inboxes SET last_id = max(last_id, coalesce((SELECT max(id) FROM messages WHERE inbox = inboxes.name), 0))');
  const through = db.prepare<[], number | null>('SELECT max(id) FROM bodies').pluck().get();
  if (through) db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(BACKFILL_KEY, String(through));
}

function addMissingColumns(db: Database.Database, table: string, columns: Record<string, string>): void {
  const present = new Set(db.prepare<[string], { name: string }>('SELECT name FROM pragma_table_info(?)').all(table).map((c) => c.name));
  for (const [name, definition] of Object.entries(columns)) {
    if (!present.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${definition}`);
  }
}

/**
 * Version 7 stores bodies compacted (compact/body-codec.ts): `raws.codec` says how a blob is kept,
 * `parts` and `dictionaries` hold what bodies share, and `totals.stored` counts the bytes really
 * used (what --max-store-size and the disk guard count). Bodies stored before stay as they are
 * (codec 0, read back as the raw bytes they are), so the upgrade rewrites no blob; they leave
 * with retention like any other, and new mail is compacted from the first append on.
 */
function upgradeFromVersion6(db: Database.Database): void {
  addMissingColumns(db, 'raws', { codec: 'INTEGER NOT NULL DEFAULT 0' });
  addMissingColumns(db, 'totals', { stored: 'INTEGER NOT NULL DEFAULT 0' });
  db.exec(DDL);
  db.exec(`UPDATE totals SET stored = ${STORED_BYTES} WHERE id = 1`);
}
