/**
 * The row changes that add and remove messages, on one writing connection. The writer worker
 * uses them for every batch; the main thread's inline writer (inline-writer.ts) for a lone
 * sender's appends.
 *
 * Every change also updates the `totals` row (schema.ts) in the same transaction, so the count
 * of messages, bodies and bytes held is whatever is committed, by whichever connection: a
 * statement that fails, an operation undone to its savepoint or a transaction rolled back takes
 * its share of the count with it. An append counts its body and messages before inserting the
 * messages, so a failure after that point is undone only by the caller's savepoint or rollback;
 * test/store/sqlite.test.ts, "totals and failed writes", fails such an append on both paths.
 */
import type Database from 'better-sqlite3';
import { BodyCodec, CODEC_PLAIN, RELEASE_HEAD_BYTES } from '../compact/body-codec.js';
import type { NewMessage } from '../types.js';
import type { BodyIndex, Removed } from './protocol.js';

export interface Appended {
  ids: number[];
  /** Messages removed by the per-inbox cap to make room. */
  evicted: Removed[];
}

/** What the `totals` row holds. */
export interface Totals {
  messages: number;
  bodies: number;
  /** Raw bytes held, each body counted once. */
  bytes: number;
  /**
   * Bytes they take (what --max-store-size counts): each body's blob (compacted or raw, see
   * compact/body-codec.ts) and transcript, and the shared parts and dictionaries once.
   */
  stored: number;
}

/** A message as the retention rules see it: oldest first. */
export interface AgedMessage {
  id: number;
  receivedAtMs: number;
}

export class MessageRows {
  private readonly sql;
  /** Also releases what compacted bodies share when they go, whether new bodies are compacted or not. */
  private readonly codec: BodyCodec;

  constructor(
    db: Database.Database,
    /** Oldest messages of an inbox beyond this count are removed at append; 0 = no cap. */
    private readonly maxPerInbox: number,
    /** Store new bodies compacted (--compact-bodies). */
    private readonly compact: boolean,
  ) {
    this.codec = new BodyCodec(db);
    this.sql = {
      insertBody: db.prepare(
        `INSERT INTO bodies (size, received_at, mail_from, rcpt_to, remote_address, helo, tls, from_json, to_json, subject, date, preview, attachments, codes, links, parsed)
         VALUES (@size, @receivedAt, @mailFrom, @rcptTo, @remoteAddress, @helo, @tls, @fromJson, @toJson, @subject, @date, @preview, @attachments, @codes, @links, @parsed)`,
      ),
      insertFts: db.prepare('INSERT INTO bodies_fts (rowid, subject, addresses, body) VALUES (?, ?, ?, ?)'),
      insertKeptParse: db.prepare('INSERT INTO parses (body_id, kept) VALUES (?, ?)'),
      insertRaw: db.prepare('INSERT INTO raws (body_id, raw, codec) VALUES (?, ?, ?)'),
      insertTranscript: db.prepare('INSERT INTO transcripts (body_id, json) VALUES (?, ?)'),
      insertMessage: db.prepare('INSERT INTO messages (inbox, body_id) VALUES (?, ?)'),
      bumpInbox: db.prepare<[string], { count: number }>(
        'INSERT INTO inboxes (name, count) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET count = count + 1 RETURNING count',
      ),
      dropFromInbox: db.prepare('UPDATE inboxes SET count = count - ? WHERE name = ?'),
      oldestInInbox: db.prepare<[string, number], { id: number }>('SELECT id FROM messages WHERE inbox = ? ORDER BY id LIMIT ?'),
      oldest: db.prepare<[number], { id: number; received_at: number }>(
        'SELECT m.id AS id, b.received_at AS received_at FROM messages m JOIN bodies b ON b.id = m.body_id ORDER BY m.id LIMIT ?',
      ),
      messageById: db.prepare<[number], { inbox: string; body_id: number }>('SELECT inbox, body_id FROM messages WHERE id = ?'),
      deleteMessage: db.prepare('DELETE FROM messages WHERE id = ?'),
      bodyStillUsed: db.prepare<[number], { one: number }>('SELECT 1 AS one FROM messages WHERE body_id = ? LIMIT 1'),
      bodySizeAndParsed: db.prepare<[number], { size: number; parsed: number }>('SELECT size, parsed FROM bodies WHERE id = ?'),
      deleteBody: db.prepare('DELETE FROM bodies WHERE id = ?'),
      deleteRaw: db.prepare('DELETE FROM raws WHERE body_id = ?'),
      // Only the head of a blob: its part list (format.ts), never the compressed rest.
      rawHead: db.prepare<[number], { codec: number; size: number; head: Buffer; transcript: number | null }>(
        `SELECT codec, length(raw) AS size, substr(raw, 1, ${RELEASE_HEAD_BYTES}) AS head,
           (SELECT length(CAST(json AS BLOB)) FROM transcripts WHERE body_id = raws.body_id) AS transcript FROM raws WHERE body_id = ?`,
      ),
      deleteTranscript: db.prepare('DELETE FROM transcripts WHERE body_id = ?'),
      deleteKeptParse: db.prepare('DELETE FROM parses WHERE body_id = ?'),
      deleteFts: db.prepare('DELETE FROM bodies_fts WHERE rowid = ?'),
      totals: db.prepare<[], Totals>('SELECT messages, bodies, bytes, stored FROM totals WHERE id = 1'),
      addToTotals: db.prepare<[number, number, number, number]>(
        'UPDATE totals SET messages = messages + ?, bodies = bodies + ?, bytes = bytes + ?, stored = stored + ? WHERE id = 1',
      ),
    };
  }

