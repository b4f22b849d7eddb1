/**
 * The SQLite queue store on its own: concurrent enqueues commit together and each gets its id;
 * claims hand a recipient out once; a restart (a new store on the same file) finds what a
 * crash left `delivering` and makes it due again; retry-now and remove; counts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { SqliteQueueStore } from '../../src/relay/sqlite-queue-store.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';

const dir = mkdtempSync(join(tmpdir(), 'tidemail-queue-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const raw = Buffer.from('From: a@b.test\r\nSubject: s\r\n\r\nbody\r\n');

test('enqueue, claim once, survive a "crash" while delivering, retry and remove', async () => {
  const path = join(dir, 'state.db');
  let state = new StateDatabase(path);
  let store = new SqliteQueueStore(state);
  const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => store.add({ mailFrom: 's@a.test', recipients: [`r${i}@x.test`, `q${i}@Y.test`], raw, origin: 'submission' }, 1_000)));
  assert.equal(new Set(ids).size, 50);
  assert.deepEqual(store.raw(ids[0]!), raw);
  assert.equal(store.counts().byState.pending, 100);
  assert.equal(store.nextDueAtMs(), 1_000);
  assert.equal(store.claimDue(999, 10).length, 0, 'nothing is due before its time');
  const claimed = store.claimDue(1_000, 30);
  assert.equal(claimed.length, 30);
  assert.equal(claimed[1]!.domain, 'y.test', 'domains are lower-cased');
  assert.equal(store.claimDue(1_000, 100).length, 70, 'a claimed recipient is not handed out again');
  await store.record([{ recipientId: claimed[0]!.id, messageId: claimed[0]!.messageId, state: 'deferred', nextAttemptAtMs: 5_000, attempt: { atMs: 1_100, host: 'mx[127.0.0.2]:25', reply: '451 later', outcome: 'deferred' } }]);
  await store.close();
  state.close();

  // A new process on the same file: the 99 recipients left delivering are due again.
  state = new StateDatabase(path);
  store = new SqliteQueueStore(state);
  assert.equal(store.counts().byState.delivering, 99);
  assert.equal(store.recoverDelivering(2_000), 99);
  assert.equal(store.counts().byState.pending, 99);
  const detail = store.get(claimed[0]!.messageId)!;
  const first = detail.recipients.find((r) => r.id === claimed[0]!.id)!;
  assert.equal(first.state, 'deferred');
  assert.equal(first.attempts, 1);
  assert.deepEqual(first.attemptLog, [{ atMs: 1_100, host: 'mx[127.0.0.2]:25', reply: '451 later', outcome: 'deferred' }]);
  assert.ok(store.retryNow(claimed[0]!.messageId, 2_000));
  assert.equal(store.get(claimed[0]!.messageId)!.recipients.find((r) => r.id === claimed[0]!.id)!.nextAttemptAtMs, 2_000);
  assert.equal(store.retryNow(999_999, 2_000), false);
  assert.ok(store.remove(ids[0]!));
  assert.equal(store.get(ids[0]!), null);
  assert.equal(store.remove(ids[0]!), false);
  assert.equal(store.counts().messages, 49);
  assert.equal(store.counts().oldestCreatedAtMs, 1_000);
  await store.close();
  state.close();
});
