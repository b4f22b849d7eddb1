/**
 * The writer worker: the connection that writes, in its own thread so that SQLite's fsync never
 * blocks the event loop that serves SMTP. (One exception: the append of a lone sender, whose
 * commit has nothing to be grouped with, is made on the main thread; see store.ts.)
 *
 * Group commit: operations arrive as messages; each turn of this thread's event loop takes
 * everything queued, applies it in one transaction (a savepoint per operation, so one bad
 * operation fails alone while the others commit; test/store/sqlite.test.ts) and commits with
 * synchronous=FULL: one sync for the whole batch.
 * Only then are the results posted back, so a result in the main thread means "on disk".
 *
 * An append of a body up to PARSE_AT_APPEND_MAX_BYTES is parsed here as it arrives (body-index.ts)
 * and stored parsed in its commit, which moves the visibility watermark (visibility.ts) and tells
 * the main thread with the outcomes. Other bodies are parsed by the indexer worker (indexer.ts)
 * after their commit; its results arrive as 'index' messages and are stored in a commit of their
 * own after the writes, which moves the watermark in turn ('visible').
 * The indexer also checkpoints the WAL, so the copy of pages into the database file and its
 * sync happen beside this thread's commits instead of inside one of them.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { NewMessage } from '../types.js';
import type { BodyIndex, Committed, FlagChange, FromWriter, IndexResults, OpOutcome, SeqOp, ToWriter, WriteOp, WriteResult, WriterInit, WriterOpening } from './protocol.js';
import { CopyRows } from './copy-rows.js';
import { indexBody } from './body-index.js';
import { installConcatenatedBlob } from './fast-blob.js';
import { MessageRows } from './message-rows.js';
import { VisibilityWatermark } from './visibility.js';
import { BACKFILL_KEY, configureWriting, migrate, transactionStatements } from './schema.js';

/** Deletions per retention pass, so one pass never holds the write lock for long. */
const EXPIRE_BATCH = 2000;

installConcatenatedBlob();

const port = parentPort;
if (!port) throw new Error('writer.ts must run as a worker thread');
const init = workerData as WriterInit;

function post(message: FromWriter | WriterOpening): void {
  port!.postMessage(message);
}

let db: Database.Database;
let uidValidity: number;
try {
  db = new Database(init.path);
  configureWriting(db);
  uidValidity = migrate(db);
} catch (error) {
  post({ type: 'openFailed', error: String(error) });
  throw error;
}

const rows = new MessageRows(db, init.retention.maxPerInbox, init.compactBodies);
const copies = new CopyRows(db, rows, init.retention.maxPerInbox);
const sql = {
  messageFlags: db.prepare<[number], { inbox: string; flags: number }>('SELECT inbox, flags FROM messages WHERE id = ?'),
  idsInInbox: db.prepare<[string], number>('SELECT id FROM messages WHERE inbox = ?').pluck(),
  setFlags: db.prepare('UPDATE messages SET flags = ? WHERE id = ?'),
  storeParse: db.prepare('UPDATE bodies SET preview = ?, attachments = ?, codes = ?, links = ?, parsed = 1 WHERE id = ? AND parsed = 0'),
  insertFts: db.prepare('INSERT INTO bodies_fts (rowid, subject, addresses, body) VALUES (?, ?, ?, ?)'),
  keepParse: db.prepare('INSERT OR REPLACE INTO parses (body_id, kept) VALUES (?, ?)'),
  backfillParse: db.prepare<[number, string, number]>('INSERT OR IGNORE INTO parses (body_id, kept) SELECT ?, ? WHERE EXISTS (SELECT 1 FROM bodies WHERE id = ?)'),
  backfillDone: db.prepare('DELETE FROM meta WHERE key = ?'),
};

const watermark = new VisibilityWatermark(db);
const tx = {
  ...transactionStatements(db),
  savepoint: (name: string) => ({
    open: db.prepare(`SAVEPOINT ${name}`),
    release: db.prepare(`RELEASE ${name}`),
    undo: db.prepare(`ROLLBACK TO ${name}`),
  }),
};

const opSavepoint = tx.savepoint('op');

/**
 * Compiled on every call, never prepared once: SQLite applies `PRAGMA synchronous` while it
 * compiles the statement, and running the compiled statement does nothing. Two prepared
 * toggles left this connection at whichever was prepared last (NORMAL), so client commits
 * went unsynced until something recompiled them.
 */
