/**
 * Put the load mailbox into Tidemail: one SMTP session, one command at a time (no PIPELINING
 * needed), every message answered 250 before the next; resolves with how many were accepted.
 */
import { lineEnd, ReadConnection } from '../mailread/connection.js';
import { BENCH_DOMAIN } from '../payloads.js';
import { smtpData } from './messages.js';

async function reply(connection: ReadConnection): Promise<string> {
  // A multi-line reply (EHLO) ends with the line whose code is followed by a space.
  for (;;) {
    const line = (await connection.until(lineEnd)).toString('latin1');
    if (line[3] !== '-') return line;
  }
}

async function expect(connection: ReadConnection, text: string, code: string): Promise<void> {
  connection.write(text);
  const line = await reply(connection);
  if (!line.startsWith(code)) throw new Error(`SMTP ${text.slice(0, 20).trim()} → ${line.trim()}`);
}

export async function fillOverSmtp(port: number, inbox: string, count: number): Promise<number> {
  const connection = await ReadConnection.open(port);
  try {
    await reply(connection);
    await expect(connection, 'EHLO load.client\r\n', '250');
    for (let i = 0; i < count; i++) {
      await expect(connection, 'MAIL FROM:<load@client.test>\r\n', '250');
      await expect(connection, `RCPT TO:<${inbox}@${BENCH_DOMAIN}>\r\n`, '250');
      await expect(connection, 'DATA\r\n', '354');
      // The payload is ASCII, so the string form writes exactly its bytes.
      await expect(connection, smtpData(i).toString('latin1'), '250');
    }
    connection.write('QUIT\r\n');
    return count;
  } finally {
    connection.close();
  }
}
