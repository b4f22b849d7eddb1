/**
 * --capture-outbound: a copy of relayed mail in the sender's inbox (the inbox its envelope
 * sender's local part names), as Mailpit and MailDev show what an app sent. The copy is an
 * ordinary stored message (same bytes as relayed, trace header included), so it reads like any
 * other in the web UI, POP3 and IMAP; what marks it outbound is kept beside the store, in
 * `OutboundMarks` (in state.db when the app has one, else in memory), and the web UI's Outbound
 * tab and `GET /api/v1/inboxes/{inbox}/outbound` list those.
 */
import type { Clock } from '../clock.js';
import type { EventBus } from '../events/bus.js';
import type { StateDatabase } from '../store/sqlite/state-db.js';
import { parseListingFields } from '../mail/headers.js';
import type { MessageId, Store } from '../store/types.js';
import type { Incoming } from './ingest.js';
import type { OutboundCapture } from './routed.js';

export interface OutboundMarks {
  mark(id: MessageId, inbox: string, atMs: number): void;
  /** The marked ids of `inbox`, newest first. */
  list(inbox: string, limit: number): MessageId[];
  forget(ids: readonly MessageId[]): void;
}

/** In-memory marks, bounded: for tests and when no state database is wired. */
export class MemoryOutboundMarks implements OutboundMarks {
  private readonly marks = new Map<MessageId, string>();

  constructor(private readonly maxMarks = 100_000) {}

  mark(id: MessageId, inbox: string): void {
    this.marks.set(id, inbox);
    if (this.marks.size > this.maxMarks) this.marks.delete(this.marks.keys().next().value as MessageId);
  }

  list(inbox: string, limit: number): MessageId[] {
    return [...this.marks].filter(([, i]) => i === inbox).map(([id]) => id).reverse().slice(0, limit);
  }

  forget(ids: readonly MessageId[]): void {
    for (const id of ids) this.marks.delete(id);
  }
}

export class StoreCapture implements OutboundCapture {
  constructor(
    private readonly store: Pick<Store, 'append'>,
    private readonly clock: Pick<Clock, 'now'>,
    readonly marks: OutboundMarks = new MemoryOutboundMarks(),
  ) {}

  async capture(inbox: string, incoming: Incoming, raw: Buffer): Promise<MessageId> {
    const now = this.clock.now();
    const [id] = await this.store.append({ raw, inboxes: [inbox], envelope: incoming.envelope, receivedAtMs: now, ...parseListingFields(raw), transcript: incoming.transcript });
    this.marks.mark(id!, inbox, now);
    return id!;
  }
}

/**
 * Marks in the shared state database (state.db, component `outbound-capture`), so a copy stays
 * marked across restarts; used when the app hands one over (AppParts' state database).
 */
export class StateOutboundMarks implements OutboundMarks {
  private readonly insert: { run(id: number, inbox: string, atMs: number): unknown };
  private readonly select: { all(inbox: string, limit: number): Array<{ id: number }> };
  private readonly remove: { run(id: number): unknown };

  constructor(db: Pick<StateDatabase, 'db' | 'migrate'>) {
    db.migrate('outbound-capture', [
      'CREATE TABLE outbound_copies (message_id INTEGER PRIMARY KEY, inbox TEXT NOT NULL, captured_at_ms INTEGER NOT NULL); CREATE INDEX outbound_copies_inbox ON outbound_copies (inbox, message_id)',
    ]);
    this.insert = db.db.prepare('INSERT OR REPLACE INTO outbound_copies (message_id, inbox, captured_at_ms) VALUES (?, ?, ?)');
    this.select = db.db.prepare('SELECT message_id AS id FROM outbound_copies WHERE inbox = ? ORDER BY message_id DESC LIMIT ?') as unknown as typeof this.select;
    this.remove = db.db.prepare('DELETE FROM outbound_copies WHERE message_id = ?');
  }

  mark(id: MessageId, inbox: string, atMs: number): void {
    this.insert.run(id, inbox, atMs);
  }

  list(inbox: string, limit: number): MessageId[] {
    return this.select.all(inbox, limit).map((row) => row.id);
  }

  forget(ids: readonly MessageId[]): void {
    for (const id of ids) this.remove.run(id);
  }
}

/** Forget the marks of deleted messages (retention, the API, POP3/IMAP expunge), so the marks stay bounded by the store. */
export function forgetDeleted(events: Pick<EventBus, 'subscribe'>, marks: OutboundMarks): () => void {
  return events.subscribe((event) => {
    if (event.type === 'message.deleted') marks.forget([event.id]);
  });
}
