/**
 * A raw IMAP transcript client for tests: send exact bytes, read whole responses (a response line
 * with `{n}` literals is read with its literal bytes). Tests read like transcripts:
 * `await c.command('SELECT INBOX')` → the untagged lines and `a3 OK [READ-WRITE] …`.
 * Text is decoded as latin1 so literal lengths and bytes stay exact.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { ReceivedBytes } from './received.js';
import { RawSmtpClient, sendMail } from './smtp-client.js';
import { deliveredVisibly } from './visible.js';

export interface TaggedResult {
  /** Untagged and continuation responses, in order. */
  untagged: string[];
  /** The tagged completion line, e.g. "a1 OK LOGIN completed". */
  tagged: string;
  /** "OK", "NO" or "BAD". */
  status: string;
}

export class RawImapClient {
  private readonly received = new ReceivedBytes();
  private counter = 0;

  private constructor(public socket: net.Socket | tls.TLSSocket) {
    this.received.listen(socket);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawImapClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawImapClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connect and read the greeting. */
  static async open(port: number): Promise<{ client: RawImapClient; greeting: string }> {
    const client = await RawImapClient.connect(port);
    return { client, greeting: await client.response() };
  }

  /** Connect, read the greeting, LOGIN and SELECT INBOX. */
  static async selected(port: number, inbox: string): Promise<RawImapClient> {
    const { client } = await RawImapClient.open(port);
    const login = await client.command(`LOGIN ${inbox} anything`);
    if (login.status !== 'OK') throw new Error(login.tagged);
    const select = await client.command('SELECT INBOX');
    if (select.status !== 'OK') throw new Error(select.tagged);
    return client;
  }

  get isClosed(): boolean {
    return this.received.closed;
  }

  /** Unread bytes, as text. */
  get pending(): string {
    return this.received.bytes.toString('latin1');
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next whole response (one line plus any literals it announces), without the final CRLF. */
  response(timeoutMs = 10_000): Promise<string> {
    return this.received.waitFor(() => this.take(), 'response', timeoutMs);
  }

  private take(): string | null {
    let offset = 0;
    for (;;) {
      const buffer = this.received.bytes;
      const end = buffer.indexOf('\r\n', offset);
      if (end === -1) return null;
      const literal = /\{(\d+)\}$/.exec(buffer.toString('latin1', offset, end));
      if (!literal) {
        this.received.consume(end + 2);
        return buffer.toString('latin1', 0, end);
      }
      const next = end + 2 + Number(literal[1]);
      if (buffer.length < next) return null;
      offset = next;
    }
  }

  nextTag(): string {
    return `a${++this.counter}`;
  }

  /** Read responses until the tagged one for `tag`. */
  async until(tag: string, timeoutMs = 10_000): Promise<TaggedResult> {
    const untagged: string[] = [];
    for (;;) {
      const line = await this.response(timeoutMs);
      if (line.startsWith(`${tag} `)) return { untagged, tagged: line, status: line.split(' ')[1] ?? '' };
      untagged.push(line);
    }
  }

  /** Send `tag command` and read to its completion. */
  async command(text: string): Promise<TaggedResult> {
    const tag = this.nextTag();
    this.write(`${tag} ${text}\r\n`);
    return this.until(tag);
  }

  /** Upgrade this connection to TLS (after the server's OK to STARTTLS). */
  async startTls(): Promise<void> {
    this.socket = await this.received.upgrade(this.socket as net.Socket);
  }

  closedByServer(timeoutMs = 10_000): Promise<void> {
    return this.received.closedByServer(timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A multipart/mixed message: a text/plain part, an HTML alternative and a base64 attachment. */
export function multipartMessage(subject: string, to = 'someone@tidemail.test'): string {
  const attachment = Buffer.from('%PDF-1.4 pretend this is a PDF\n').toString('base64');
  return [
    'From: =?utf-8?q?J=C3=B6rg?= <jorg@example.test>',
    `To: ${to}`,
    'Cc: Carol <carol@example.test>',
    `Subject: ${subject}`,
    'Date: Tue, 3 Mar 2026 09:15:00 +0100',
    'Message-ID: <multi-1@example.test>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer-b"',
    '',
    'This is the preamble.',
    '--outer-b',
    'Content-Type: multipart/alternative; boundary=inner-b',
    '',
    '--inner-b',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Gr=C3=BC=C3=9Fe, your code is 424242.',
    'Second line.',
    '--inner-b',
    'Content-Type: text/html; charset=utf-8',
    '',
    '<p>Hello <b>there</b></p>',
    '--inner-b--',
    '',
    '--outer-b',
    'Content-Type: application/pdf; name="report.pdf"',
    'Content-Disposition: attachment; filename="report.pdf"',
    'Content-Transfer-Encoding: base64',
    '',
    attachment,
    '--outer-b--',
    '',
  ].join('\r\n');
}

/** Deliver one message over SMTP (EHLO, MAIL, RCPT, DATA, QUIT); resolves once it is visible (visible.ts). */
export async function deliver(smtpPort: number, to: string, message: string): Promise<void> {
  await deliveredVisibly(smtpPort, [to], 1, async () => {
    const { client } = await RawSmtpClient.open(smtpPort);
    const ehlo = await client.send('EHLO test.client');
    if (ehlo.code !== 250) throw new Error(ehlo.text);
    const r = await sendMail(client, 'sender@example.test', [to], message);
    if (r.code !== 250) throw new Error(`DATA → ${r.text}`);
    await client.send('QUIT');
    client.close();
  });
}
