/**
 * A raw SMTP transcript client for tests: send exact bytes, read whole replies (multi-line
 * aware). Tests read like transcripts: `await c.send('MAIL FROM:<a@b>')` → `550 5.7.1 …`.
 */
import net from 'node:net';
import { ReceivedBytes } from './received.js';

export interface SmtpReply {
  code: number;
  /** Every line of the reply, without the code and separator. */
  lines: string[];
  /** The whole reply as received. */
  text: string;
}

export class RawSmtpClient {
  private readonly received = new ReceivedBytes();

  private constructor(private socket: net.Socket) {
    this.received.listen(socket);
  }

  /** `from`: the local address to connect from (another loopback address plays another client). */
  static connect(port: number, host = '127.0.0.1', from?: string): Promise<RawSmtpClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host, ...(from ? { localAddress: from } : {}) }, () => resolve(new RawSmtpClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connect and read the greeting. */
  static async open(port: number, from?: string): Promise<{ client: RawSmtpClient; greeting: SmtpReply }> {
    const client = await RawSmtpClient.connect(port, '127.0.0.1', from);
    return { client, greeting: await client.reply() };
  }

  get isClosed(): boolean {
    return this.received.closed;
  }

  /** Write raw bytes (no CRLF added). */
  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next complete reply; rejects on close or after `timeoutMs`. */
  reply(timeoutMs = 10_000): Promise<SmtpReply> {
    return this.received.waitFor(() => this.takeReply(), 'reply', timeoutMs);
  }

  private takeReply(): SmtpReply | null {
    const buffer = this.received.bytes;
    const lines: string[] = [];
    let offset = 0;
    for (;;) {
      const end = buffer.indexOf('\r\n', offset);
      if (end === -1) return null;
      const line = buffer.toString('utf8', offset, end);
      offset = end + 2;
      lines.push(line);
      if (line[3] !== '-') {
        const text = buffer.toString('utf8', 0, offset);
        this.received.consume(offset);
        return { code: Number(line.slice(0, 3)), lines: lines.map((l) => l.slice(4)), text };
      }
    }
  }

  /** Send one command line (CRLF added) and read its reply. */
  async send(line: string): Promise<SmtpReply> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /**
   * Upgrade this connection to TLS (after the server's 220 to STARTTLS). The server must have
   * sent nothing in plaintext after its 220 (RFC 3207 §4: it answers nothing else before the
   * handshake).
   */
  async startTls(): Promise<void> {
    if (this.received.bytes.length > 0) throw new Error(`plaintext after the 220 to STARTTLS: ${JSON.stringify(this.received.bytes.toString('latin1'))}`);
    this.socket = await this.received.upgrade(this.socket);
  }

  /** Resolves when the server has closed the connection. */
  closedByServer(timeoutMs = 10_000): Promise<void> {
    return this.received.closedByServer(timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A complete, well-formed message with the given subject and body. */
export function simpleMessage(subject: string, body = 'Hello from a test.', to = 'someone@tidemail.test'): string {
  return `From: Test Sender <sender@example.test>\r\nTo: ${to}\r\nSubject: ${subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@example.test>\r\n\r\n${body}\r\n`;
}

/** Run a whole transaction on an open (greeted) client; returns the reply to the end of data. */
export async function sendMail(client: RawSmtpClient, from: string, to: string[], message: string): Promise<SmtpReply> {
  for (const [cmd, want] of [[`MAIL FROM:<${from}>`, 250], ...to.map((r) => [`RCPT TO:<${r}>`, 250] as const), ['DATA', 354]] as const) {
    const r = await client.send(cmd);
    if (r.code !== want) throw new Error(`${cmd} → ${r.text}`);
  }
  const stuffed = message.replace(/^\./gm, '..');
  client.write(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
  return client.reply();
}
