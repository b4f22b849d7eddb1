/**
 * The row changes behind `Store.copy` and `Store.renameInbox` (IMAP COPY, MOVE and RENAME), on
 * the writer's connection, inside the writer's batch transaction like every other write.
 *
 * Both only add and remove rows of `messages`: a copy is a new message row on the same body (the
 * raw bytes, transcript and search index row are the body's and stay single), so the `totals`
 * row counts one message more per copy and no body or byte more. A rename moves a mailbox's
 * messages to fresh ids (see types.ts for why not the same ids), keeping their order and flags;
 * totals do not change. The `inboxes` counts of both names follow, and the per-inbox cap applies
 * to the receiving mailbox as at append (MessageRows does the removing, so a body that loses its
 * last message goes with it, counted as ever).
 */
import type Database from 'better-sqlite3';
import type { MessageRows } from './message-rows.js';
import type { Removed, WriteResult } from './protocol.js';

type Copied = Extract<WriteResult, { kind: 'copied' }>;

export class CopyRows {
  private readonly sql;

  constructor(
    db: Database.Database,
    private readonly rows: MessageRows,
    /** Oldest messages of a mailbox beyond this count are removed; 0 = no cap. */
    private readonly maxPerInbox: number,
  ) {
    this.sql = {
      source: db.prepare<[number], { body_id: number; flags: number }>('SELECT body_id, flags FROM messages WHERE id = ?'),
      inMailbox: db.prepare<[string], { id: number; body_id: number; flags: number }>('SELECT id, body_id, flags FROM messages WHERE inbox = ? ORDER BY id'),
      insert: db.prepare('INSERT INTO messages (inbox, body_id, flags) VALUES (?, ?, ?)'),
      deleteMessage: db.prepare('DELETE FROM messages WHERE id = ?'),
      addToInbox: db.prepare<[string, number], { count: number }>(
        'INSERT INTO inboxes (name, count) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET count = count + excluded.count RETURNING count',
      ),
      dropFromInbox: db.prepare('UPDATE inboxes SET count = count - ? WHERE name = ?'),
      addMessages: db.prepare('UPDATE totals SET messages = messages + ? WHERE id = 1'),
      oldest: db.prepare<[string, number], number>('SELECT id FROM messages WHERE inbox = ? ORDER BY id LIMIT ?').pluck(),
    };
  }

  copy(ids: readonly number[], mailbox: string): Copied {
    const copied: Copied['copied'] = [];
    for (const source of [...new Set(ids)].sort((a, b) => a - b)) {
      const row = this.sql.source.get(source);
      if (!row) continue;
      copied.push({ source, id: Number(this.sql.insert.run(mailbox, row.body_id, row.flags).lastInsertRowid) });
    }
    if (copied.length === 0) return { kind: 'copied', copied, removed: [] };
    this.sql.addMessages.run(copied.length);
    return { kind: 'copied', copied, removed: this.arrived(mailbox, copied.length) };
  }

  rename(from: string, to: string): Copied {
    const copied: Copied['copied'] = [];
    const removed: Removed[] = [];
    if (from === to) return { kind: 'copied', copied, removed };
    for (const row of this.sql.inMailbox.all(from)) {
      copied.push({ source: row.id, id: Number(this.sql.insert.run(to, row.body_id, row.flags).lastInsertRowid) });
      this.sql.deleteMessage.run(row.id);
      removed.push({ id: row.id, inbox: from });
    }
    if (copied.length === 0) return { kind: 'copied', copied, removed };
    this.sql.dropFromInbox.run(copied.length, from);
    removed.push(...this.arrived(to, copied.length));
    return { kind: 'copied', copied, removed };
  }

  /** Count `count` new messages in `mailbox` and apply its cap. */
  private arrived(mailbox: string, count: number): Removed[] {
    const total = this.sql.addToInbox.get(mailbox, count)!.count;
    if (this.maxPerInbox === 0 || total <= this.maxPerInbox) return [];
    return this.rows.remove(this.sql.oldest.all(mailbox, total - this.maxPerInbox));
  }
}
