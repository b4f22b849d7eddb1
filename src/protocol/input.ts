/**
 * Framing for line protocols (SMTP, POP3, IMAP): bytes in, command lines out, with the rules
 * that keep the "SMTP smuggling" class of attacks out (RFC 5321 §2.3.8): a line ends only at
 * CRLF; a line holding a bare CR, or ended by a bare LF, is never taken as a command but
 * reported and discarded whole. A line longer than the cap is reported once and skipped up to its CRLF.
 *
 * The same buffer also hands out exact byte counts (IMAP literals) and its whole content (the
 * SMTP DATA scanner), so a session can switch mode mid-chunk without copying.
 */

/** A command line decoded as UTF-8 (RFC 6531 / RFC 6856), or why there is none. */
export type TextLineResult = { kind: 'line'; text: string } | { kind: 'too-long' | 'bare-newline' | 'bad-utf8' };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type LineResult =
  | { kind: 'line'; line: Buffer }
  /** The line exceeded the cap; its bytes were discarded. */
  | { kind: 'too-long' }
  /** The line held a bare CR or ended in a bare LF; it was discarded. */
  | { kind: 'bare-newline' };

const CR = 0x0d;
const LF = 0x0a;

export class InputBuffer {
  private chunks: Buffer[] = [];
  private length = 0;
  /** Set after reporting an over-long line: discard up to and including the next LF. */
  private skippingLongLine = false;

  get size(): number {
    return this.length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  /** Everything buffered, as one Buffer (copies only when more than one chunk is held). */
  private flat(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(count: number): void {
    const buf = this.flat();
    this.chunks = count >= buf.length ? [] : [buf.subarray(count)];
    this.length = Math.max(0, this.length - count);
  }

  /** The next line without its CRLF, a framing error, or null if more bytes are needed. */
  readLine(maxLineBytes: number): LineResult | null {
    while (this.length > 0) {
      const buf = this.flat();
      const lf = buf.indexOf(LF);
      if (this.skippingLongLine) {
        if (lf === -1) {
          this.consume(buf.length);
          return null;
        }
        this.consume(lf + 1);
        this.skippingLongLine = false;
        continue;
      }
      if (lf === -1) {
        if (buf.length > maxLineBytes) {
          this.skippingLongLine = true;
          this.consume(buf.length);
          return { kind: 'too-long' };
        }
        return null;
      }
      // A line containing a bare CR, or ended by a bare LF, is refused whole: one error, and
      // framing resumes after that LF (a client using LF alone gets an answer, not a hang).
      const cr = buf.indexOf(CR);
      const bare = lf === 0 || buf[lf - 1] !== CR || (cr !== -1 && cr < lf - 1);
      if (bare || lf - 1 > maxLineBytes) {
        this.consume(lf + 1);
        return bare ? { kind: 'bare-newline' } : { kind: 'too-long' };
      }
      const line = Buffer.from(buf.subarray(0, lf - 1));
      this.consume(lf + 1);
      return { kind: 'line', line };
    }
    return null;
  }

  /** The next line as text; invalid UTF-8 is reported, never replaced. */
  readTextLine(maxLineBytes: number): TextLineResult | null {
    const framed = this.readLine(maxLineBytes);
    if (!framed || framed.kind !== 'line') return framed;
    try {
      return { kind: 'line', text: utf8.decode(framed.line) };
    } catch {
      return { kind: 'bad-utf8' };
    }
  }

  /** Exactly `count` bytes, or null until that many are buffered. */
  readBytes(count: number): Buffer | null {
    if (this.length < count) return null;
    const out = Buffer.from(this.flat().subarray(0, count));
    this.consume(count);
    return out;
  }

  /** Everything buffered; the buffer is left empty. */
  takeAll(): Buffer {
    const buf = this.flat();
    this.chunks = [];
    this.length = 0;
    return buf;
  }

  /** Drop everything buffered (plaintext sent ahead of a TLS handshake, CVE-2011-0411). */
  discard(): void {
    this.chunks = [];
    this.length = 0;
    this.skippingLongLine = false;
  }
}
