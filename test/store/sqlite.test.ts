import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryEventBus } from '../../src/events/bus.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { NewMessage, Store } from '../../src/store/types.js';
import { eventually, message, storeConformance } from './conformance.js';

storeConformance('sqlite', {
  async create(retention, events) {
    const dir = mkdtempSync(join(tmpdir(), 'tidemail-store-'));
    const path = join(dir, 'tidemail.db');
    const open = () => SqliteStore.open({ path, retention, events });
    return { store: await open(), reopen: open, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
});

/** The store as a lone SMTP session uses it: every append says it is alone. */
function aloneAppends(store: Store): Store {
  return new Proxy(store, {
    get(target, key) {
      if (key === 'append') return (message: NewMessage) => target.append(message, { alone: true });
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

// The same suite with every append made inline on the calling thread (inline-writer.ts): ids,
// events, per-inbox cap, the total-size rule (the writer's byte count), parsing and reopening
// must not tell the two paths apart.
storeConformance('sqlite, appends of a lone sender', {
  async create(retention, events) {
    const dir = mkdtempSync(join(tmpdir(), 'tidemail-store-'));
    const path = join(dir, 'tidemail.db');
    const open = async () => aloneAppends(await SqliteStore.open({ path, retention, events }));
    return { store: await open(), reopen: open, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
});

describe('SQLite store: a lone sender while another connection writes', () => {
  it('neither fails nor blocks the event loop: the append waits for the lock in the writer and is stored', () =>
    inDataDir(async (path) => {
      const store = await openStore(path);
      const other = new Database(path);
      try {
        other.exec('BEGIN IMMEDIATE');
        const ticks = { count: 0 };
        const timer = setInterval(() => ticks.count++, 5);
        const appended = store.append(message(['locked'], 'behind a lock'), { alone: true });
        const settled = await Promise.race([appended.then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 200))]);
        assert.equal(settled, 'waiting', 'the append waits while another connection holds the write lock');
        assert.ok(ticks.count >= 10, `the event loop ran meanwhile (${ticks.count} ticks in 200 ms)`);
        other.exec('COMMIT');
        const [id] = await appended;
        clearInterval(timer);
        const page = await store.list('locked', { limit: 10, offset: 0 });
        assert.deepEqual(page.messages.map((m) => [m.id, m.subject]), [[id, 'behind a lock']]);
      } finally {
        other.close();
        await store.close();
      }
    }));
});

/** The version 1 layout, as the first release of the store wrote it: raw bytes inline in `bodies`. */
const VERSION_1_DDL = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE bodies (
  id INTEGER PRIMARY KEY AUTOINCREMENT, raw BLOB NOT NULL, size INTEGER NOT NULL, received_at INTEGER NOT NULL,
  mail_from TEXT NOT NULL, rcpt_to TEXT NOT NULL, remote_address TEXT NOT NULL, helo TEXT NOT NULL, tls INTEGER NOT NULL,
  from_json TEXT, to_json TEXT NOT NULL, subject TEXT NOT NULL, date INTEGER,
  preview TEXT NOT NULL DEFAULT '', attachments INTEGER NOT NULL DEFAULT 0, parsed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX bodies_unparsed ON bodies(id) WHERE parsed = 0;
CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, inbox TEXT NOT NULL, body_id INTEGER NOT NULL, flags INTEGER NOT NULL DEFAULT 0);
CREATE INDEX messages_by_inbox ON messages(inbox, id);
CREATE INDEX messages_by_body ON messages(body_id);
CREATE TABLE inboxes (name TEXT PRIMARY KEY, count INTEGER NOT NULL) WITHOUT ROWID;
CREATE VIRTUAL TABLE bodies_fts USING fts5(subject, addresses, body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
INSERT INTO meta VALUES ('schema_version', '1'), ('uid_validity', '4242');
`;

/** Run `body` with the path of a database file in a new data dir, removed afterwards. */
async function inDataDir(body: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-store-'));
  try {
    await body(join(dir, 'tidemail.db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const openStore = (path: string) => SqliteStore.open({ path, retention: { maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: 0 }, events: new MemoryEventBus() });

describe('SQLite store: data dirs from earlier versions', () => {
  it('upgrades a version 1 data dir in place: every message, its bytes, flags and search, and ids keep ascending', () =>
    inDataDir(async (path) => {
      const old = new Database(path);
      old.pragma('journal_mode = WAL');
      old.exec(VERSION_1_DDL);
      const sample = message(['legacy'], 'Quarterly report');
      const addBody = old.prepare(
        `INSERT INTO bodies (raw, size, received_at, mail_from, rcpt_to, remote_address, helo, tls, from_json, to_json, subject, date)
         VALUES (?, ?, ?, 'ann@example.test', '["legacy@tidemail.test"]', '127.0.0.1', 'test', 0, ?, ?, ?, NULL)`,
      );
      for (const [id, subject] of [[1, 'Quarterly report'], [2, 'Newest, deleted later']] as const) {
        addBody.run(sample.raw, sample.raw.length, sample.receivedAtMs, JSON.stringify(sample.from), JSON.stringify(sample.to), subject);
        old.prepare('INSERT INTO messages (inbox, body_id, flags) VALUES (?, ?, ?)').run('legacy', id, id === 1 ? 1 : 0);
        old.prepare('INSERT INTO bodies_fts (rowid, subject, addresses, body) VALUES (?, ?, ?, ?)').run(id, subject, 'Ann ann@example.test', '');
      }
      old.exec("INSERT INTO inboxes VALUES ('legacy', 1); DELETE FROM messages WHERE body_id = 2; DELETE FROM bodies WHERE id = 2; DELETE FROM bodies_fts WHERE rowid = 2;");
      old.close();

      const store = await openStore(path);
      try {
        assert.equal(store.uidValidity(), 4242);
        const page = await store.list('legacy', { limit: 10, offset: 0 });
        assert.deepEqual(page.messages.map((m) => [m.id, m.subject, m.flags]), [[1, 'Quarterly report', ['seen']]]);
        assert.deepEqual(await store.raw(1), sample.raw);
        assert.equal((await store.get(1))?.parsed.text.trim(), 'Hello there.');
        // Version 1 indexed subjects at append; the upgrade leaves unparsed bodies to the matcher
        // and the indexer, so the message is found once before its parse and once after.
        assert.deepEqual((await store.search({ text: 'quarterly', limit: 10 })).map((m) => m.id), [1]);
        await eventually(async () => (await store.list('legacy', { limit: 1, offset: 0 })).messages[0]?.preview, 'the body to be parsed');
        assert.deepEqual((await store.search({ text: 'quarterly', limit: 10 })).map((m) => m.id), [1]);
        assert.deepEqual((await store.search({ text: 'hello', limit: 10 })).map((m) => m.id), [1], 'body text indexed');
        const [next] = await store.append(message(['legacy'], 'after the upgrade'));
        assert.ok(next! > 1);
        // The body id sequence survived: body 2 was deleted, so a new body must not reuse id 2.
        const check = new Database(path, { readonly: true });
        assert.equal(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), '3');
        assert.deepEqual(check.prepare('SELECT body_id FROM raws ORDER BY body_id').pluck().all(), [1, 3]);
        check.close();
      } finally {
        await store.close();
      }
    }));

  it('refuses a data dir from a newer Tidemail with a clear error, and leaves it untouched', () =>
    inDataDir(async (path) => {
      const future = new Database(path);
      future.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO meta VALUES ('schema_version', '9');");
      future.close();
      await assert.rejects(openStore(path), /schema version 9; this Tidemail reads version 3/);
      const check = new Database(path, { readonly: true });
      assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ['meta']);
      check.close();
    }));
});
