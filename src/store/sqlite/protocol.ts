/** Messages between the SqliteStore (main thread) and its writer worker. */
import type { MessagePort } from 'node:worker_threads';
import type { FlagOperation, MessageId, NewMessage, RetentionPolicy } from '../types.js';

export interface WriterInit {
  path: string;
  retention: RetentionPolicy;
  /** To the indexer: told of each commit (see Committed); index results come back on it. */
  indexerPort: MessagePort;
}

export interface IndexerInit {
  path: string;
  writerPort: MessagePort;
}

/** The full parse of one body, for the listing (preview, attachments) and the search index. */
export interface IndexEntry {
  bodyId: number;
  preview: string;
  attachments: number;
  search: { subject: string; addresses: string; body: string };
}

export type WriteOp =
  | { kind: 'append'; message: NewMessage }
  | { kind: 'setFlags'; ids: MessageId[]; operation: FlagOperation; mask: number }
  | { kind: 'delete'; ids: MessageId[] }
  | { kind: 'deleteInbox'; inbox: string }
  | { kind: 'expire'; nowMs: number };

export interface Removed {
  id: MessageId;
  inbox: string;
}

export interface FlagChange {
  id: MessageId;
  inbox: string;
  mask: number;
}

export type WriteResult =
  | { kind: 'append'; ids: MessageId[]; evicted: Removed[] }
  | { kind: 'setFlags'; changed: FlagChange[] }
  | { kind: 'removed'; removed: Removed[] };

/** writer → indexer after each commit: parse what was appended, checkpoint what was written. */
export interface Committed {
  type: 'committed';
  appended: boolean;
}

/** One write, numbered so its outcome finds its caller. */
export interface SeqOp {
  seq: number;
  op: WriteOp;
}

export type OpOutcome = { seq: number; ok: true; result: WriteResult } | { seq: number; ok: false; error: string };

/**
 * main → writer ('ops', 'appended'), and indexer → writer ('index'). Writes and their outcomes
 * travel in batches, one message per event-loop turn or per commit, since each message costs both
 * threads a dispatch: at 4 KiB × 20 persistent sessions the server used about 6 % less CPU for the
 * same rate. 'appended' reports an append the main thread committed itself (inline-writer.ts).
 */
export type ToWriter =
  | { type: 'ops'; ops: SeqOp[] }
  | { type: 'appended'; bytesDelta: number }
  | { type: 'index'; entries: IndexEntry[] }
  | { type: 'close' };

/** worker → main */
export type FromWriter =
  | { type: 'ready'; uidValidity: number }
  | { type: 'fatal'; error: string }
  | { type: 'outcomes'; outcomes: OpOutcome[] }
  | { type: 'closed' };
