/**
 * Read what a server has committed to disk, through a read-only SQLite connection of our own:
 * the most direct check of "250 means the message is on disk", independent of any protocol.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';

export interface DiskMessage {
  id: number;
  inbox: string;
  raw: Buffer;
  mailFrom: string;
  rcptTo: string[];
  subject: string;
}

export function committedMessages(dataDir: string, inbox?: string): DiskMessage[] {
  const db = new Database(join(dataDir, 'tidemail.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[string | null, string | null], { id: number; inbox: string; raw: Buffer; mail_from: string; rcpt_to: string; subject: string }>(
        'SELECT m.id, m.inbox, r.raw, b.mail_from, b.rcpt_to, b.subject FROM messages m JOIN bodies b ON b.id = m.body_id JOIN raws r ON r.body_id = m.body_id WHERE (? IS NULL OR m.inbox = ?) ORDER BY m.id',
      )
      .all(inbox ?? null, inbox ?? null);
    return rows.map((r) => ({ id: r.id, inbox: r.inbox, raw: r.raw, mailFrom: r.mail_from, rcptTo: JSON.parse(r.rcpt_to) as string[], subject: r.subject }));
  } finally {
    db.close();
  }
}

export function bodyCount(dataDir: string): number {
  const db = new Database(join(dataDir, 'tidemail.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM bodies').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The message as the client sent it: the stored bytes minus our prepended Received header (a folded field). */
export function withoutTrace(raw: Buffer): Buffer {
  if (!raw.subarray(0, 10).equals(Buffer.from('Received: '))) throw new Error('no trace header');
  let end = raw.indexOf('\r\n') + 2;
  while (raw[end] === 0x09 || raw[end] === 0x20) end = raw.indexOf('\r\n', end) + 2;
  return raw.subarray(end);
}
