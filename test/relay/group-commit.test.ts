/**
 * Group commit with the WAL sync off the main thread (src/relay/group-commit.ts), with the sync
 * injected so the test holds it: a write resolves only after the sync that follows its commit;
 * writes asked for while a sync is in flight commit together after it, in one transaction, with
 * one more sync; a throwing write fails alone; a failed sync fails its batch; and with the real
 * sync, the WAL is fdatasync'ed.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { GroupCommit, walFileSync, type WalSync } from '../../src/relay/group-commit.js';

const dir = mkdtempSync(join(tmpdir(), 'tidemail-group-commit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function openDb(name: string): Database.Database {
  const db = new Database(join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (v INTEGER NOT NULL)');
  return db;
}

/** A sync the test completes by hand, counting the calls and the rows on disk at each. */
function heldSync(db: Database.Database): { sync: WalSync; calls: number[]; complete(error?: Error): void } {
  const held: ((error: Error | null) => void)[] = [];
  const calls: number[] = [];
  return {
    calls,
    sync(done) {
      calls.push((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n);
      held.push(done);
    },
    complete(error) {
      const done = held.shift();
      assert.ok(done, 'a sync is in flight');
      done(error ?? null);
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('a write resolves after the sync that follows its commit; writes during a sync share the next commit and sync', async () => {
  const db = openDb('batches.db');
  const sync = heldSync(db);
  const commits = new GroupCommit(db, sync.sync, 0);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const settled: number[] = [];
  const first = [1, 2, 3].map((v) => commits.write(() => insert.run(v)).then(() => settled.push(v)));
  await turn();
  assert.deepEqual(sync.calls, [3], 'one commit of three writes, then one sync');
  assert.equal(db.pragma('synchronous', { simple: true }), 2, 'FULL again outside the batch');
  await turn();
  assert.equal(settled.length, 0, 'nothing resolves before its sync is done');

  const second = [4, 5].map((v) => commits.write(() => insert.run(v)).then(() => settled.push(v)));
  await turn();
  assert.deepEqual(sync.calls, [3], 'writes asked for during a sync wait for it');
  sync.complete();
  await Promise.all(first);
  assert.deepEqual(settled, [1, 2, 3]);
  await turn();
  assert.deepEqual(sync.calls, [3, 5], 'then commit together, with one more sync');
  let idle = false;
  const idled = commits.idle().then(() => (idle = true));
  await turn();
  assert.equal(idle, false, 'not idle while a sync is in flight');
  sync.complete();
  await Promise.all(second);
  await idled;
  assert.deepEqual(settled, [1, 2, 3, 4, 5]);
  db.close();
});

test('a throwing write fails alone; a failed sync fails every write of its batch', async () => {
  const db = openDb('failures.db');
  const sync = heldSync(db);
  const commits = new GroupCommit(db, sync.sync, 0);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const good = commits.write(() => insert.run(1));
  const bad = commits.write(() => {
    insert.run(2);
    throw new Error('refused');
  });
  await turn();
  sync.complete();
  await good;
  await assert.rejects(bad, /refused/);
  assert.deepEqual(db.prepare('SELECT v FROM t').all(), [{ v: 1 }], "the throwing write's savepoint was rolled back");

  const lost = commits.write(() => insert.run(3));
  await turn();
  sync.complete(new Error('EIO'));
  await assert.rejects(lost, /EIO/);
  db.close();
});

test('under load, batches start at least minCycleMs apart, and gather what came meanwhile', async () => {
  const db = openDb('cycle.db');
  const starts: number[] = [];
  const sizes: number[] = [];
  let rows = 0;
  const commits = new GroupCommit(db, (done) => {
    starts.push(performance.now());
    const n = (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;
    sizes.push(n - rows);
    rows = n;
    setImmediate(() => done(null));
  }, 40);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  const writes: Promise<unknown>[] = [commits.write(() => insert.run(0))];
  await turn();
  // 20 more writes over about 60 ms (longer on a busy machine): batches at least 40 ms apart
  // carry them, so there are at most as many as 40 ms spans in that time, plus the first and last.
  const spreadFrom = performance.now();
  for (let i = 1; i <= 20; i++) {
    writes.push(commits.write(() => insert.run(i)));
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
  const spreadMs = performance.now() - spreadFrom;
  await Promise.all(writes);
  await commits.idle();
  assert.equal(sizes[0], 1, 'a write to an idle queue is not held back');
  assert.ok(starts.length <= Math.max(4, Math.ceil(spreadMs / 40) + 2), `few batches over ${spreadMs.toFixed(0)} ms: ${JSON.stringify(sizes)}`);
  for (let i = 1; i < starts.length; i++) assert.ok(starts[i]! - starts[i - 1]! >= 39, `batches ${i - 1} and ${i} started ${(starts[i]! - starts[i - 1]!).toFixed(1)} ms apart`);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 21);
  db.close();
});

test('the real sync fdatasyncs the WAL file on the thread pool', async () => {
  const db = openDb('real.db');
  const wal = walFileSync(`${db.name}-wal`);
  const commits = new GroupCommit(db, wal.sync);
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  await Promise.all(Array.from({ length: 100 }, (_, v) => commits.write(() => insert.run(v))));
  await commits.idle();
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n, 100);
  wal.close();
  db.close();
  // A missing WAL (a database not in WAL mode, or removed) is an error for the writers, not a silent success.
  const broken = walFileSync(join(dir, 'no-such.db-wal'));
  const error = await new Promise<Error | null>((resolve) => broken.sync(resolve));
  assert.match(String(error), /ENOENT/);
});
