/**
 * POP3 RETR throughput (RFC 1939): log in to a filled maildrop (USER, PASS with any password),
 * STAT, then RETR 1…n in a cycle, one command at a time, for the window; messages/second and
 * MB/s of message data. QUIT without DELE, so nothing is removed.
 */
import { ReadConnection, lineEnd } from './connection.js';

export interface ReadResult {
  messagesPerSecond: number;
  megabytesPerSecond: number;
  messages: number;
  clientCpuCores: number;
}

const MULTILINE_END = Buffer.from('\r\n.\r\n');

/** A whole RETR response: "-ERR …" is one line; "+OK …" runs to the line ".". */
function retrEnd(buffer: Buffer): number {
  if (buffer.length && buffer[0] === 0x2d) return lineEnd(buffer);
  const end = buffer.indexOf(MULTILINE_END);
  return end === -1 ? -1 : end + MULTILINE_END.length;
}

async function expectOk(connection: ReadConnection, what: string): Promise<string> {
  const line = (await connection.until(lineEnd)).toString('latin1').trimEnd();
  if (!line.startsWith('+OK')) throw new Error(`${what}: ${line}`);
  return line;
}

export async function pop3Retr(port: number, inbox: string, durationMs: number): Promise<ReadResult> {
  const connection = await ReadConnection.open(port);
  try {
    await expectOk(connection, 'greeting');
    connection.write(`USER ${inbox}\r\n`);
    await expectOk(connection, 'USER');
    connection.write('PASS bench\r\n');
    await expectOk(connection, 'PASS');
    connection.write('STAT\r\n');
    const count = Number(/^\+OK (\d+)/.exec(await expectOk(connection, 'STAT'))?.[1] ?? 0);
    if (count === 0) throw new Error(`the maildrop ${inbox} is empty`);
    let messages = 0;
    let bytes = 0;
    const cpuStart = process.cpuUsage();
    const started = process.hrtime.bigint();
    const endAt = Date.now() + durationMs;
    while (Date.now() < endAt) {
      connection.write(`RETR ${(messages % count) + 1}\r\n`);
      const response = await connection.until(retrEnd);
      if (response[0] !== 0x2b) throw new Error(`RETR: ${response.toString('latin1', 0, 200).trimEnd()}`);
      bytes += response.length - lineEnd(response) - 3;
      messages++;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    connection.write('QUIT\r\n');
    await expectOk(connection, 'QUIT').catch(() => '');
    return { messagesPerSecond: messages / seconds, megabytesPerSecond: bytes / 1e6 / seconds, messages, clientCpuCores: (cpu.user + cpu.system) / 1e6 / seconds };
  } finally {
    connection.close();
  }
}
