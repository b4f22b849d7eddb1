import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MemoryEventBus } from '../../src/events/bus.js';
import { parseBody } from '../../src/mail/parse.js';
import { SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { NewMessage, RetentionPolicy, Store } from '../../src/store/types.js';
import { appendShown, eventually, message, storeConformance } from './conformance.js';

/** Every store the conformance runs open, to see afterwards which way their appends were committed. */
const opened: Array<{ run: string; store: SqliteStore }> = [];

/** Of the lone-sender run's appends made with none other in flight, how many were committed inline. */
const loneRun = { alone: 0, inline: 0 };

/** A store as a lone sender uses it: each message comes in an event-loop turn of its own (after our answer went out and its reply came back). */
function loneSender(store: SqliteStore): Store {
  let inFlight = 0;
  const append = async (m: NewMessage): Promise<number[]> => {
    await new Promise((resolve) => setImmediate(resolve));
    const alone = inFlight++ === 0;
    const before = store.appendCommits().inline;
    const appended = store.append(m);
    // An inline commit is made within the call; the writer's, turns later.
    if (alone) {
      loneRun.alone++;
      if (store.appendCommits().inline > before) loneRun.inline++;
    }
    try {
      return await appended;
    } finally {
      inFlight--;
    }
  };
  return new Proxy(store, {
    get(target, key) {
      if (key === 'append') return append;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function conformanceRun(run: string, wrap: (store: SqliteStore) => Store, compactBodies = true): void {
  storeConformance(run, {
    async create(retention, events) {
      const dir = mkdtempSync(join(tmpdir(), 'tidemail-store-'));
      const path = join(dir, 'tidemail.db');
      const open = async () => {
        const store = await SqliteStore.open({ path, retention, events, compactBodies });
        opened.push({ run, store });
        return wrap(store);
      };
      return { store: await open(), reopen: open, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    },
  });
}

// Callers in one task: each append made as soon as the one before resolved, mostly in the same
// turn, so most go to the writer's group commit.
conformanceRun('sqlite', (store) => store);
// The same suite as a lone sender makes it: most appends are committed inline on the main
// thread (inline-writer.ts). Ids, events, the per-inbox cap, the total-size rule, parsing and
// reopening must not tell the two paths apart.
conformanceRun('sqlite, a lone sender', loneSender);
// Bodies kept as received (--compact-bodies off): every rule holds alike, counting raw blobs.
conformanceRun('sqlite, bodies as received', (store) => store, false);

describe('SQLite store: the conformance runs took both paths', () => {
  it('callers in one task: mostly the group commit', () => {
    const runs = opened.filter((o) => o.run === 'sqlite').map((o) => o.store.appendCommits());
    const inline = runs.reduce((sum, c) => sum + c.inline, 0);
    const byWriter = runs.reduce((sum, c) => sum + c.byWriter, 0);
    assert.ok(byWriter > inline, JSON.stringify({ inline, byWriter }));
  });
  it('a lone sender: nearly every append made with none other in flight was committed inline', () => {
    assert.ok(loneRun.alone >= 20 && loneRun.inline >= 0.8 * loneRun.alone, JSON.stringify(loneRun));
  });
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('SQLite store: which appends are committed on the main thread', () => {
  it('a lone sender: nearly every append, the rest (probes, lock held) by the writer', () =>
    inDataDir(async (path) => {
      const store = await openStore(path);
      try {
        for (let i = 0; i < 40; i++) {
          await nextTurn();
          await store.append(message(['lone'], `lone ${i}`));
        }
        const { inline, byWriter } = store.appendCommits();
        assert.equal(inline + byWriter, 40);
        assert.ok(inline >= 30, JSON.stringify({ inline, byWriter }));
        assert.equal((await store.list('lone', { limit: 50, offset: 0 })).total, 40);
      } finally {
        await store.close();
      }
    }));

  it('twenty senders at once: the group commit, after at most the first append', () =>
    inDataDir(async (path) => {
      const store = await openStore(path);
      try {
        // Each sender sends its next message a turn after its last one was answered, as a session would.
        const sender = async (n: number) => {
          for (let i = 0; i < 10; i++) {
            await store.append(message([`sender-${n}`], `${n}/${i}`));
            await nextTurn();
          }
        };
        await Promise.all(Array.from({ length: 20 }, (_, n) => sender(n)));
        const { inline, byWriter } = store.appendCommits();
        assert.ok(inline <= 1, JSON.stringify({ inline, byWriter }));
        assert.equal(inline + byWriter, 200);
      } finally {
        await store.close();
      }
    }));
});

describe('SQLite store: a lone sender while another connection writes', () => {
  it('neither fails nor blocks the event loop: the append waits for the lock in the writer and is stored', () =>
    inDataDir(async (path) => {
      const store = await openStore(path);
      const other = new Database(path);
      try {
        await store.append(message(['locked'], 'before the lock'));
        assert.deepEqual(store.appendCommits(), { inline: 1, byWriter: 0, inlineRolledBack: 0 }, 'a lone sender, committed inline');
        await nextTurn();
        other.exec('BEGIN IMMEDIATE');
        const ticks = { count: 0 };
        const timer = setInterval(() => ticks.count++, 5);
        const appended = store.append(message(['locked'], 'behind a lock'));
        const settled = await Promise.race([appended.then(() => 'settled'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 200))]);
        assert.equal(settled, 'waiting', 'the append waits while another connection holds the write lock');
        assert.ok(ticks.count >= 10, `the event loop ran meanwhile (${ticks.count} ticks in 200 ms)`);
        other.exec('COMMIT');
        const [id] = await appended;
        clearInterval(timer);
        assert.deepEqual(store.appendCommits(), { inline: 1, byWriter: 1, inlineRolledBack: 0 }, 'committed by the writer once the lock was free');
        const page = await store.list('locked', { limit: 10, offset: 0 });
        assert.deepEqual(page.messages.map((m) => [m.id, m.subject]), [[id, 'behind a lock'], [id! - 1, 'before the lock']]);
      } finally {
        other.close();
        await store.close();
      }
    }));
});

type Counted = { messages: number; bodies: number; bytes: number; storedBytes: number };

/**
 * The totals counted from the rows themselves, on a connection of the test's own: the bytes used
 * are every blob and transcript, and each shared part and dictionary once.
 */
function countedFromRows(path: string): Counted {
  const check = new Database(path, { readonly: true });
  try {
    return check
      .prepare<[], Counted>(
        `SELECT (SELECT count(*) FROM messages) AS messages, count(*) AS bodies, coalesce(sum(size), 0) AS bytes,
           (SELECT coalesce(sum(length(raw)), 0) FROM raws) + (SELECT coalesce(sum(length(CAST(json AS BLOB))), 0) FROM transcripts)
           + (SELECT coalesce(sum(length(data)), 0) FROM parts) + (SELECT coalesce(sum(length(bytes)), 0) FROM dictionaries) AS storedBytes
         FROM bodies`,
      )
      .get()!;
  } finally {
    check.close();
  }
}

/** What a message written with --compact-bodies off costs the store: its raw bytes and its transcript. */
function plainCost(m: NewMessage): number {
  return m.raw.length + Buffer.byteLength(JSON.stringify(m.transcript));
}

/** Strip a data dir of today down to version 6: no compaction (its bodies must have been written with it off). */
function asVersion6(db: Database.Database): void {
  assert.equal(db.prepare('SELECT count(*) FROM raws WHERE codec <> 0').pluck().get(), 0, 'a version 6 data dir has no compacted body');
  db.exec(`ALTER TABLE raws DROP COLUMN codec; ALTER TABLE totals DROP COLUMN stored; DROP TABLE parts; DROP TABLE dictionaries;
           UPDATE meta SET value = '6' WHERE key = 'schema_version';`);
}

/**
 * A message the engine cannot store: its second inbox is no string, so the append fails after its
 * body, the totals and its first message were written, and must be undone.
 */
function unstorable(subject: string): NewMessage {
  return { ...message(['bad-a', 'bad-b'], subject), inboxes: ['bad-a', {} as unknown as string] };
}

describe('SQLite store: a message read never parses', () => {
  it('get answers from the kept parse, which holds no second copy of an identity-encoded text', () =>
    inDataDir(async (path) => {
      const store = await openStore(path);
      try {
        const text = Array.from({ length: 50 }, (_, i) => `Line ${i} of a plain text body, with a link https://example.test/${i}`).join('\r\n');
        const [plain] = await store.append(message(['kept'], 'plain', {}, text));
        const encoded = message(['kept'], 'encoded', {}, '');
        const withPart = (charset: string, cte: string, body: string) =>
          Buffer.from(encoded.raw.toString('latin1').replace('\r\n\r\n\r\n', `\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}\r\n`), 'latin1');
        // Another charset: the decoded text is not the bytes read as UTF-8 in any encoding.
        const [latin] = await store.append({ ...encoded, raw: withPart('iso-8859-1', 'quoted-printable', 'Gr=FC=DFe, your code is 424242.') });
        // UTF-8 behind base64 or quoted-printable: the text is its span once decoded (issue 18).
        const [b64] = await store.append({ ...encoded, raw: withPart('utf-8', 'base64', Buffer.from('Grüße, your code is 515151.').toString('base64')) });
        const [qp] = await store.append({ ...encoded, raw: withPart('utf-8', 'quoted-printable', `Gr=C3=BC=C3=9Fe, your code is 616161, ${'and a long line '.repeat(8)}=\r\nsoftly broken.`) });
        const check = new Database(path, { readonly: true });
        const keptOf = check.prepare<[number], string>('SELECT p.kept FROM parses p JOIN messages m ON m.body_id = p.body_id WHERE m.id = ?').pluck();
        assert.ok(keptOf.get(plain!)!.length < 200, `kept compactly: ${keptOf.get(plain!)}`);
        assert.match(keptOf.get(latin!)!, /424242/, 'a decoded text differs from the bytes: kept as text');
        for (const id of [b64!, qp!]) assert.ok(!/515151|616161/.test(keptOf.get(id)!) && keptOf.get(id)!.length < 200, `kept as its encoded span: ${keptOf.get(id)}`);
        check.close();
        for (const id of [plain!, latin!, b64!, qp!]) {
          const got = await store.get(id);
          const fresh = await parseBody((await store.raw(id))!, got!.subject);
          assert.deepEqual(got!.parsed, fresh, `message ${id}: the kept parse is the parse`);
        }
      } finally {
        await store.close();
      }
    }));
});

describe('SQLite store: totals and failed writes', () => {
  it('one bad operation in a batch fails alone: the others commit, and the totals count only them', () =>
    inDataDir(async (path) => {
      const store = await openStore(path);
      try {
        const good = [0, 1, 2].map((i) => message(['good'], `good ${i}`, {}, 'g'.repeat(10 * i)));
        // All in one turn: the first inline (nothing to group with yet), the rest in one batch.
        const results = await Promise.allSettled([store.append(good[0]!), store.append(good[1]!), store.append(unstorable('bad')), store.append(good[2]!)]);
        assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
        assert.deepEqual(store.appendCommits(), { inline: 1, byWriter: 2, inlineRolledBack: 0 }, 'the bad one was in the batch of the writer');
        assert.deepEqual((await store.list('good', { limit: 10, offset: 0 })).messages.map((m) => m.subject), ['good 2', 'good 1', 'good 0']);
        assert.equal((await store.list('bad-a', { limit: 10, offset: 0 })).total, 0, 'nothing of the bad one is left');
        const expected = { messages: 3, bodies: 3, bytes: good.reduce((sum, m) => sum + m.raw.length, 0) };
        const { storedBytes, ...counted } = countedFromRows(path);
        assert.deepEqual(counted, expected);
        assert.deepEqual(await store.stats(), { ...expected, storedBytes });
      } finally {
        await store.close();
      }
    }));

  it('a failed inline commit is rolled back whole: the append rejects and the totals are unchanged', () =>
    inDataDir(async (path) => {
      const store = await openStore(path);
      try {
        const first = message(['good'], 'first');
        await store.append(first);
        const before = await store.stats();
        await nextTurn();
        await assert.rejects(store.append(unstorable('bad inline')));
        assert.deepEqual(store.appendCommits(), { inline: 1, byWriter: 0, inlineRolledBack: 1 });
        const expected = { messages: 1, bodies: 1, bytes: first.raw.length, storedBytes: before.storedBytes };
        assert.deepEqual(await store.stats(), expected);
        assert.deepEqual(countedFromRows(path), expected);
        await nextTurn();
        const second = message(['good'], 'second');
        await store.append(second);
        assert.equal(store.appendCommits().inline, 2, 'the inline connection goes on');
        const after = await store.stats();
        assert.deepEqual(after, { messages: 2, bodies: 2, bytes: first.raw.length + second.raw.length, storedBytes: after.storedBytes });
        assert.deepEqual(countedFromRows(path), after);
      } finally {
        await store.close();
      }
    }));

  it('the totals row matches the rows after inline and batched appends, evictions, deletes and a reopen', () =>
    inDataDir(async (path) => {
      const retention = { maxAgeMs: 0, maxPerInbox: 3, maxTotalBytes: 0 };
      const open = () => openShown(path, retention);
      let store = await open();
      try {
        for (let i = 0; i < 6; i++) {
          await nextTurn();
          await store.append(message(['capped', `other-${i % 2}`], `one ${i}`, {}, 'o'.repeat(i * 13)));
        }
        await Promise.all(Array.from({ length: 12 }, (_, i) => store.append(message(['capped', 'wide'], `many ${i}`, {}, 'm'.repeat(i * 17)))));
        await Promise.allSettled([store.append(unstorable('bad')), store.append(message(['x'], 'x'))]);
        const [oneToDelete] = await store.append(message(['gone'], 'gone'));
        await store.delete([oneToDelete!, 999_999]);
        await store.deleteInbox('other-0');
        const { inline, byWriter } = store.appendCommits();
        assert.ok(inline > 0 && byWriter > 0, 'both paths taken');
        const counted = countedFromRows(path);
        assert.deepEqual(await store.stats(), counted);
        await store.close();
        store = await open();
        assert.deepEqual(await store.stats(), counted, 'kept across a reopen');
      } finally {
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

/**
 * A store whose `append` also waits until its messages are shown (conformance.ts, appendShown),
 * as these cases read what they appended; everything else is the SqliteStore's own.
 */
async function openShown(path: string, retention: RetentionPolicy = { maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: 0 }, compactBodies = true): Promise<SqliteStore> {
  const events = new MemoryEventBus();
  return appendShown(await SqliteStore.open({ path, retention, events, compactBodies }), events) as SqliteStore;
}

const openStore = (path: string) => openShown(path);
/** A store that writes bodies as every version before 7 did: to make the data dir of an earlier version from. */
const openPlainStore = (path: string) => openShown(path, undefined, false);

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
        assert.deepEqual(await store.stats(), { messages: 1, bodies: 1, bytes: sample.raw.length, storedBytes: sample.raw.length }, 'totals counted by the upgrade');
        // Version 1 bodies were never parsed: shown once the indexer, which starts with them, has.
        const page = await eventually(async () => {
          const listed = await store.list('legacy', { limit: 10, offset: 0 });
          return listed.total > 0 && listed;
        }, 'the old message to be shown');
        assert.deepEqual(page.messages.map((m) => [m.id, m.subject, m.flags]), [[1, 'Quarterly report', ['seen']]]);
        assert.deepEqual(await store.raw(1), sample.raw);
        assert.equal((await store.get(1))?.parsed.text.trim(), 'Hello there.');
        // Version 1 indexed subjects at append; the upgrade leaves unparsed bodies to the indexer,
        // so the message is found once, by subject and by body text, and shown with its preview.
        assert.equal(page.messages[0]?.preview, 'Hello there.');
        assert.deepEqual((await store.search({ text: 'quarterly', limit: 10 })).map((m) => m.id), [1]);
        assert.deepEqual((await store.search({ text: 'hello', limit: 10 })).map((m) => m.id), [1], 'body text indexed');
        const [next] = await store.append(message(['legacy'], 'after the upgrade'));
        assert.ok(next! > 1);
        // The body id sequence survived: body 2 was deleted, so a new body must not reuse id 2.
        const check = new Database(path, { readonly: true });
        assert.equal(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), String(SCHEMA_VERSION));
        assert.deepEqual(check.prepare('SELECT body_id FROM raws ORDER BY body_id').pluck().all(), [1, 3]);
        check.close();
      } finally {
        await store.close();
      }
    }));

  it('upgrades a version 3 data dir in place: the totals are counted once, and the size rule and stats use them', () =>
    inDataDir(async (path) => {
      // Version 3 is version 4 without the totals row: make one from a store of today.
      const sizes: number[] = [];
      const costs: number[] = [];
      const store3 = await openPlainStore(path);
      for (let i = 0; i < 6; i++) {
        const m = message(i % 2 ? ['v3-a', 'v3-b'] : ['v3-a'], `v3 ${i}`, {}, 'v'.repeat(40 * i));
        await store3.append(m);
        sizes.push(m.raw.length);
        costs.push(plainCost(m));
      }
      await store3.close();
      const old = new Database(path);
      asVersion6(old);
      old.exec("DROP TABLE totals; UPDATE meta SET value = '3' WHERE key = 'schema_version';");
      old.close();

      const held = sizes.reduce((sum, size) => sum + size, 0);
      const used = costs.reduce((sum, size) => sum + size, 0);
      // Room for the newest four bodies only (the rule counts the bytes they take).
      const cap = costs.slice(2).reduce((sum, size) => sum + size, 0);
      const keptBytes = sizes.slice(2).reduce((sum, size) => sum + size, 0);
      const store = await openShown(path, { maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: cap });
      try {
        assert.deepEqual(await store.stats(), { messages: 9, bodies: 6, bytes: held, storedBytes: used });
        const check = new Database(path, { readonly: true });
        assert.equal(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), String(SCHEMA_VERSION));
        check.close();
        // Body 1 went to two inboxes: removing the oldest two bodies removes three messages.
        assert.equal((await store.expire(Date.now())).length, 3);
        assert.deepEqual((await store.list('v3-a', { limit: 10, offset: 0 })).messages.map((m) => m.subject), ['v3 5', 'v3 4', 'v3 3', 'v3 2']);
        assert.deepEqual(await store.stats(), { messages: 6, bodies: 4, bytes: keptBytes, storedBytes: cap });
        assert.deepEqual(countedFromRows(path), { messages: 6, bodies: 4, bytes: keptBytes, storedBytes: cap });
      } finally {
        await store.close();
      }
    }));

  it('upgrades a version 4 data dir in place: old messages keep everything and have no transcript, new ones have theirs', () =>
    inDataDir(async (path) => {
      // Version 4 is version 5 without the codes and links columns and the transcripts table.
      const store4 = await openPlainStore(path);
      const [oldId] = await store4.append(message(['v4'], 'before the upgrade', {}, 'Your code is 123456.'));
      await store4.close();
      const old = new Database(path);
      asVersion6(old);
      old.exec(`DROP TABLE transcripts; ALTER TABLE bodies DROP COLUMN codes; ALTER TABLE bodies DROP COLUMN links;
                UPDATE meta SET value = '4' WHERE key = 'schema_version';`);
      old.close();

      const store = await openStore(path);
      try {
        const check = new Database(path, { readonly: true });
        assert.equal(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), String(SCHEMA_VERSION));
        check.close();
        const [kept] = (await store.list('v4', { limit: 10, offset: 0 })).messages;
        assert.equal(kept?.subject, 'before the upgrade');
        assert.ok(Array.isArray(kept?.codes) && Array.isArray(kept?.links));
        assert.equal(await store.transcript(oldId!), null, 'stored before transcripts were kept');
        const sent = message(['v4'], 'after the upgrade');
        const [newId] = await store.append(sent);
        assert.ok(newId! > oldId!);
        assert.deepEqual(await store.transcript(newId!), sent.transcript);
      } finally {
        await store.close();
      }
    }));

  it('upgrades a version 5 data dir in place: what was shown stays shown at once, an unparsed body is shown once parsed, UIDNEXT and the kept parse are made', () =>
    inDataDir(async (path) => {
      // Version 5 is version 6 without the kept parses and the inboxes' last shown id.
      const store5 = await openPlainStore(path);
      const ids: number[] = [];
      for (const [subject, body] of [['v5 first', 'Your code is 271828.'], ['v5 second', 'Welcome https://example.test/start'], ['v5 newest', 'deleted before the upgrade']]) {
        ids.push(...(await store5.append(message(['v5'], subject!, {}, body))));
      }
      await store5.close();
      const old = new Database(path);
      asVersion6(old);
      old.exec(`DROP TABLE parses; ALTER TABLE inboxes DROP COLUMN last_id;
                DELETE FROM messages WHERE id = ${ids[2]}; DELETE FROM bodies WHERE id = (SELECT max(id) FROM bodies);
                UPDATE inboxes SET count = 2 WHERE name = 'v5';
                UPDATE bodies SET parsed = 0, preview = '', codes = '[]', links = '[]' WHERE subject = 'v5 second';
                DELETE FROM bodies_fts WHERE rowid = (SELECT id FROM bodies WHERE subject = 'v5 second');
                UPDATE meta SET value = '5' WHERE key = 'schema_version';`);
      old.close();

      const events = new MemoryEventBus();
      const announced: string[] = [];
      events.subscribe((e) => e.type === 'message.stored' && announced.push(e.summary.subject));
      const store = await SqliteStore.open({ path, retention: { maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: 0 }, events });
      try {
        const check = new Database(path, { readonly: true });
        assert.equal(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), String(SCHEMA_VERSION));
        // Shown before the upgrade: shown at once, with its summary; the unparsed one is not yet
        // (or already parsed, if the indexer was quick), never without its summary.
        const first = (await store.list('v5', { limit: 10, offset: 0 })).messages.find((m) => m.subject === 'v5 first');
        assert.deepEqual(first?.codes, ['271828']);
        assert.equal((await store.get(ids[0]!))?.parsed.text.trim(), 'Your code is 271828.');
        const second = await eventually(async () => (await store.list('v5', { limit: 10, offset: 0 })).messages.find((m) => m.subject === 'v5 second'), 'the unparsed body to be shown');
        assert.deepEqual(second.links, ['https://example.test/start']);
        assert.equal((await store.list('v5', { limit: 10, offset: 0 })).total, 2);
        assert.deepEqual(announced, ['v5 second'], 'only what was not shown before is announced');
        assert.equal(await store.nextId('v5'), ids[1]! + 1, 'the highest id still there: a newest message deleted before the upgrade is not known');
        // The kept parse of the old body is made again in the background, after fresh mail.
        await eventually(async () => check.prepare('SELECT count(*) FROM parses').pluck().get() === 2 && !check.prepare("SELECT 1 FROM meta WHERE key = 'kept_parse_backfill_through'").get(), 'the backfill');
        assert.equal((await store.get(ids[0]!))?.parsed.text.trim(), 'Your code is 271828.');
        check.close();
      } finally {
        await store.close();
      }
    }));

  it('upgrades a version 6 data dir in place: old bodies read back as they were, new ones are compacted, and the bytes used are counted and freed', () =>
    inDataDir(async (path) => {
      // Version 6 is version 7 without compaction: bodies as received, no codec, parts or dictionaries.
      const store6 = await openPlainStore(path);
      const before = Array.from({ length: 6 }, (_, i) => message(['v6'], `v6 ${i}`, {}, `Welcome user${i}, your code is ${314159 + i}.\r\n`.repeat(20)));
      const oldIds: number[] = [];
      for (const m of before) oldIds.push(...(await store6.append(m)));
      await store6.close();
      const old = new Database(path);
      asVersion6(old);
      old.close();

      const store = await openStore(path);
      try {
        const check = new Database(path, { readonly: true });
        assert.equal(check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get(), String(SCHEMA_VERSION));
        const used = before.reduce((sum, m) => sum + plainCost(m), 0);
        assert.deepEqual(await store.stats(), { messages: 6, bodies: 6, bytes: before.reduce((sum, m) => sum + m.raw.length, 0), storedBytes: used }, 'the bytes used counted by the upgrade');
        for (const [i, id] of oldIds.entries()) {
          assert.deepEqual(await store.raw(id), before[i]!.raw, 'an old body reads back byte for byte');
          assert.equal((await store.get(id))?.parsed.text.trim(), `Welcome user${i}, your code is ${314159 + i}.\n`.repeat(20).trim());
        }
        const after = Array.from({ length: 6 }, (_, i) => message(['v6'], `v7 ${i}`, {}, `Welcome user${10 + i}, your code is ${271828 + i}.\r\n`.repeat(20)));
        const newIds: number[] = [];
        for (const m of after) newIds.push(...(await store.append(m)));
        assert.equal(check.prepare('SELECT count(*) FROM raws WHERE codec = 0').pluck().get(), 6, 'old bodies stay as they were');
        assert.equal(check.prepare('SELECT count(*) FROM raws WHERE codec <> 0').pluck().get(), 6, 'new bodies are compacted');
        for (const [i, id] of newIds.entries()) {
          assert.deepEqual(await store.raw(id), after[i]!.raw, 'a new body reads back byte for byte');
          assert.equal((await store.get(id))?.parsed.text.trim(), `Welcome user${10 + i}, your code is ${271828 + i}.\n`.repeat(20).trim(), 'the kept parse points into the bytes as received');
        }
        const stats = await store.stats();
        assert.deepEqual(stats, countedFromRows(path));
        assert.ok(stats.storedBytes - used < after.reduce((sum, m) => sum + plainCost(m), 0), 'the new bodies take less than as received');
        await store.delete([...oldIds, ...newIds]);
        assert.deepEqual(await store.stats(), { messages: 0, bodies: 0, bytes: 0, storedBytes: 0 });
        assert.deepEqual(countedFromRows(path), { messages: 0, bodies: 0, bytes: 0, storedBytes: 0 }, 'nothing left behind');
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
      await assert.rejects(openStore(path), new RegExp(`schema version 9; this Tidemail reads version ${SCHEMA_VERSION}`));
      const check = new Database(path, { readonly: true });
      assert.deepEqual(check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all(), ['meta']);
      check.close();
    }));
});
