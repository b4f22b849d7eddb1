/**
 * The relay queue's storage contract: what the scheduler and the queue API need from the place
 * the queue lives, so that SQLite (sqlite-queue-store.ts, on the shared state.db) is one engine
 * and a distributed one could be another.
 *
 * Model: a *message* is one OutboundMessage (envelope sender, raw bytes, origin); each of its
 * envelope recipients has its own *recipient* row with a state of its own, because one RCPT can
 * be accepted, another greylisted and a third refused by the same server (RFC 5321 §3.3). Every
 * try at a recipient is an *attempt*: when, which host, what it answered.
 *
 * Durability: `add` and `record` resolve only once committed and synced (an SMTP 250 after
 * `add` is a promise kept across a kill -9). Raw bytes stay in the store; only `raw(id)` loads
 * them, for the one message being sent, so memory does not grow with the queue's length.
 */
import type { OutboundMessage, OutboundOrigin, QueueId } from './types.js';

/** pending: never tried; delivering: claimed by a connection now; deferred: waiting for a retry. */
export type RecipientState = 'pending' | 'delivering' | 'deferred' | 'delivered' | 'bounced';

export const FINAL_STATES: readonly RecipientState[] = ['delivered', 'bounced'];

export interface Attempt {
  atMs: number;
  /** The host tried (MX name and address, or the smart host); '' when no host was reached (DNS). */
  host: string;
  /** The server's reply, or what went wrong before there was one (refused, timed out). */
  reply: string;
  outcome: 'delivered' | 'deferred' | 'bounced';
}

export interface QueuedRecipient {
  id: number;
  messageId: QueueId;
  address: string;
  /** Lower-cased domain of the address: the unit of next-hop lookup. */
  domain: string;
  state: RecipientState;
  attempts: number;
  /** When it is due again (pending/deferred), null once final. */
  nextAttemptAtMs: number | null;
  lastReply: string;
}

export interface QueuedMessageInfo {
  id: QueueId;
  mailFrom: string;
  origin: OutboundOrigin;
  sourceId: number | null;
  size: number;
  createdAtMs: number;
}

export interface QueuedMessageDetail extends QueuedMessageInfo {
  recipients: (QueuedRecipient & { attemptLog: Attempt[] })[];
}

/** A recipient claimed for delivery, with what the sender needs to know of its message. */
export interface ClaimedRecipient {
  id: number;
  messageId: QueueId;
  address: string;
  domain: string;
  attempts: number;
  mailFrom: string;
  createdAtMs: number;
  origin: OutboundOrigin;
}

/** The outcome of one attempt at one recipient, written with the attempt in one commit. */
export interface RecipientUpdate {
  recipientId: number;
  messageId: QueueId;
  attempt: Attempt;
  /** deferred: the next try's time; final states: null. */
  state: 'deferred' | 'delivered' | 'bounced';
  nextAttemptAtMs: number | null;
}

export interface QueueCounts {
  messages: number;
  /** Messages with a recipient not yet delivered or bounced. */
  openMessages: number;
  byState: Record<RecipientState, number>;
  /** Creation time of the oldest message with a recipient not yet final, null when none. */
  oldestCreatedAtMs: number | null;
}

export interface QueueStore {
  /** Commit a message and one pending recipient per envelope recipient, due at `nowMs`. */
  add(message: OutboundMessage, nowMs: number): Promise<QueueId>;
  /** Mark up to `limit` recipients due at `nowMs` as delivering and return them, oldest due first. */
  claimDue(nowMs: number, limit: number): ClaimedRecipient[];
  /** The earliest time a pending or deferred recipient falls due, or null. */
  nextDueAtMs(): number | null;
  raw(messageId: QueueId): Buffer | null;
  /** Commit attempts and their recipients' new states. */
  record(updates: readonly RecipientUpdate[]): Promise<void>;
  /** After a restart: every recipient left `delivering` by a crash is due again now. */
  recoverDelivering(nowMs: number): number;
  list(limit: number, offset: number): { total: number; messages: (QueuedMessageInfo & { recipients: QueuedRecipient[] })[] };
  get(messageId: QueueId): QueuedMessageDetail | null;
  /** Make every deferred or pending recipient of a message due now; false if there is no such message. */
  retryNow(messageId: QueueId, nowMs: number): boolean;
  /** Remove a message, its recipients and attempts; false if there is no such message. */
  remove(messageId: QueueId): boolean;
  counts(): QueueCounts;
  /** Drop messages whose recipients are all final and that are older than `beforeMs`. */
  purgeFinished(beforeMs: number): number;
  close(): Promise<void>;
}
