/**
 * "250 means on disk", the part a SIGKILL cannot show: the page cache survives a killed process,
 * only a power cut finds a commit that was written but never synced. So watch the syscalls:
 * under strace, messages sent one at a time (each its own commit) must each see the WAL synced.
 * Needs `strace` (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { startServer } from '../helpers/server.js';
import { traceSyncs } from '../helpers/strace.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

const MESSAGES = 40;


it('syncs the WAL before each 250: every commit of a message sent alone is followed by its own fsync', async () => {
  const server = await startServer();
  const scratch = mkdtempSync(join(tmpdir(), 'tidemail-strace-'));
  const log = join(scratch, 'syncs.log');
  try {
    const trace = await traceSyncs(server.process.pid!, log);
    const { client } = await RawSmtpClient.open(server.smtpPort);
    assert.equal((await client.send('EHLO sync.test')).code, 250);
    for (let i = 0; i < MESSAGES; i++) {
      const reply = await sendMail(client, 'sync@example.test', ['alone@tidemail.test'], simpleMessage(`alone ${i}`));
      assert.equal(reply.code, 250);
    }
    client.close();
    await trace.stop();

    // "1234  fsync(23</tmp/…/tidemail.db-wal>) = 0", or "… <unfinished ...>" when another thread's
    // call interleaves. A lone session's commits are made on the main thread, or by the writer
    // when it holds the lock: count the WAL syncs of every thread but the checkpointer's, which
    // also syncs the WAL but is the only one to sync the database file itself.
    const walSyncsByThread = new Map<string, number>();
    const checkpointers = new Set<string>();
    for (const line of readFileSync(log, 'utf8').split('\n')) {
      const match = /^(\d+)\s+f(?:data)?sync\(\d+<[^>]*\.db(-wal)?>/.exec(line);
      if (!match) continue;
      if (match[2]) walSyncsByThread.set(match[1]!, (walSyncsByThread.get(match[1]!) ?? 0) + 1);
      else checkpointers.add(match[1]!);
    }
    const commitSyncs = [...walSyncsByThread].filter(([thread]) => !checkpointers.has(thread)).reduce((sum, [, count]) => sum + count, 0);
    const counts = JSON.stringify({ walSyncsByThread: Object.fromEntries(walSyncsByThread), checkpointers: [...checkpointers] });
    assert.ok(commitSyncs >= MESSAGES, `the committing threads synced the WAL for each of ${MESSAGES} acknowledged messages (${counts})`);
  } finally {
    await server.dispose();
    rmSync(scratch, { recursive: true, force: true });
  }
});
