/**
 * The webhook queue in `state.db` (component `webhooks`). Every write — enqueues from the ingest
 * path and the dispatcher's bookkeeping (start and finish of an attempt) — shares one
 * transaction per event-loop turn (turn-commit.ts), so a busy queue costs one fsync a turn on
 * the main thread, not three per request. The index on (state, url, next_attempt_ms) answers "what is due, per endpoint".
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { StateDatabase } from '../store/sqlite/state-db.js';
import type { MessageId } from '../store/types.js';
import type { AttemptResult, Delivery, DeliveryState, NewDelivery, WebhookEvent, WebhookQueue } from './queue.js';
import type { TurnCommit } from './turn-commit.js';

const MIGRATIONS = [
  `CREATE TABLE webhook_deliveries (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     webhook_id TEXT NOT NULL,
     url TEXT NOT NULL,
     event TEXT NOT NULL,
     message_id INTEGER NOT NULL,
     inbox TEXT NOT NULL,
     wants_deleted INTEGER NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_ms INTEGER NOT NULL,
     created_ms INTEGER NOT NULL,
     updated_ms INTEGER NOT NULL,
     body TEXT,
     last_status INTEGER,
     last_error TEXT,
     last_latency_ms INTEGER,
     last_attempt_ms INTEGER
   );
   CREATE INDEX webhook_due ON webhook_deliveries (state, url, next_attempt_ms);
   CREATE INDEX webhook_message ON webhook_deliveries (message_id);`,
];

interface Row {
  id: number;
  webhook_id: string;
  url: string;
  event: string;
  message_id: number;
  inbox: string;
  wants_deleted: number;
  state: string;
  attempts: number;
  next_attempt_ms: number;
  created_ms: number;
  body: string | null;
  last_status: number | null;
  last_error: string | null;
  last_latency_ms: number | null;
  last_attempt_ms: number | null;
}

function toDelivery(row: Row): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    url: row.url,
    event: row.event as WebhookEvent,
    messageId: row.message_id,
    inbox: row.inbox,
    wantsDeleted: row.wants_deleted === 1,
    state: row.state as DeliveryState,
    attempts: row.attempts,
    nextAttemptMs: row.next_attempt_ms,
    createdMs: row.created_ms,
    body: row.body,
    lastStatus: row.last_status,
    lastError: row.last_error,
    lastLatencyMs: row.last_latency_ms,
    lastAttemptMs: row.last_attempt_ms,
  };
}

export class SqliteWebhookQueue implements WebhookQueue {
  private readonly q;

  constructor(
    state: StateDatabase,
    private readonly commit: TurnCommit,
  ) {
    state.migrate('webhooks', MIGRATIONS);
    this.q = prepare(state.db);
  }

  enqueue(deliveries: readonly NewDelivery[], nowMs: number): Promise<void> {
    if (deliveries.length === 0) return Promise.resolve();
    return this.commit.run(() => {
      for (const d of deliveries) {
        // Random, not the row id: a receiver's dedupe must not confuse us with a reset state.db.
        const webhookId = `msg_${randomBytes(12).toString('base64url')}`;
        this.q.insert.run(webhookId, d.url, d.event, d.messageId, d.inbox, d.wantsDeleted ? 1 : 0, nowMs, nowMs, nowMs);
      }
    });
  }

  dueEndpoints(nowMs: number): string[] {
    return this.q.dueEndpoints.all(nowMs).map((r) => r.url);
  }

  due(url: string, nowMs: number, limit: number): Delivery[] {
    return this.q.due.all(url, nowMs, limit).map(toDelivery);
  }

  startAttempt(id: number, nowMs: number, leaseUntilMs: number): Promise<void> {
    return this.commit.run(() => void this.q.start.run(leaseUntilMs, nowMs, id));
  }

  setBody(id: number, body: string): Promise<void> {
    return this.commit.run(() => void this.q.setBody.run(body, id));
  }

  finishAttempt(id: number, result: AttemptResult, next: { state: DeliveryState; nextAttemptMs: number }): Promise<void> {
    return this.commit.run(() => void this.q.finish.run(next.state, next.nextAttemptMs, result.status, result.error, result.latencyMs, result.atMs, result.atMs, id));
  }

  nextDueMs(): number | null {
    return this.q.nextDue.get()?.due ?? null;
  }

  endpointsWantingDeleted(messageId: MessageId): string[] {
    return this.q.wantingDeleted.all(messageId).map((r) => r.url);
  }

  list(options: { limit: number; state?: DeliveryState }): Delivery[] {
    const rows = options.state ? this.q.listState.all(options.state, options.limit) : this.q.list.all(options.limit);
    return rows.map(toDelivery);
  }

  counts(): Record<DeliveryState, number> {
    const counts: Record<DeliveryState, number> = { pending: 0, delivered: 0, failed: 0 };
    for (const row of this.q.counts.all()) counts[row.state as DeliveryState] = row.n;
    return counts;
  }

  prune(beforeMs: number): number {
    return this.q.prune.run(beforeMs).changes;
  }
}

function prepare(db: Database.Database) {
  return {
    insert: db.prepare<[string, string, string, number, string, number, number, number, number]>(
      `INSERT INTO webhook_deliveries (webhook_id, url, event, message_id, inbox, wants_deleted, state, next_attempt_ms, created_ms, updated_ms)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ),
    dueEndpoints: db.prepare<[number], { url: string }>(`SELECT DISTINCT url FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_ms <= ?`),
    due: db.prepare<[string, number, number], Row>(
      `SELECT * FROM webhook_deliveries WHERE state = 'pending' AND url = ? AND next_attempt_ms <= ? ORDER BY next_attempt_ms, id LIMIT ?`,
    ),
    start: db.prepare<[number, number, number]>('UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_ms = ?, updated_ms = ? WHERE id = ?'),
    setBody: db.prepare<[string, number]>('UPDATE webhook_deliveries SET body = ? WHERE id = ?'),
    finish: db.prepare<[string, number, number | null, string | null, number, number, number, number]>(
      `UPDATE webhook_deliveries SET state = ?, next_attempt_ms = ?, last_status = ?, last_error = ?, last_latency_ms = ?, last_attempt_ms = ?, updated_ms = ? WHERE id = ?`,
    ),
    nextDue: db.prepare<[], { due: number | null }>(`SELECT MIN(next_attempt_ms) AS due FROM webhook_deliveries WHERE state = 'pending'`),
    wantingDeleted: db.prepare<[number], { url: string }>(
      `SELECT DISTINCT url FROM webhook_deliveries WHERE message_id = ? AND event = 'message.received' AND wants_deleted = 1`,
    ),
    list: db.prepare<[number], Row>('SELECT * FROM webhook_deliveries ORDER BY id DESC LIMIT ?'),
    listState: db.prepare<[string, number], Row>('SELECT * FROM webhook_deliveries WHERE state = ? ORDER BY id DESC LIMIT ?'),
    counts: db.prepare<[], { state: string; n: number }>('SELECT state, COUNT(*) AS n FROM webhook_deliveries GROUP BY state'),
    prune: db.prepare<[number]>(`DELETE FROM webhook_deliveries WHERE state != 'pending' AND updated_ms < ?`),
  };
}
