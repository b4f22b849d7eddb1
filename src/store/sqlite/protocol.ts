/** Messages between the SqliteStore (main thread) and its writer worker. */
import type { FlagOperation, MessageId, NewMessage, RetentionPolicy } from '../types.js';

export interface WriterInit {
  path: string;
  retention: RetentionPolicy;
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

/** main → worker */
export type ToWriter = { type: 'op'; seq: number; op: WriteOp } | { type: 'close' };

/** worker → main */
export type FromWriter =
  | { type: 'ready'; uidValidity: number }
  | { type: 'fatal'; error: string }
  | { type: 'done'; seq: number; result: WriteResult }
  | { type: 'failed'; seq: number; error: string }
  | { type: 'closed' };
