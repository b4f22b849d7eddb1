/** Messages between the threads of the SQLite store (the picture: store.ts). */
import type { MessagePort } from 'node:worker_threads';
import type { FlagOperation, MessageId, NewMessage, RetentionPolicy } from '../types.js';

export interface WriterInit {
  path: string;
  retention: RetentionPolicy;
  /** Store new bodies compacted (compact/body-codec.ts). */
  compactBodies: boolean;
  /** To the indexer: told of each commit (see Committed); index results come back on it. */
  indexerPort: MessagePort;
}

export interface IndexerInit {
  path: string;
  writerPort: MessagePort;
}

/** The full parse of one body (body-index.ts): the summary's last fields, the kept parse and the search index row. */
export interface BodyIndex {
  preview: string;
  attachments: number;
  codes: string[];
  /** At most SUMMARY_LINKS. */
  links: string[];
  /** kept-parse.ts, as JSON. */
  kept: string;
  search: { subject: string; addresses: string; body: string };
}

/** A body's parse, made by the indexer for a body stored unparsed. */
export interface IndexEntry extends BodyIndex {
  bodyId: number;
}

/** The kept parse of a body shown before version 6 (schema.ts, BACKFILL_KEY), made again. */
export interface BackfillEntry {
  bodyId: number;
  kept: string;
}

export type WriteOp =
  /** `index`: the body's parse, made before the append (body-index.ts); without it the body is stored unparsed. */
  | { kind: 'append'; message: NewMessage; index?: BodyIndex }
  | { kind: 'setFlags'; ids: MessageId[]; operation: FlagOperation; mask: number }
  | { kind: 'delete'; ids: MessageId[] }
  | { kind: 'deleteInbox'; inbox: string }
  | { kind: 'expire'; nowMs: number }
  | { kind: 'evict'; count: number }
  // Folders (copy-rows.ts): IMAP COPY and RENAME.
  | { kind: 'copy'; ids: MessageId[]; mailbox: string }
  | { kind: 'renameInbox'; from: string; to: string };

export interface Removed {
  id: MessageId;
  inbox: string;
}

export interface FlagChange {
  id: MessageId;
  inbox: string;
  mask: number;
  /** False when the message already had exactly these flags: nothing to announce. */
  changed: boolean;
}

export type WriteResult =
  | { kind: 'append'; ids: MessageId[]; evicted: Removed[] }
  | { kind: 'setFlags'; changed: FlagChange[] }
  | { kind: 'removed'; removed: Removed[] }
  /** `copy` and `renameInbox`: the messages made, and those the per-inbox cap removed (and, for a rename, the old ones). */
  | { kind: 'copied'; copied: Array<{ source: MessageId; id: MessageId }>; removed: Removed[] };

/**
 * → indexer, after each commit of rows: parse what was appended, checkpoint what was written. The
 * writer sends it for its own commits; the store (main thread) for those of its inline writer.
 */
export interface Committed {
  type: 'committed';
  /** Bodies were stored unparsed: the indexer has work. */
  appended: boolean;
  /** Parse results were lost (their commit failed): parse everything unparsed again. */
  rewind?: boolean;
}

/** One write, numbered so its outcome finds its caller. */
export interface SeqOp {
  seq: number;
  op: WriteOp;
}

export type OpOutcome = { seq: number; ok: true; result: WriteResult } | { seq: number; ok: false; error: string };

/**
 * main → writer. Writes and their outcomes travel in batches, one message per event-loop turn or
 * per commit, since each message costs both threads a dispatch: at 4 KiB × 20 persistent sessions
 * the server used about 6 % less CPU for the same rate.
 */
export type ToWriter = { type: 'ops'; ops: SeqOp[] } | { type: 'close' };

/** indexer → writer: parse results, stored by the writer in an unsynced commit of their own. */
export interface IndexResults {
  type: 'index';
  entries: IndexEntry[];
  backfill: BackfillEntry[];
  /** Every body the version 6 upgrade left without a kept parse has one now. */
  backfillDone: boolean;
}

/**
 * Something went wrong that no caller is waiting for (index results not stored, a parse or a
 * checkpoint failed): nothing committed is lost, the store reports it through `onError` and goes on.
 */
export interface BackgroundError {
  type: 'backgroundError';
  error: string;
}

/**
 * writer → main, first and once: the schema is ready (or could not be made so; the worker then
 * exits), with the visibility watermark as the data dir holds it.
 */
export type WriterOpening = { type: 'opened'; uidValidity: number; visibleThrough: number } | { type: 'openFailed'; error: string };

/**
 * writer → main, after a commit of parse results: every message with an id up to `throughId` is
 * parsed (or deleted), so may be shown. Never less than the one before.
 */
export interface Visible {
  type: 'visible';
  throughId: number;
}

/** writer → main, after `WriterOpening`. */
/**
 * writer → main. `visibleThrough` with outcomes: the commit they report moved the watermark (it
 * stored parsed bodies, or copies): one message instead of a second hand-off for a `Visible`.
 */
export type FromWriter = { type: 'outcomes'; outcomes: OpOutcome[]; visibleThrough?: number } | Visible | BackgroundError | { type: 'closed' };

/** indexer → main. */
export type FromIndexer = BackgroundError;
