/**
 * The webhook queue's contract: every event to every endpoint is one *delivery*, committed
 * before it is sent and kept until it is delivered or given up. The SQLite engine is
 * sqlite-queue.ts; a distributed engine would implement the same interface.
 *
 * A delivery's payload body is fixed at its first attempt (built then from the message's final
 * summary) and stored, so every retry sends the same bytes under the same `webhook-id`.
 */
import type { MessageId } from '../store/types.js';

export type WebhookEvent = 'message.received' | 'message.deleted';
export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface NewDelivery {
  url: string;
  event: WebhookEvent;
  messageId: MessageId;
  inbox: string;
  /** Whether this endpoint also wants `message.deleted` for this message later. */
  wantsDeleted: boolean;
}

export interface Delivery extends NewDelivery {
  id: number;
  /** Sent as `webhook-id`: the same for every attempt, so a receiver dedupes on it. */
  webhookId: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptMs: number;
  createdMs: number;
  /** The JSON body, once the first attempt has built it. */
  body: string | null;
  lastStatus: number | null;
  lastError: string | null;
  lastLatencyMs: number | null;
  lastAttemptMs: number | null;
}

export interface AttemptResult {
  atMs: number;
  /** The HTTP status, null when there was none (connection failure, timeout). */
  status: number | null;
  error: string | null;
  latencyMs: number;
}

export interface WebhookQueue {
  /** Commit the deliveries durably; resolves once they are on disk. */
  enqueue(deliveries: readonly NewDelivery[], nowMs: number): Promise<void>;
  /** Endpoints with a pending delivery due at `nowMs`. */
  dueEndpoints(nowMs: number): string[];
  /** Up to `limit` pending deliveries to `url` due at `nowMs`, oldest due first. */
  due(url: string, nowMs: number, limit: number): Delivery[];
  /*
   * The dispatcher's bookkeeping resolves once committed. The dispatcher does not pick a
   * delivery again until its last write resolved, so a write still pending is never missed.
   */
  /**
   * An attempt starts: count it and lease the delivery until `leaseUntilMs`, so that if we
   * crash mid-request it is tried again then (at-least-once), not lost.
   */
  startAttempt(id: number, nowMs: number, leaseUntilMs: number): Promise<void>;
  /** Keep the body built for the first attempt; every later attempt sends it again. */
  setBody(id: number, body: string): Promise<void>;
  /** Record an attempt's result and the delivery's next state. */
  finishAttempt(id: number, result: AttemptResult, next: { state: DeliveryState; nextAttemptMs: number }): Promise<void>;
  /** When the next pending delivery falls due; null if none is pending. */
  nextDueMs(): number | null;
  /** Endpoints told of `message.received` for this message that asked for its deletion too. */
  endpointsWantingDeleted(messageId: MessageId): string[];
  /** Newest first. */
  list(options: { limit: number; state?: DeliveryState }): Delivery[];
  counts(): Record<DeliveryState, number>;
  /** Forget delivered and failed deliveries last touched before `beforeMs`. */
  prune(beforeMs: number): number;
}
