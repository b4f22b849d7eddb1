/**
 * What agents keep across restarts, behind one small interface (a distributed engine would
 * implement it on its own store): the pending work and the replies sent, for the rate limits.
 * The SQLite side lives in the shared `state.db` (store/sqlite/state-db.ts), component `agents`.
 *
 * Pending work is one row per (stored message, agent), written in the delivery path once the
 * store's append resolved and before the client is told 250, and deleted once the reply (or the
 * decision not to reply) is committed: a crash in between leaves the row, and the worker does
 * it after the restart. Ids never repeat (AUTOINCREMENT), because a reservation names its row.
 *
 * Limits are checked and reserved in one step before the agent runs (`reserve`): the reply
 * log gets a row for the pending work, so a second message from the same sender counts the first
 * even while that one's agent is still working. No reply after all → `release`; a crash after a
 * reservation finds it again (`reserve` of the same work answers `ok`): a reply is at least once.
 */
import type { Rate } from '../config.js';
import type { StateDatabase } from '../store/sqlite/state-db.js';

export interface PendingWork {
  id: number;
  messageId: number;
  agent: string;
  /** The recipient address that named the agent ('' for a rule's hand-off). */
  address: string;
  attempts: number;
}

export interface ReplyLimits {
  /** One reply per (agent, sender) in this window (template's `days`); 0: none. */
  oncePerSenderMs: number;
  perSender: Rate;
  global: Rate;
}

export type Reservation = 'ok' | 'once-per-sender' | 'sender-rate' | 'global-rate';

export interface AgentState {
  addPending(work: ReadonlyArray<Pick<PendingWork, 'messageId' | 'agent' | 'address'>>, nowMs: number): number[];
  /** Work due by `nowMs`, oldest first. */
  due(nowMs: number, limit: number): PendingWork[];
  /** When the next postponed work falls due; null when nothing is pending. */
  nextDueMs(): number | null;
  postpone(id: number, attempts: number, dueMs: number): void;
  /** Work for message `messageId` waiting for a later time is due now (the store announced the message). */
  wake(messageId: number, nowMs: number): void;
  /** Done: the row goes, its reservation (if any) stays as the reply sent. */
  finish(id: number): void;
  reserve(work: PendingWork, sender: string, nowMs: number, limits: ReplyLimits): Reservation;
  /** The work sent nothing after all: its reservation goes. */
  release(id: number): void;
  /** Forget replies sent before `beforeMs` (older than every limit's window). */
  prune(beforeMs: number): void;
}

const MIGRATIONS = [
  `CREATE TABLE agent_pending (id INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER NOT NULL, agent TEXT NOT NULL, address TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0, due_ms INTEGER NOT NULL);
   CREATE INDEX agent_pending_due ON agent_pending (due_ms);
   CREATE TABLE agent_replies (pending_id INTEGER PRIMARY KEY, agent TEXT NOT NULL, sender TEXT NOT NULL, at_ms INTEGER NOT NULL);
   CREATE INDEX agent_replies_sender ON agent_replies (sender, at_ms);
   CREATE INDEX agent_replies_agent ON agent_replies (agent, sender, at_ms);
   CREATE INDEX agent_replies_at ON agent_replies (at_ms);`,
];

interface Row {
  id: number;
  message_id: number;
  agent: string;
  address: string;
  attempts: number;
}

export class SqliteAgentState implements AgentState {
  private readonly q;

  constructor(private readonly state: StateDatabase) {
    state.migrate('agents', MIGRATIONS);
    const db = state.db;
    this.q = {
      add: db.prepare<[number, string, string, number]>('INSERT INTO agent_pending (message_id, agent, address, due_ms) VALUES (?, ?, ?, ?)'),
      due: db.prepare<[number, number], Row>('SELECT id, message_id, agent, address, attempts FROM agent_pending WHERE due_ms <= ? ORDER BY id LIMIT ?'),
      next: db.prepare<[], { due: number | null }>('SELECT MIN(due_ms) AS due FROM agent_pending'),
      postpone: db.prepare<[number, number, number]>('UPDATE agent_pending SET attempts = ?, due_ms = ? WHERE id = ?'),
      finish: db.prepare<[number]>('DELETE FROM agent_pending WHERE id = ?'),
      wake: db.prepare<[number, number, number]>('UPDATE agent_pending SET due_ms = ? WHERE message_id = ? AND due_ms > ?'),
      reserved: db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM agent_replies WHERE pending_id = ?'),
      once: db.prepare<[string, string, number], { n: number }>('SELECT COUNT(*) AS n FROM agent_replies WHERE agent = ? AND sender = ? AND at_ms > ?'),
      bySender: db.prepare<[string, number], { n: number }>('SELECT COUNT(*) AS n FROM agent_replies WHERE sender = ? AND at_ms > ?'),
      all: db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM agent_replies WHERE at_ms > ?'),
      reserve: db.prepare<[number, string, string, number]>('INSERT INTO agent_replies (pending_id, agent, sender, at_ms) VALUES (?, ?, ?, ?)'),
      release: db.prepare<[number]>('DELETE FROM agent_replies WHERE pending_id = ?'),
      prune: db.prepare<[number]>('DELETE FROM agent_replies WHERE at_ms <= ?'),
    };
  }

  addPending(work: ReadonlyArray<Pick<PendingWork, 'messageId' | 'agent' | 'address'>>, nowMs: number): number[] {
    return this.state.db.transaction(() => work.map((w) => Number(this.q.add.run(w.messageId, w.agent, w.address, nowMs).lastInsertRowid)))();
  }

  due(nowMs: number, limit: number): PendingWork[] {
    return this.q.due.all(nowMs, limit).map((r) => ({ id: r.id, messageId: r.message_id, agent: r.agent, address: r.address, attempts: r.attempts }));
  }

  nextDueMs(): number | null {
    return this.q.next.get()?.due ?? null;
  }

  postpone(id: number, attempts: number, dueMs: number): void {
    this.q.postpone.run(attempts, dueMs, id);
  }

  wake(messageId: number, nowMs: number): void {
    this.q.wake.run(nowMs, messageId, nowMs);
  }

  finish(id: number): void {
    this.q.finish.run(id);
  }

  reserve(work: PendingWork, sender: string, nowMs: number, limits: ReplyLimits): Reservation {
    const who = sender.toLowerCase();
    return this.state.db.transaction((): Reservation => {
      if (this.q.reserved.get(work.id)!.n > 0) return 'ok';
      if (limits.oncePerSenderMs > 0 && this.q.once.get(work.agent, who, nowMs - limits.oncePerSenderMs)!.n > 0) return 'once-per-sender';
      if (limits.perSender.count > 0 && this.q.bySender.get(who, nowMs - limits.perSender.windowMs)!.n >= limits.perSender.count) return 'sender-rate';
      if (limits.global.count > 0 && this.q.all.get(nowMs - limits.global.windowMs)!.n >= limits.global.count) return 'global-rate';
      this.q.reserve.run(work.id, work.agent, who, nowMs);
      return 'ok';
    })();
  }

  release(id: number): void {
    this.q.release.run(id);
  }

  prune(beforeMs: number): void {
    this.q.prune.run(beforeMs);
  }
}
