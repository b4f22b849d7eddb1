/**
 * The visibility watermark (store.ts: the visibility gate), kept in the database so that both
 * writing connections — the writer worker's and the main thread's inline writer — move it in the
 * transaction that makes messages parsed: a message is stored parsed at append (body-index.ts) or
 * parsed later by the indexer, and either commit may uncover it.
 *
 * The watermark is the newest message id all of whose predecessors are parsed: just before the
 * first message of the lowest unparsed body (ids ascend with bodies, both in commit order), or
 * the newest id. Moving it raises the `last_id` (IMAP UIDNEXT) of each inbox that gains shown
 * messages. It only goes up; a rolled-back transaction takes its move with it.
 */
import type Database from 'better-sqlite3';

const WATERMARK_KEY = 'visible_through';

export class VisibilityWatermark {
  private readonly sql;

  constructor(db: Database.Database) {
    this.sql = {
      lowestUnparsed: db.prepare<[], number | null>('SELECT min(id) FROM bodies WHERE parsed = 0').pluck(),
      firstMessageOf: db.prepare<[number], number>('SELECT id FROM messages WHERE body_id >= ? ORDER BY body_id, id LIMIT 1').pluck(),
      newestMessage: db.prepare<[], number | null>('SELECT max(id) FROM messages').pluck(),
      newlyShown: db.prepare<[number, number], { inbox: string; id: number }>('SELECT inbox, max(id) AS id FROM messages WHERE id > ? AND id <= ? GROUP BY inbox'),
      raiseLastId: db.prepare<[number, string]>('UPDATE inboxes SET last_id = max(last_id, ?) WHERE name = ?'),
      stored: db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
      store: db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    };
  }

  /** At open, by the writer (the only connection then): the watermark as the data dir's parse state says. */
  open(): number {
    // From the parse state, not the stored value: a data dir of an older version has none, and
    // once the newest messages are deleted there is nothing above parsedThrough() to show anyway.
    const through = this.parsedThrough();
    this.sql.store.run(WATERMARK_KEY, String(through));
    return through;
  }

  /** Inside the caller's transaction: move the watermark over what is parsed now; the new watermark, or null if it stayed. */
  advance(): number | null {
    const from = Number(this.sql.stored.get(WATERMARK_KEY) ?? 0);
    const through = this.parsedThrough();
    if (through <= from) return null;
    for (const { inbox, id } of this.sql.newlyShown.all(from, through)) this.sql.raiseLastId.run(id, inbox);
    this.sql.store.run(WATERMARK_KEY, String(through));
    return through;
  }

  private parsedThrough(): number {
    const unparsed = this.sql.lowestUnparsed.get();
    const first = unparsed === null || unparsed === undefined ? undefined : this.sql.firstMessageOf.get(unparsed);
    return first === undefined ? (this.sql.newestMessage.get() ?? 0) : first - 1;
  }
}