  /**
   * Store the body once and a message for each of its inboxes, evicting beyond the per-inbox cap.
   * With its parse (`index`) the body is stored parsed, with its search row and kept parse, in
   * the same transaction; without, it waits for the indexer.
   */
  append(message: NewMessage, index?: BodyIndex): Appended {
    const { envelope } = message;
    // Structured clone hands the writer worker a plain Uint8Array: view it as a Buffer again.
    const raw = Buffer.from(message.raw.buffer, message.raw.byteOffset, message.raw.byteLength);
    const bodyId = Number(
      this.sql.insertBody.run({
        size: raw.length,
        receivedAt: message.receivedAtMs,
        mailFrom: envelope.mailFrom,
        rcptTo: JSON.stringify(envelope.rcptTo),
        remoteAddress: envelope.remoteAddress,
        helo: envelope.helo,
        tls: envelope.tls ? 1 : 0,
        fromJson: message.from ? JSON.stringify(message.from) : null,
        toJson: JSON.stringify(message.to),
        subject: message.subject,
        date: message.dateMs,
        preview: index?.preview ?? '',
        attachments: index?.attachments ?? 0,
        codes: index ? JSON.stringify(index.codes) : '[]',
        links: index ? JSON.stringify(index.links) : '[]',
        parsed: index ? 1 : 0,
      }).lastInsertRowid,
    );
    const storedBytes = this.insertBytes(bodyId, raw, envelope.mailFrom, JSON.stringify(message.transcript));
    if (index) {
      this.sql.insertFts.run(bodyId, index.search.subject, index.search.addresses, index.search.body);
      this.sql.insertKeptParse.run(bodyId, index.kept);
    }
    this.sql.addToTotals.run(message.inboxes.length, 1, raw.length, storedBytes);
    const ids: number[] = [];
    const evicted: Removed[] = [];
    const freed: Totals = { messages: 0, bodies: 0, bytes: 0, stored: 0 };
    for (const inbox of message.inboxes) {
      ids.push(Number(this.sql.insertMessage.run(inbox, bodyId).lastInsertRowid));
      const { count } = this.sql.bumpInbox.get(inbox)!;
      if (this.maxPerInbox > 0 && count > this.maxPerInbox) {
        for (const old of this.sql.oldestInInbox.all(inbox, count - this.maxPerInbox)) this.removeOne(old.id, evicted, freed);
      }
    }
    this.subtract(freed);
    return { ids, evicted };
  }

