/**
 * A raw socket for the POP3 and IMAP read cells: write commands, and wait until a caller-given
 * test says the buffered bytes hold a complete response. Every wait has a time limit; a closed
 * connection fails the wait with what was left unread.
 */
import net from 'node:net';

const WAIT_MS = 15_000;

export class ReadConnection {
  private buffer: Buffer = Buffer.alloc(0);
  private wake: (() => void) | null = null;
  private closed = false;
  /** Bytes received in total. */
  received = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<ReadConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(new ReadConnection(socket)));
      socket.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  /**
   * Wait until `complete(buffer)` returns the length of a whole response (or -1 for "not yet");
   * return those bytes and keep the rest.
   */
  async until(complete: (buffer: Buffer) => number, timeoutMs = WAIT_MS): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = complete(this.buffer);
      if (end >= 0) {
        const response = this.buffer.subarray(0, end);
        this.buffer = this.buffer.subarray(end);
        return response;
      }
      await this.more(deadline, timeoutMs);
    }
  }

  /** Hand every received byte to a streaming parser until it returns true (it keeps any rest). */
  async stream(feed: (chunk: Buffer) => boolean, timeoutMs = WAIT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.buffer.length) {
        const chunk = this.buffer;
        this.buffer = Buffer.alloc(0);
        if (feed(chunk)) return;
      }
      await this.more(deadline, timeoutMs);
    }
  }

  private async more(deadline: number, timeoutMs: number): Promise<void> {
    if (this.closed) throw new Error(`connection closed; unread: ${JSON.stringify(this.buffer.toString('latin1', 0, 200))}`);
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`no complete response in ${timeoutMs} ms; unread: ${JSON.stringify(this.buffer.toString('latin1', 0, 200))}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, left);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** End of the first line (CRLF included), or -1. */
export function lineEnd(buffer: Buffer): number {
  const end = buffer.indexOf('\r\n');
  return end === -1 ? -1 : end + 2;
}
