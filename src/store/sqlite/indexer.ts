/**
 * The indexer worker: the full MIME parse (body-index.ts) of bodies stored unparsed — bigger than
 * the writer parses before their commit (writer.ts, PARSE_AT_APPEND_MAX_BYTES), committed by the
 * inline writer, or left by an older version — in a thread of its own so it never delays a group
 * commit.
 *
 * For those, its commit is what makes a message visible (store.ts: the visibility gate), so fresh mail has
 * the fast lane: parsing starts as soon as a commit of appends is announced, in id order, and
 * comes before the one other job here, making the kept parse of bodies stored before version 6
 * (schema.ts, BACKFILL_KEY), which runs only while no fresh body waits. It runs at the ingest's own
 * priority: it used to run at nice 10, but on a busy 2-core machine that left it almost no CPU
 * (250 → visible grew to seconds), and a parse costs ~75 µs per 4 KiB message with the
 * concatenating Blob (fast-blob.ts), ~0.7 ms with Node's.
 *
 * It reads unparsed bodies from its own connection, a small batch at a time, and hands the
 * results to the writer, which stores them in a commit of their own. Reading from disk rather
 * than being handed the bytes means a backlog under a flood costs disk, not memory. It is told
 * of each commit of rows: by the writer of its own, by the store (main thread) of its inline
 * writer's; on start it catches up with whatever a previous run left unparsed.
 *
 * It is also the WAL's checkpointer: copying committed pages into the database file (and
 * syncing it) here, a little after commits, keeps that work out of the writer's commits, which
 * is where SMTP clients wait for their 250.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { parseBody } from '../../mail/parse.js';
import type { Address } from '../types.js';
import { indexBody } from './body-index.js';
import { installConcatenatedBlob } from './fast-blob.js';
import { keepParse } from './kept-parse.js';
import { BodyCodec, type StoredRaw } from '../compact/body-codec.js';
import type { BackfillEntry, Committed, FromIndexer, IndexEntry, IndexResults, IndexerInit } from './protocol.js';
import { BACKFILL_KEY } from './schema.js';

installConcatenatedBlob();

const BATCH = 16;
/** A batch also ends once it has parsed this many bytes: its results (body text) are held until posted. */
const BATCH_BYTES = 1024 * 1024;
/**
 * A flood: mail still arriving and a backlog (full batches) for longer than `FLOOD_MS`. Then the
 * indexer rests `REST_FACTOR` times as long as each batch took, so it takes at most a tenth of a
 * core and its results a tenth of the writer's time, and ingest keeps its rate (with a third,
 * factor 2, 4 KiB × 20 persistent sessions ran at ~9,300 msg/s instead of ~10,300); messages are
 * then shown late, and once mail stops arriving it catches up at full speed. Short of a flood it
 * never rests: a parse the indexer puts off is a message nobody can see yet.
 */
const REST_FACTOR = 9;
const FLOOD_MS = 2000;
/** Mail counts as still arriving for this long after the last commit that appended some. */
const INGEST_QUIET_MS = 200;
/**
 * Start parsing this long after the first commit of a burst: messages committed in the same few
 * milliseconds are parsed and their results committed together (one commit of results for
 * several messages), at a cost of at most this much in their time to visible.
 */
const INDEX_DELAY_MS = 2;
/** Bodies of the version 6 backfill per batch: small, so fresh mail waits for at most one. */
const BACKFILL_BATCH = 8;
/**
 * Checkpoint this long after a commit: soon enough that the writer rarely reaches its own fallback
 * checkpoint (at 100 KiB × 20 sessions, 10 ms gave ~12 % more msg/s than 50 ms), late enough to batch.
 */
const CHECKPOINT_DELAY_MS = 10;

const control = parentPort!;
const init = workerData as IndexerInit;
const writer: MessagePort = init.writerPort;

// Read-write only for checkpoints: this connection never changes a row.
const db = new Database(init.path);
db.pragma('busy_timeout = 5000');
const unparsed = db.prepare<[number, number], { id: number; size: number; subject: string; from_json: string | null; to_json: string }>(
  'SELECT id, size, subject, from_json, to_json FROM bodies WHERE parsed = 0 AND id > ? ORDER BY id LIMIT ?',
);
// Each body's bytes are read just before it is parsed, so one raw message at a time is in memory.
// Compacted bodies are decoded here: the parse, and the kept parse's offsets, are of the bytes as received.
const storedRaw = db.prepare<[number], StoredRaw>('SELECT raw, codec FROM raws WHERE body_id = ?');
const codec = new BodyCodec(db);
const rawOf = { get: (bodyId: number): Buffer | undefined => { const row = storedRaw.get(bodyId); return row && codec.bytesOf(row); } };
const backfillThrough = Number(db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck().get(BACKFILL_KEY) ?? 0);
const withoutKeptParse = db.prepare<[number, number, number], { id: number; subject: string }>(
  'SELECT b.id AS id, b.subject AS subject FROM bodies b WHERE b.id > ? AND b.id <= ? AND b.parsed = 1 AND NOT EXISTS (SELECT 1 FROM parses p WHERE p.body_id = b.id) ORDER BY b.id LIMIT ?',
);

