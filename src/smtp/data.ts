/**
 * The DATA stream (RFC 5321 §4.1.1.4, §4.5.2): finds the end of data, removes dot-stuffing and
 * enforces the size cap, scanning each chunk with indexOf rather than building strings.
 *
 * Only <CRLF>.<CRLF> ends the data. A bare CR or bare LF anywhere is never a line end
 * (RFC 5321 §2.3.8; the 2023 "SMTP smuggling" attacks hide a second message behind <LF>.<LF>
 * and similar): it marks the message to be refused once the real end arrives, so everything
 * up to that end, smuggled commands included, is one refused message and nothing more.
 *
 * Content is kept as slices of the received chunks and joined once at the end. The inverse, for
 * sending, is protocol/dot-stuff.ts.
 */

export type DataOutcome = 'complete' | 'too-big' | 'bare-newline';

export interface DataResult {
  outcome: DataOutcome;
  /** The unstuffed message (only for 'complete'). */
  segments: Buffer[];
  /** Its length in bytes. */
  bytes: number;
  /** Bytes received after the end of data (pipelined commands). */
  rest: Buffer;
}

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

export class DataReader {
  private segments: Buffer[] = [];
  private bytes = 0;
  private atLineStart = true;
  /** Bytes held back because they may be the start of ".\r\n" or the CR of a CRLF. */
  private carry: Buffer | null = null;
  private tooBig = false;
  private bareNewline = false;

  constructor(private readonly maxBytes: number) {}

  private keep(buf: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.bytes += end - start;
    if (this.bytes > this.maxBytes) {
      // Keep reading to the end of data so the session stays in sync, but hold nothing more.
      this.tooBig = true;
      this.segments = [];
    }
    if (!this.tooBig) this.segments.push(buf.subarray(start, end));
  }

  /** Feed received bytes; returns the result once the end of data is seen, else null. */
  feed(chunk: Buffer): DataResult | null {
    const buf = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = null;
    const len = buf.length;
    let p = 0;
    let segStart = 0;
    while (p < len) {
      if (this.atLineStart && buf[p] === DOT) {
        if (p + 2 >= len) {
          // Cannot tell ".\r\n" (end) from a stuffed dot yet: wait for more.
          this.keep(buf, segStart, p);
          this.carry = buf.subarray(p);
          return null;
        }
        if (buf[p + 1] === CR && buf[p + 2] === LF) {
          this.keep(buf, segStart, p);
          return this.finish(buf.subarray(p + 3));
        }
        // Dot-stuffing: a leading dot was doubled by the client (§4.5.2); drop one.
        this.keep(buf, segStart, p);
        segStart = p + 1;
        p += 1;
      }
      this.atLineStart = false;
      const lf = buf.indexOf(LF, p);
      if (lf === -1) {
        // A CR as the last byte may be the first half of a CRLF split across chunks: carry it.
        const end = buf[len - 1] === CR ? len - 1 : len;
        const cr = buf.indexOf(CR, p);
        if (cr !== -1 && cr < end) this.bareNewline = true;
        this.keep(buf, segStart, end);
        if (end < len) this.carry = buf.subarray(end);
        return null;
      }
      const cr = buf.indexOf(CR, p);
      if (cr !== -1 && cr < lf - 1) this.bareNewline = true;
      p = lf + 1;
      // Only a real CRLF starts a new line; after a bare LF, a "." is just data.
      if (lf > 0 && buf[lf - 1] === CR) this.atLineStart = true;
      else this.bareNewline = true;
    }
    this.keep(buf, segStart, len);
    return null;
  }

  private finish(rest: Buffer): DataResult {
    const outcome: DataOutcome = this.tooBig ? 'too-big' : this.bareNewline ? 'bare-newline' : 'complete';
    return { outcome, segments: outcome === 'complete' ? this.segments : [], bytes: this.bytes, rest };
  }
}
