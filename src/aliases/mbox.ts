/**
 * File aliases: append a message to an mbox file (mboxrd, the variant that round-trips: every
 * body line matching `^>*From ` gets one more `>`), with a `From sender date` separator line and
 * a blank line after, LF line ends as mbox readers expect. One `appendFile` per message with
 * O_APPEND, then fsync before the `250`: a message acknowledged is on disk; a failed write
 * leaves at most a torn tail that the next separator line closes.
 *
 * Appends to one file from this process are queued one after another, so two sessions cannot
 * interleave their messages. Another program writing the same file at the same time is not
 * locked out (no fcntl locks from Node); give each alias its own file.
 */
import { constants, promises as fs } from 'node:fs';

const queues = new Map<string, Promise<void>>();

/** The mboxrd form of one message: separator, quoted body, blank line. */
export function mboxEntry(raw: Buffer, mailFrom: string, date: Date): Buffer {
  const text = raw.toString('latin1').replace(/\r\n/g, '\n');
  const quoted = text.replace(/^(>*From )/gm, '>$1');
  // asctime-style date, as `From ` lines carry it: "Tue Dec  1 23:30:00 2026".
  const [day, month, dd, time, year] = [date.toUTCString().slice(0, 3), date.toUTCString().slice(8, 11), date.getUTCDate(), date.toISOString().slice(11, 19), date.getUTCFullYear()];
  const sender = mailFrom === '' ? 'MAILER-DAEMON' : mailFrom.replace(/\s/g, '');
  const separator = `From ${sender} ${day} ${month} ${String(dd).padStart(2, ' ')} ${time} ${year}\n`;
  return Buffer.concat([Buffer.from(separator, 'latin1'), Buffer.from(quoted.endsWith('\n') ? quoted : `${quoted}\n`, 'latin1'), Buffer.from('\n')]);
}

export function appendToMbox(path: string, entry: Buffer): Promise<void> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => appendSynced(path, entry));
  queues.set(path, next);
  void next.finally(() => {
    if (queues.get(path) === next) queues.delete(path);
  }).catch(() => undefined);
  return next;
}

async function appendSynced(path: string, entry: Buffer): Promise<void> {
  // O_NOFOLLOW: the alias file was checked to be under --alias-file-dir; a symlink put there since must not lead out.
  const handle = await fs.open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  try {
    await handle.writeFile(entry);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