/** Highest body id handed to the writer; bodies are never re-parsed within one run (but see `rewind`). */
let cursor = 0;
/** Highest body id of the backfill handed to the writer; null once it is done (or there is none). */
let backfillCursor: number | null = backfillThrough > 0 ? 0 : null;
let running = false;
let more = false;
let lastAppendAt = -Infinity;
/** Since when every batch has been full (a backlog), or null. */
let backlogSince: number | null = null;

function post(entries: IndexEntry[], backfill: BackfillEntry[] = [], backfillDone = false): void {
  writer.postMessage({ type: 'index', entries, backfill, backfillDone } satisfies IndexResults);
}

/** One batch of the version 6 backfill; false when there was none left. */
async function backfillBatch(): Promise<boolean> {
  if (backfillCursor === null) return false;
  const rows = withoutKeptParse.all(backfillCursor, backfillThrough, BACKFILL_BATCH);
  if (rows.length === 0) {
    backfillCursor = null;
    post([], [], true);
    return false;
  }
  const backfill: BackfillEntry[] = [];
  for (const row of rows) {
    const raw = rawOf.get(row.id);
    if (raw) backfill.push({ bodyId: row.id, kept: keepParse(raw, await parseBody(raw, row.subject)) });
  }
  backfillCursor = rows[rows.length - 1]!.id;
  post([], backfill);
  return true;
}

async function catchUp(): Promise<void> {
  if (running) {
    more = true;
    return;
  }
  running = true;
  try {
    do {
      more = false;
      for (;;) {
        const rows = unparsed.all(cursor, BATCH);
        if (rows.length === 0) {
          backlogSince = null;
          if (!(await backfillBatch())) break;
          // The writer's notes of fresh commits come in between backfill batches.
          await new Promise((resolve) => setImmediate(resolve));
          continue;
        }
        const started = performance.now();
        const entries: IndexEntry[] = [];
        let bytes = 0;
        let taken = 0;
        while (taken < rows.length && bytes < BATCH_BYTES) {
          const row = rows[taken++]!;
          bytes += row.size;
          const raw = rawOf.get(row.id);
          if (!raw) continue; // deleted since the batch was listed
          const from = row.from_json ? (JSON.parse(row.from_json) as Address) : null;
          entries.push({ bodyId: row.id, ...(await indexBody(raw, row.subject, from, JSON.parse(row.to_json) as Address[])) });
        }
        cursor = rows[taken - 1]!.id;
        post(entries);
        const backlog = taken < rows.length || rows.length === BATCH;
        if (!backlog) {
          backlogSince = null;
          continue;
        }
        const now = performance.now();
        backlogSince ??= now;
        const flood = now - backlogSince > FLOOD_MS && now - lastAppendAt < INGEST_QUIET_MS;
        // Either way, the writer's notes come in between batches.
        if (flood) await sleep((now - started) * REST_FACTOR);
        else await new Promise((resolve) => setImmediate(resolve));
      }
    } while (more);
  } catch (error) {
    control.postMessage({ type: 'backgroundError', error: `indexer: ${String(error)}` } satisfies FromIndexer);
  } finally {
    running = false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function checkpoint(): void {
  try {
    // PASSIVE: never waits for readers or the writer; what it cannot copy now, the next one will.
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (error) {
    control.postMessage({ type: 'backgroundError', error: `checkpoint: ${String(error)}` } satisfies FromIndexer);
  }
}

const parseSoon = debounced(() => void catchUp(), INDEX_DELAY_MS);
const checkpointSoon = debounced(checkpoint, CHECKPOINT_DELAY_MS);

/** Call `work` once, `delayMs` after the first request since it last ran. */
function debounced(work: () => void, delayMs: number): () => void {
  let timer: NodeJS.Timeout | null = null;
  return () => {
    timer ??= setTimeout(() => {
      timer = null;
      work();
    }, delayMs);
  };
}

// The store stops this worker with terminate(): it changes no rows, and what it had not handed
// over yet is parsed again on the next start. A checkpoint cut short is safe: the WAL keeps
// every committed page until one completes.
function onCommitted(message: Committed): void {
  if (message.rewind) cursor = 0;
  if (message.appended) {
    lastAppendAt = performance.now();
    parseSoon();
  }
  checkpointSoon();
}
writer.on('message', onCommitted);
control.on('message', onCommitted);
void catchUp();

