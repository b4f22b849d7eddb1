/**
 * What a raw test client has received on its socket, and a way to wait until a parser can take
 * something from it. Shared by the SMTP, POP3 (line) and IMAP transcript clients.
 */
import type net from 'node:net';
import tls from 'node:tls';

export class ReceivedBytes {
  /** Received and not yet taken. */
  bytes: Buffer = Buffer.alloc(0);
  closed = false;
  private waiters: Array<() => void> = [];

  /** Collect what `socket` receives; call again with the TLS socket after an upgrade. */
  listen(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.bytes = this.bytes.length ? Buffer.concat([this.bytes, chunk]) : chunk;
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

  /** Drop the first `count` bytes (they were parsed). */
  consume(count: number): void {
    this.bytes = this.bytes.subarray(count);
  }

  /** Call `take` on every arrival until it returns something; rejects on close or timeout. */
  async waitFor<T>(take: () => T | null, what: string, timeoutMs = 10_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = take();
      if (value !== null) return value;
      const unread = JSON.stringify(this.bytes.toString('latin1'));
      if (this.closed) throw new Error(`connection closed waiting for ${what}; unread: ${unread}`);
      if (Date.now() > deadline) throw new Error(`no ${what} in ${timeoutMs} ms; unread: ${unread}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Resolves when the server has closed the connection. */
  async closedByServer(timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => (this.closed ? true : null), 'the server to close', timeoutMs);
  }

  /** Upgrade `plain` to TLS as a client (after the server agreed), collecting from the TLS socket. */
  async upgrade(plain: net.Socket): Promise<tls.TLSSocket> {
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    this.bytes = Buffer.alloc(0);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: plain, rejectUnauthorized: false }, () => resolve(s));
      s.once('error', reject);
    });
    this.listen(secure);
    return secure;
  }
}
