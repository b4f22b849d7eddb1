/**
 * A raw transcript client for line protocols answered one status line at a time (POP3): send
 * exact bytes, read single lines and dot-terminated multi-line bodies as bytes, upgrade the
 * same connection to TLS. Tests read like transcripts: `await c.send('DELE 9')` → `-ERR …`.
 */
import net from 'node:net';
import tls from 'node:tls';
import { ReceivedBytes } from './received.js';
import { peerUnsentBytes } from './tcp-queues.js';

export class RawLineClient {
  private readonly received = new ReceivedBytes();
  private socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.received.listen(socket);
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawLineClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawLineClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Connect and read the greeting line. */
  static async open(port: number): Promise<{ client: RawLineClient; greeting: string }> {
    const client = await RawLineClient.connect(port);
    return { client, greeting: await client.line() };
  }

  get isClosed(): boolean {
    return this.received.closed;
  }

  /** Bytes received and not yet read. */
  get unread(): Buffer {
    return this.received.bytes;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next line, without its CRLF (decoded as UTF-8). */
  async line(timeoutMs = 10_000): Promise<string> {
    return this.received.waitFor(
      () => {
        const buffer = this.received.bytes;
        const end = buffer.indexOf('\r\n');
        if (end === -1) return null;
        this.received.consume(end + 2);
        return buffer.subarray(0, end).toString('utf8');
      },
      'line',
      timeoutMs,
    );
  }

  /**
   * A dot-terminated multi-line body (after its status line was read): the bytes as the server
   * meant them, dot-stuffing removed, each line with its CRLF; `wire` is what was received.
   */
  async body(timeoutMs = 10_000): Promise<{ content: Buffer; wire: Buffer; lines: string[] }> {
    return this.received.waitFor(
      () => {
        const buffer = this.received.bytes;
        const atStart = buffer.subarray(0, 3).equals(Buffer.from('.\r\n'));
        const end = atStart ? 0 : buffer.indexOf('\r\n.\r\n');
        if (end === -1) return null;
        const wireLength = atStart ? 3 : end + 5;
        const wire = buffer.subarray(0, wireLength);
        this.received.consume(wireLength);
        const stuffed = wire.subarray(0, wireLength - 3);
        const parts: Buffer[] = [];
        let start = 0;
        for (let i = 0; i < stuffed.length; ) {
          const lf = stuffed.indexOf(0x0a, i);
          const lineEnd = lf === -1 ? stuffed.length : lf + 1;
          if (stuffed[i] === 0x2e) {
            parts.push(stuffed.subarray(start, i));
            start = i + 1;
          }
          i = lineEnd;
        }
        parts.push(stuffed.subarray(start));
        const content = Buffer.concat(parts);
        const lines = content.length ? content.toString('utf8').replace(/\r\n$/, '').split('\r\n') : [];
        return { content, wire, lines };
      },
      'multi-line body',
      timeoutMs,
    );
  }

  /** Send one command (CRLF added) and read its status line. */
  async send(line: string): Promise<string> {
    this.write(`${line}\r\n`);
    return this.line();
  }

  /** Send a command whose +OK is followed by a multi-line body; a -ERR has no body. */
  async sendMulti(line: string): Promise<{ status: string; content: Buffer; lines: string[] }> {
    const status = await this.send(line);
    if (!status.startsWith('+OK')) return { status, content: Buffer.alloc(0), lines: [] };
    const { content, lines } = await this.body();
    return { status, content, lines };
  }

  /** Upgrade this connection to TLS (after the server's +OK to STLS). */
  async startTls(): Promise<void> {
    this.socket = await this.received.upgrade(this.socket);
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket && this.socket.encrypted;
  }

  /** Stop reading from the socket (the server's writes back up), until `resume()`. */
  pause(): void {
    this.socket.pause();
  }

  /**
   * After `pause()`: resolves once the server's output has backed up and stopped moving. First
   * this socket stops receiving (its buffer reaches the high-water mark, where Node stops reading
   * from the kernel); then the server's kernel send queue fills and stays put, so what the server
   * writes from then on piles up in the server itself. Neither Node nor the protocol announces
   * either, so both are polled, with a deadline; without /proc/net the second is skipped.
   */
  async backedUp(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const tick = async (what: () => string): Promise<void> => {
      if (Date.now() > deadline) throw new Error(`output did not back up in ${timeoutMs} ms: ${what()}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    };
    while (this.socket.readableLength < this.socket.readableHighWaterMark) await tick(() => `the paused socket holds ${this.socket.readableLength} bytes`);
    // The queue has settled when three readings in a row agree.
    const readings: Array<number | null> = [];
    for (;;) {
      readings.push(peerUnsentBytes(this.socket));
      const last = readings.slice(-3);
      if (last[0] === null || (last.length === 3 && last[0]! > 0 && last.every((n) => n === last[0]))) return;
      await tick(() => `the server's send queue went ${readings.slice(-5).join(' → ')}`);
    }
  }

  resume(): void {
    this.socket.resume();
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(timeoutMs = 10_000): Promise<void> {
    await this.received.closedByServer(timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