function setSynchronous(level: 'FULL' | 'NORMAL'): void {
  db.pragma(`synchronous = ${level}`);
}

post({ type: 'opened', uidValidity, visibleThrough: watermark.open() });

function setFlags(op: Extract<WriteOp, { kind: 'setFlags' }>): WriteResult {
  const changed: FlagChange[] = [];
  for (const id of op.ids) {
    const row = sql.messageFlags.get(id);
    if (!row) continue;
    const mask = op.operation === 'add' ? row.flags | op.mask : op.operation === 'remove' ? row.flags & ~op.mask : op.mask;
    if (mask !== row.flags) sql.setFlags.run(mask, id);
    changed.push({ id, inbox: row.inbox, mask, changed: mask !== row.flags });
  }
  return { kind: 'setFlags', changed };
}

/** The age and total-size rules: the oldest message goes while it is too old or too much is held. */
function expire(nowMs: number): WriteResult {
  const { maxAgeMs, maxTotalBytes } = init.retention;
  const removed = rows.removeOldest(
    EXPIRE_BATCH,
    (oldest, bytesHeld) => (maxAgeMs > 0 && oldest.receivedAtMs < nowMs - maxAgeMs) || (maxTotalBytes > 0 && bytesHeld > maxTotalBytes),
  );
  return { kind: 'removed', removed };
}

function apply(op: WriteOp): WriteResult {
  switch (op.kind) {
    case 'append':
      return { kind: 'append', ...rows.append(op.message, op.index) };
    case 'setFlags':
      return setFlags(op);
    case 'delete':
      return { kind: 'removed', removed: rows.remove(op.ids) };
    case 'deleteInbox':
      return { kind: 'removed', removed: rows.remove(sql.idsInInbox.all(op.inbox)) };
    case 'expire':
      return expire(op.nowMs);
    case 'evict':
      return { kind: 'removed', removed: rows.removeOldest(op.count, () => true) };
    case 'copy':
      return copies.copy(op.ids, op.mailbox);
    case 'renameInbox':
      return copies.rename(op.from, op.to);
  }
}

let queue: SeqOp[] = [];
let indexQueue: IndexResults[] = [];
let flushScheduled = false;
let closing = false;

function storeIndex(results: IndexResults[]): void {
  for (const { entries, backfill, backfillDone } of results) {
    for (const entry of entries) {
      // The body may have been deleted while it was being parsed; a parsed one has its index row and kept parse.
      if (sql.storeParse.run(entry.preview, entry.attachments, JSON.stringify(entry.codes), JSON.stringify(entry.links), entry.bodyId).changes === 0) continue;
      sql.insertFts.run(entry.bodyId, entry.search.subject, entry.search.addresses, entry.search.body);
      sql.keepParse.run(entry.bodyId, entry.kept);
    }
    for (const entry of backfill) sql.backfillParse.run(entry.bodyId, entry.kept, entry.bodyId);
    if (backfillDone) sql.backfillDone.run(BACKFILL_KEY);
  }
}

function flush(): void {
  flushScheduled = false;
  const batch = queue;
  queue = [];
  if (batch.length > 0) commitWrites(batch);
  const indexed = indexQueue;
  indexQueue = [];
  // After the writes' results are posted: SMTP clients wait for those, nobody waits for these.
  if (indexed.length > 0) commitIndex(indexed);
}

/** One transaction, one sync, for every queued write; only then is each result posted. */
function commitWrites(batch: SeqOp[]): void {
  const outcomes: OpOutcome[] = [];
  let visibleThrough: number | null = null;
  try {
    tx.begin.run();
    for (const { seq, op } of batch) {
      const outcome = inSavepoint(opSavepoint, () => apply(op));
      outcomes.push(outcome.ok ? { seq, ok: true, result: outcome.value } : { seq, ok: false, error: outcome.error });
    }
    // Bodies stored parsed, and copies or renames (new messages of bodies already parsed), are
    // shown by the same watermark as everything else (after any unparsed message before them).
    if (batch.some(({ op }) => op.kind === 'copy' || op.kind === 'renameInbox' || (op.kind === 'append' && op.index))) visibleThrough = watermark.advance();
    tx.commit.run();
  } catch (error) {
    // The commit itself failed (disk full, I/O error): nothing in this batch is stored.
    if (db.inTransaction) tx.rollback.run();
    post({ type: 'outcomes', outcomes: batch.map(({ seq }) => ({ seq, ok: false, error: String(error) })) });
    return;
  }
  // Outcomes first, the watermark with them: a rename's deletions are announced (with its
  // outcome) before its arrivals.
  post(visibleThrough === null ? { type: 'outcomes', outcomes } : { type: 'outcomes', outcomes, visibleThrough });
  const note: Committed = { type: 'committed', appended: batch.some(({ op }) => op.kind === 'append' && !op.index) };
  init.indexerPort.postMessage(note);
}

