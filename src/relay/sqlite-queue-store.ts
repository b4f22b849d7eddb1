/**
 * The relay queue on the shared state.db (component `relay`, its own append-only migration
 * steps). Writes that must be durable (`add`, `record`) go through group commit (one commit
 * and one fdatasync of the WAL, off the main thread, for every write that gathered meanwhile:
 * group-commit.ts); claims and the operator's retry/remove are small synchronous transactions
 * (a claim that a crash loses is only a recipient still pending, tried again after the restart).
 *
 * Raw bytes live in `relay_messages.raw` and are read one message at a time (`raw`), so a
 * queue of 100,000 messages costs disk, not memory, and never an open file per message (one
 * of Twisted's relayers' bugs: it opened every queued file at once).
 */
import type Database from 'better-sqlite3';
import type { StateDatabase } from '../store/sqlite/state-db.js';
import { GroupCommit, walFileSync } from './group-commit.js';
import type { Attempt, ClaimedRecipient, QueueCounts, QueuedMessageDetail, QueuedMessageInfo, QueuedRecipient, QueueStore, RecipientState, RecipientUpdate } from './queue-store.js';
import type { OutboundMessage, OutboundOrigin, QueueId } from './types.js';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE relay_messages (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     mail_from TEXT NOT NULL,
     origin TEXT NOT NULL,
     source_id INTEGER,
     size INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     raw BLOB NOT NULL
   );
   CREATE TABLE relay_recipients (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     message_id INTEGER NOT NULL,
     address TEXT NOT NULL,
     domain TEXT NOT NULL,
     state TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_at INTEGER,
     last_reply TEXT NOT NULL DEFAULT ''
   );
   CREATE INDEX relay_recipients_due ON relay_recipients (next_attempt_at) WHERE state IN ('pending', 'deferred');
   CREATE INDEX relay_recipients_message ON relay_recipients (message_id);
   CREATE INDEX relay_recipients_delivering ON relay_recipients (state) WHERE state = 'delivering';
   CREATE TABLE relay_attempts (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     recipient_id INTEGER NOT NULL,
     message_id INTEGER NOT NULL,
     at INTEGER NOT NULL,
     host TEXT NOT NULL,
     reply TEXT NOT NULL,
     outcome TEXT NOT NULL
   );
   CREATE INDEX relay_attempts_message ON relay_attempts (message_id);`,
];

interface MessageRow {
  id: number;
  mail_from: string;
  origin: string;
  source_id: number | null;
  size: number;
  created_at: number;
}
interface RecipientRow {
  id: number;
  message_id: number;
  address: string;
  domain: string;
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  last_reply: string;
}
interface AttemptRow {
  recipient_id: number;
  at: number;
  host: string;
  reply: string;
  outcome: string;
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

const toInfo = (row: MessageRow): QueuedMessageInfo => ({
  id: row.id,
  mailFrom: row.mail_from,
  origin: row.origin as OutboundOrigin,
  sourceId: row.source_id,
  size: row.size,
  createdAtMs: row.created_at,
});
const toRecipient = (row: RecipientRow): QueuedRecipient => ({
  id: row.id,
  messageId: row.message_id,
  address: row.address,
  domain: row.domain,
  state: row.state as RecipientState,
  attempts: row.attempts,
  nextAttemptAtMs: row.next_attempt_at,
  lastReply: row.last_reply,
});

export class SqliteQueueStore implements QueueStore {
  private readonly db: Database.Database;
  private readonly commits: GroupCommit;
  private readonly walSync: ReturnType<typeof walFileSync>;
  private readonly sql;

  constructor(state: StateDatabase) {
    state.migrate('relay', MIGRATIONS);
    const db = state.db;
    this.db = db;
    this.walSync = walFileSync(`${db.name}-wal`);
    this.commits = new GroupCommit(db, this.walSync.sync);
    this.sql = {
      insertMessage: db.prepare('INSERT INTO relay_messages (mail_from, origin, source_id, size, created_at, raw) VALUES (?, ?, ?, ?, ?, ?)'),
      insertRecipient: db.prepare("INSERT INTO relay_recipients (message_id, address, domain, state, next_attempt_at) VALUES (?, ?, ?, 'pending', ?)"),
      due: db.prepare<[number, number], RecipientRow & { mail_from: string; created_at: number; origin: string }>(
        `SELECT r.*, m.mail_from, m.created_at, m.origin FROM relay_recipients r JOIN relay_messages m ON m.id = r.message_id
         WHERE r.state IN ('pending', 'deferred') AND r.next_attempt_at <= ? ORDER BY r.next_attempt_at, r.id LIMIT ?`,
      ),
      markDelivering: db.prepare("UPDATE relay_recipients SET state = 'delivering' WHERE id = ?"),
      nextDue: db.prepare<[], { at: number | null }>("SELECT MIN(next_attempt_at) AS at FROM relay_recipients WHERE state IN ('pending', 'deferred')"),
      // pluck: the Buffer itself, no row object per message sent.
      raw: db.prepare<[number], Buffer>('SELECT raw FROM relay_messages WHERE id = ?').pluck(),
      update: db.prepare('UPDATE relay_recipients SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_reply = ? WHERE id = ?'),
      insertAttempt: db.prepare('INSERT INTO relay_attempts (recipient_id, message_id, at, host, reply, outcome) VALUES (?, ?, ?, ?, ?, ?)'),
      recover: db.prepare("UPDATE relay_recipients SET state = 'pending', next_attempt_at = ? WHERE state = 'delivering'"),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM relay_messages'),
      page: db.prepare<[number, number], MessageRow>('SELECT id, mail_from, origin, source_id, size, created_at FROM relay_messages ORDER BY id DESC LIMIT ? OFFSET ?'),
      message: db.prepare<[number], MessageRow>('SELECT id, mail_from, origin, source_id, size, created_at FROM relay_messages WHERE id = ?'),
      recipients: db.prepare<[number], RecipientRow>('SELECT * FROM relay_recipients WHERE message_id = ? ORDER BY id'),
      attempts: db.prepare<[number], AttemptRow>('SELECT recipient_id, at, host, reply, outcome FROM relay_attempts WHERE message_id = ? ORDER BY id'),
      retry: db.prepare("UPDATE relay_recipients SET next_attempt_at = ? WHERE message_id = ? AND state IN ('pending', 'deferred')"),
      remove: db.prepare('DELETE FROM relay_messages WHERE id = ?'),
      removeRecipients: db.prepare('DELETE FROM relay_recipients WHERE message_id = ?'),
      removeAttempts: db.prepare('DELETE FROM relay_attempts WHERE message_id = ?'),
      byState: db.prepare<[], { state: string; n: number }>('SELECT state, COUNT(*) AS n FROM relay_recipients GROUP BY state'),
      open: db.prepare<[], { n: number; at: number | null }>(
        "SELECT COUNT(*) AS n, MIN(m.created_at) AS at FROM relay_messages m WHERE EXISTS (SELECT 1 FROM relay_recipients r WHERE r.message_id = m.id AND r.state NOT IN ('delivered', 'bounced'))",
      ),
      finished: db.prepare<[number], { id: number }>(
        "SELECT m.id FROM relay_messages m WHERE m.created_at < ? AND NOT EXISTS (SELECT 1 FROM relay_recipients r WHERE r.message_id = m.id AND r.state NOT IN ('delivered', 'bounced')) LIMIT 1000",
      ),
    };
  }

  add(message: OutboundMessage, nowMs: number): Promise<QueueId> {
    return this.commits.write(() => {
      const id = Number(this.sql.insertMessage.run(message.mailFrom, message.origin, message.sourceId ?? null, message.raw.length, nowMs, message.raw).lastInsertRowid);
      for (const address of message.recipients) this.sql.insertRecipient.run(id, address, domainOf(address), nowMs);
      return id;
    });
  }

  claimDue(nowMs: number, limit: number): ClaimedRecipient[] {
    if (limit <= 0) return [];
    // A claim need not be durable: lost in a crash, the recipient is still pending; kept, it is
    // `delivering`, which the restart turns back into pending. Either way it is tried again.
    // So this commit skips the fsync (this connection is the relay's own); the next durable
    // commit syncs it along with its own pages.
    this.db.pragma('synchronous = NORMAL');
    try {
      return this.claim(nowMs, limit);
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  private claim(nowMs: number, limit: number): ClaimedRecipient[] {
    return this.db.transaction(() => {
      const rows = this.sql.due.all(nowMs, limit);
      for (const row of rows) this.sql.markDelivering.run(row.id);
      return rows.map((row) => ({
        id: row.id,
        messageId: row.message_id,
        address: row.address,
        domain: row.domain,
        attempts: row.attempts,
        mailFrom: row.mail_from,
        createdAtMs: row.created_at,
        origin: row.origin as OutboundOrigin,
      }));
    })();
  }

  nextDueAtMs(): number | null {
    return this.sql.nextDue.get()?.at ?? null;
  }

  raw(messageId: QueueId): Buffer | null {
    return this.sql.raw.get(messageId) ?? null;
  }

  record(updates: readonly RecipientUpdate[]): Promise<void> {
    return this.commits.write(() => {
      for (const u of updates) {
        this.sql.update.run(u.state, u.nextAttemptAtMs, u.attempt.reply, u.recipientId);
        this.sql.insertAttempt.run(u.recipientId, u.messageId, u.attempt.atMs, u.attempt.host, u.attempt.reply, u.attempt.outcome);
      }
    });
  }

  recoverDelivering(nowMs: number): number {
    return this.sql.recover.run(nowMs).changes;
  }

  list(limit: number, offset: number): { total: number; messages: (QueuedMessageInfo & { recipients: QueuedRecipient[] })[] } {
    return this.db.transaction(() => ({
      total: this.sql.count.get()!.n,
      messages: this.sql.page.all(limit, offset).map((row) => ({ ...toInfo(row), recipients: this.sql.recipients.all(row.id).map(toRecipient) })),
    }))();
  }

  get(messageId: QueueId): QueuedMessageDetail | null {
    return this.db.transaction(() => {
      const row = this.sql.message.get(messageId);
      if (!row) return null;
      const attempts = this.sql.attempts.all(messageId);
      return {
        ...toInfo(row),
        recipients: this.sql.recipients.all(messageId).map((r) => ({
          ...toRecipient(r),
          attemptLog: attempts.filter((a) => a.recipient_id === r.id).map((a): Attempt => ({ atMs: a.at, host: a.host, reply: a.reply, outcome: a.outcome as Attempt['outcome'] })),
        })),
      };
    })();
  }

  retryNow(messageId: QueueId, nowMs: number): boolean {
    if (!this.sql.message.get(messageId)) return false;
    this.sql.retry.run(nowMs, messageId);
    return true;
  }

  remove(messageId: QueueId): boolean {
    return this.db.transaction(() => {
      this.sql.removeAttempts.run(messageId);
      this.sql.removeRecipients.run(messageId);
      return this.sql.remove.run(messageId).changes > 0;
    })();
  }

  counts(): QueueCounts {
    const byState: Record<RecipientState, number> = { pending: 0, delivering: 0, deferred: 0, delivered: 0, bounced: 0 };
    for (const row of this.sql.byState.all()) byState[row.state as RecipientState] = row.n;
    const open = this.sql.open.get()!;
    return { messages: this.sql.count.get()!.n, openMessages: open.n, byState, oldestCreatedAtMs: open.at };
  }

  purgeFinished(beforeMs: number): number {
    return this.db.transaction(() => {
      const ids = this.sql.finished.all(beforeMs);
      for (const { id } of ids) {
        this.sql.removeAttempts.run(id);
        this.sql.removeRecipients.run(id);
        this.sql.remove.run(id);
      }
      return ids.length;
    })();
  }

  async close(): Promise<void> {
    await this.commits.idle();
    this.walSync.close();
  }
}
