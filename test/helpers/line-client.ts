/**
 * A raw transcript client for line protocols answered one status line at a time (POP3): send
 * exact bytes, read single lines and dot-terminated multi-line bodies as bytes, upgrade the
 * same connection to TLS. Tests read like transcripts: `await c.send('DELE 9')` → `-ERR …`.
 */
import net from 'node:net';
import tls from 'node:tls';

export class RawLineClient {
  private buffer = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  private closed = false;
  private socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.listen(socket);
  }

  private listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
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
    return this.closed;
  }

  /** Bytes received and not yet read. */
  get unread(): Buffer {
    return this.buffer;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  private async waitFor<T>(take: () => T | null, what: string, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== null) return value;
      if (this.closed) throw new Error(`connection closed waiting for ${what}; unread: ${JSON.stringify(this.buffer.toString('latin1'))}`);
      if (Date.now() > deadline) throw new Error(`no ${what} in ${timeoutMs} ms; unread: ${JSON.stringify(this.buffer.toString('latin1'))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next line, without its CRLF (decoded as UTF-8). */
  async line(timeoutMs = 10_000): Promise<string> {
    return this.waitFor(
      () => {
        const end = this.buffer.indexOf('\r\n');
        if (end === -1) return null;
        const line = this.buffer.subarray(0, end).toString('utf8');
        this.buffer = this.buffer.subarray(end + 2);
        return line;
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
    return this.waitFor(
      () => {
        const atStart = this.buffer.subarray(0, 3).equals(Buffer.from('.\r\n'));
        const end = atStart ? 0 : this.buffer.indexOf('\r\n.\r\n');
        if (end === -1) return null;
        const wireLength = atStart ? 3 : end + 5;
        const wire = this.buffer.subarray(0, wireLength);
        this.buffer = this.buffer.subarray(wireLength);
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
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: plain, rejectUnauthorized: false }, () => resolve(s));
      s.once('error', reject);
    });
    this.socket = secure;
    this.listen(secure);
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket && this.socket.encrypted;
  }

  /** Stop reading from the socket (the server's writes back up), until `resume()`. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => (this.closed ? true : null), 'close', timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}