/**
 * Index results are derived data, rebuilt from the raw bytes if lost, so their commit does not
 * sync: the next commit of writes syncs their pages along with its own. (A crash of the machine,
 * not of the process, before that can lose them: the messages are then parsed again, identically,
 * and shown again; only an UIDNEXT raised by them could be seen to go back. Syncing here would
 * cost the writer an fsync per parsed batch, on the thread every 250 waits for.)
 */
function commitIndex(results: IndexResults[]): void {
  let visibleThrough: number | null = null;
  let rewind = false;
  setSynchronous('NORMAL');
  try {
    tx.begin.run();
    storeIndex(results);
    visibleThrough = watermark.advance();
    tx.commit.run();
  } catch (error) {
    if (db.inTransaction) tx.rollback.run();
    visibleThrough = null;
    // Those bodies are still unparsed, and nothing after them can be shown before they are.
    rewind = true;
    // Only freshness of the index is lost, never a write; the store reports it.
    post({ type: 'backgroundError', error: `storing index results failed: ${String(error)}` });
  } finally {
    setSynchronous('FULL');
  }
  if (visibleThrough !== null) post({ type: 'visible', throughId: visibleThrough });
  init.indexerPort.postMessage({ type: 'committed', appended: rewind, rewind } satisfies Committed);
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Run `work` in a savepoint: on an error only its own changes are undone, the batch goes on. */
function inSavepoint<T>(savepoint: ReturnType<typeof tx.savepoint>, work: () => T): Outcome<T> {
  savepoint.open.run();
  try {
    const value = work();
    savepoint.release.run();
    return { ok: true, value };
  } catch (error) {
    savepoint.undo.run();
    savepoint.release.run();
    return { ok: false, error: String(error) };
  }
}

function schedule(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flush);
}

init.indexerPort.on('message', (message: IndexResults) => {
  if (message.type !== 'index' || closing) return;
  indexQueue.push(message);
  schedule();
});

/**
 * Bodies up to this size are parsed here as they arrive, before their commit (body-index.ts), and
 * stored parsed: they are shown in the commit that stores them. A 4 KiB message costs ~75 µs of
 * parse; the indexer's way cost more than that in thread hand-offs (writer → indexer → writer →
 * main, each waking a thread) and a second commit per batch (BENCHMARKS.md). Bigger bodies (a
 * 100 KiB one parses in ~1 ms) are left to the indexer, so they never hold up a group commit.
 */
const PARSE_AT_APPEND_MAX_BYTES = 32 * 1024;

async function indexAtAppend(message: NewMessage): Promise<BodyIndex | undefined> {
  if (message.raw.byteLength > PARSE_AT_APPEND_MAX_BYTES) return undefined;
  // Structured clone hands this thread a plain Uint8Array: view it as a Buffer again.
  const raw = Buffer.from(message.raw.buffer, message.raw.byteOffset, message.raw.byteLength);
  try {
    return await indexBody(raw, message.subject, message.from, message.to);
  } catch {
    // Stored unparsed: the indexer tries again after the commit, and reports a failure.
    return undefined;
  }
}

async function receive(message: ToWriter): Promise<void> {
  if (message.type === 'close') {
    closing = true;
    flush();
    init.indexerPort.close();
    db.close();
    post({ type: 'closed' });
    port!.close();
    return;
  }
  for (const { op } of message.ops) if (op.kind === 'append') op.index ??= await indexAtAppend(op.message);
  queue.push(...message.ops);
  schedule();
}

// In arrival order: an append's parse (a few microtask turns) ends before the writes behind it queue.
let arriving: Promise<void> = Promise.resolve();
port.on('message', (message: ToWriter) => {
  arriving = arriving.then(() => receive(message)).catch((error: unknown) => post({ type: 'backgroundError', error: `writer: ${String(error)}` }));
});