  /** Remove these messages (and each body once no inbox holds it); unknown ids are skipped. */
  remove(ids: Iterable<number>): Removed[] {
    const removed: Removed[] = [];
    const freed: Totals = { messages: 0, bodies: 0, bytes: 0, stored: 0 };
    for (const id of ids) this.removeOne(id, removed, freed);
    this.subtract(freed);
    return removed;
  }

  /**
   * Remove messages oldest first, at most `limit`, while `expired` says the oldest one left must
   * go, given the bytes stored (Totals.stored) while it is still there.
   */
  removeOldest(limit: number, expired: (oldest: AgedMessage, bytesHeld: number) => boolean): Removed[] {
    const removed: Removed[] = [];
    const freed: Totals = { messages: 0, bodies: 0, bytes: 0, stored: 0 };
    // What --max-store-size counts: the bytes really used, not the raw size.
    const held = this.totals().stored;
    // Ids ascend in commit order, so the oldest messages are the lowest ids: read from the front
    // of the primary key and stop at the first one that may stay.
    while (removed.length < limit) {
      const batch = this.sql.oldest.all(Math.min(256, limit - removed.length));
      if (batch.length === 0) break;
      for (const row of batch) {
        if (!expired({ id: row.id, receivedAtMs: row.received_at }, held - freed.stored)) {
          this.subtract(freed);
          return removed;
        }
        this.removeOne(row.id, removed, freed);
      }
    }
    this.subtract(freed);
    return removed;
  }

  /** The body's raw bytes (compacted if so configured) and transcript; the bytes they add to the store. */
  private insertBytes(bodyId: number, raw: Buffer, mailFrom: string, transcript: string): number {
    const kept = this.compact ? this.codec.encode(raw, mailFrom) : { codec: CODEC_PLAIN, blob: raw, storedBytes: raw.length };
    this.sql.insertRaw.run(bodyId, kept.blob, kept.codec);
    this.sql.insertTranscript.run(bodyId, transcript);
    return kept.storedBytes + Buffer.byteLength(transcript);
  }

  /** Release the body's raw bytes (and what a compacted one shares) and transcript; the bytes freed. */
  private deleteBytes(bodyId: number): number {
    const kept = this.sql.rawHead.get(bodyId);
    const freed = (kept ? this.codec.release(kept.codec, kept.head, kept.size) : 0) + (kept?.transcript ?? 0);
    this.sql.deleteRaw.run(bodyId);
    this.sql.deleteTranscript.run(bodyId);
    return freed;
  }

  /** The totals as this connection's transaction sees them. */
  totals(): Totals {
    return this.sql.totals.get() ?? { messages: 0, bodies: 0, bytes: 0, stored: 0 };
  }

  private subtract(freed: Totals): void {
    if (freed.messages === 0) return;
    this.sql.addToTotals.run(-freed.messages, -freed.bodies, -freed.bytes, -freed.stored);
  }

  private removeOne(id: number, removed: Removed[], freed: Totals): void {
    const row = this.sql.messageById.get(id);
    if (!row) return;
    this.sql.deleteMessage.run(id);
    this.sql.dropFromInbox.run(1, row.inbox);
    removed.push({ id, inbox: row.inbox });
    freed.messages++;
    if (this.sql.bodyStillUsed.get(row.body_id)) return;
    const body = this.sql.bodySizeAndParsed.get(row.body_id);
    freed.stored += this.deleteBytes(row.body_id);
    this.sql.deleteBody.run(row.body_id);
    this.sql.deleteKeptParse.run(row.body_id);
    // Only a parsed body has a row in the search index (schema.ts).
    if (body?.parsed) this.sql.deleteFts.run(row.body_id);
    freed.bodies++;
    freed.bytes += body?.size ?? 0;
  }
}
