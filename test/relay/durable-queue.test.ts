/**
 * "Resolved means on disk" for the relay queue, the part a kill -9 cannot show (the page cache
 * survives a killed process; only a power cut finds a commit written but not synced): under
 * strace, enqueues and outcome records made one at a time must each be followed by an
 * fdatasync of state.db's WAL before they resolve. Needs `strace` (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SqliteQueueStore } from '../../src/relay/sqlite-queue-store.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import { traceSyncs } from '../helpers/strace.js';

const WRITES = 20;


test('each enqueue and each outcome record, made alone, is followed by its own fdatasync of the WAL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-durable-queue-'));
  const state = new StateDatabase(join(dir, 'state.db'));
  const store = new SqliteQueueStore(state);
  const raw = Buffer.from('From: a@b.test\r\nSubject: durable\r\n\r\nbody\r\n');
  const log = join(dir, 'syncs.log');
  try {
    const trace = await traceSyncs(process.pid, log);
    const ids: number[] = [];
    for (let i = 0; i < WRITES; i++) ids.push(await store.add({ mailFrom: 's@a.test', recipients: [`r${i}@x.test`], raw, origin: 'submission' }, 1_000));
    const claimed = store.claimDue(1_000, WRITES);
    assert.equal(claimed.length, WRITES);
    for (const r of claimed) {
      await store.record([{ recipientId: r.id, messageId: r.messageId, state: 'delivered', nextAttemptAtMs: null, attempt: { atMs: 1_100, host: 'mx', reply: '250 ok', outcome: 'delivered' } }]);
    }
    await trace.stop();
    // "1234  fdatasync(23</tmp/…/state.db-wal>) = 0" (or "<unfinished ...>" when threads interleave).
    const walSyncs = readFileSync(log, 'utf8').split('\n').filter((line) => /\bf(?:data)?sync\(\d+<[^>]*state\.db-wal>/.test(line)).length;
    assert.ok(walSyncs >= 2 * WRITES, `${walSyncs} syncs of state.db-wal for ${2 * WRITES} writes made one at a time`);
    assert.equal(store.counts().byState.delivered, WRITES);
  } finally {
    await store.close();
    state.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
