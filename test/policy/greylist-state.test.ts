/**
 * The greylist's SQLite engine on state.db: what the greylist learnt survives a restart (grey
 * clocks keep running, white triplets and client passes stay), writes go behind on the clock
 * (and at once when a batch is full), expired rows are dropped at open, evictions and sweeps
 * reach the disk, and the migration runs once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Greylist, SWEEP_MS, type GreylistSettings } from '../../src/policy/greylist.js';
import type { GreyCandidate } from '../../src/policy/greylist-whitelist.js';
import { FLUSH_BATCH, FLUSH_MS, SqliteGreylistState } from '../../src/store/sqlite/greylist-state.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import { ManualClock } from '../helpers/clock.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const SETTINGS: GreylistSettings = { delayMs: 300_000, retryWindowMs: 3_600_000, lifetimeMs: 86_400_000, hammerMs: 0, autoWhitelistPasses: 2, maxEntries: 10_000 };
const NOOP = { deferred: () => {}, passed: () => {}, whitelisted: () => {} };
const from = (ip: string, sender = 'alice@sender.test'): GreyCandidate => ({ ip, helo: 'mx.test', sender, recipient: 'bob@tidemail.test' });

/** A server's greylist on a data dir; `restart` closes it cleanly and opens it again on the same file. */
function open(dataDir: string, clock: ManualClock, settings = SETTINGS) {
  const db = StateDatabase.inDataDir(dataDir);
  const state = new SqliteGreylistState(db, clock, (m) => assert.fail(m));
  const greylist = new Greylist(settings, state, clock, NOOP);
  return { db, state, greylist, close: () => (greylist.stop(), db.close()) };
}

function rows(dataDir: string): number {
  const db = StateDatabase.inDataDir(dataDir);
  try {
    return db.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM greylist_entries').get()!.n;
  } finally {
    db.close();
  }
}

describe('greylist state in state.db', () => {
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemail-greylist-state-'));
    dirs.push(dir);
    return dir;
  };

  it('survives a restart: a grey clock keeps running, white triplets and client passes stay', () => {
    const dir = fresh();
    const clock = new ManualClock();
    let server = open(dir, clock);
    server.greylist.check(from('192.0.2.7', 'white@sender.test'));
    server.greylist.check(from('192.0.2.7', 'grey@sender.test'));
    clock.advance(300_000);
    assert.equal(server.greylist.check(from('192.0.2.7', 'white@sender.test')).kind, 'pass');
    clock.advance(100_000);
    server.greylist.check(from('192.0.2.7', 'later@sender.test'));
    server.close();

    clock.advance(100_000);
    server = open(dir, clock);
    assert.deepEqual(server.greylist.check(from('192.0.2.7', 'later@sender.test')), { kind: 'defer', waitMs: 200_000 }, 'the clock of a grey triplet ran on');
    assert.equal(server.greylist.check(from('192.0.2.9', 'white@sender.test')).kind, 'pass', 'a white triplet is still white');
    assert.deepEqual(server.greylist.check(from('192.0.2.9', 'brand-new@sender.test')), { kind: 'whitelisted', by: 'auto' }, 'two passes before and after the restart whitelist the /24');
    assert.equal(server.state.count('client'), 1);
    server.close();
  });

  it('writes behind: nothing on disk until FLUSH_MS has passed, then all of it in one go', () => {
    const dir = fresh();
    const clock = new ManualClock();
    const server = open(dir, clock);
    for (let i = 0; i < 10; i++) server.greylist.check(from('192.0.2.7', `s${i}@sender.test`));
    assert.equal(server.state.pending, 10);
    assert.equal(rows(dir), 0, 'not yet');
    clock.advance(FLUSH_MS);
    assert.equal(server.state.pending, 0);
    assert.equal(rows(dir), 10);
    for (let i = 0; i < FLUSH_BATCH; i++) server.greylist.check(from('198.51.100.1', `flood${i}@spam.test`));
    assert.equal(rows(dir), 10 + FLUSH_BATCH, 'a full batch is written at once, not held in memory');
    server.close();
  });

  it('drops expired rows at open and writes sweeps and evictions through', () => {
    const dir = fresh();
    const clock = new ManualClock();
    let server = open(dir, clock, { ...SETTINGS, maxEntries: 3 });
    server.greylist.start();
    for (let i = 0; i < 5; i++) server.greylist.check(from('192.0.2.7', `s${i}@sender.test`));
    clock.advance(FLUSH_MS);
    assert.equal(rows(dir), 3, 'the cap holds on disk too');
    clock.advance(SETTINGS.retryWindowMs + SWEEP_MS + FLUSH_MS);
    assert.equal(rows(dir), 0, 'swept and written');
    server.greylist.check(from('192.0.2.7', 'again@sender.test'));
    server.close();
    clock.advance(SETTINGS.retryWindowMs);
    server = open(dir, clock);
    assert.equal(server.state.count('grey'), 0, 'expired while the server was down: not loaded');
    assert.equal(rows(dir), 0);
    server.close();
  });

  it('migrates once: a second open keeps the table and its version', () => {
    const dir = fresh();
    const clock = new ManualClock();
    open(dir, clock).close();
    open(dir, clock).close();
    const db = StateDatabase.inDataDir(dir);
    assert.equal(db.db.prepare<[], { version: number }>("SELECT version FROM state_schema WHERE component = 'greylist'").get()!.version, 1);
    db.close();
  });
});
