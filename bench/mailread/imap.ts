/**
 * IMAP FETCH throughput (RFC 3501): LOGIN (any password), SELECT INBOX, then
 * `UID FETCH 1:* (BODY.PEEK[])` repeatedly for the window (PEEK: reading must not set \Seen);
 * messages/second and MB/s of literal data, counted by the scanner.
 */
import { ReadConnection, lineEnd } from './connection.js';
import { ImapResponseScanner, type TaggedCompletion } from './imap-scanner.js';
import type { ReadResult } from './pop3.js';

async function command(connection: ReadConnection, tag: string, text: string, scanner = new ImapResponseScanner()): Promise<TaggedCompletion> {
  connection.write(`${tag} ${text}\r\n`);
  let done: TaggedCompletion | null = null;
  await connection.stream((chunk) => (done = scanner.push(chunk, tag)) !== null);
  const completion = done as TaggedCompletion | null;
  if (!completion || completion.status !== 'OK') throw new Error(`${text.split(' ', 1)[0]}: ${completion?.status} ${completion?.text}`);
  return completion;
}

export async function imapFetch(port: number, inbox: string, durationMs: number): Promise<ReadResult> {
  const connection = await ReadConnection.open(port);
  try {
    const greeting = (await connection.until(lineEnd)).toString('latin1');
    if (!greeting.startsWith('* OK')) throw new Error(`greeting: ${greeting.trimEnd()}`);
    await command(connection, 'a1', `LOGIN ${inbox} bench`);
    await command(connection, 'a2', 'SELECT INBOX');
    let messages = 0;
    let bytes = 0;
    let round = 0;
    const cpuStart = process.cpuUsage();
    const started = process.hrtime.bigint();
    const endAt = Date.now() + durationMs;
    while (Date.now() < endAt) {
      const scanner = new ImapResponseScanner();
      await command(connection, `f${++round}`, 'UID FETCH 1:* (BODY.PEEK[])', scanner);
      if (scanner.fetches === 0) throw new Error('FETCH returned no messages');
      messages += scanner.fetches;
      bytes += scanner.literalBytes;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    await command(connection, 'z', 'LOGOUT').catch(() => undefined);
    return { messagesPerSecond: messages / seconds, megabytesPerSecond: bytes / 1e6 / seconds, messages, clientCpuCores: (cpu.user + cpu.system) / 1e6 / seconds };
  } finally {
    connection.close();
  }
}
