/**
 * Incremental SMTP reply reader for the load generator (RFC 5321 §4.2): bytes in, whole
 * replies out. A reply is one or more lines "ddd-text" ending with a line "ddd text" (or just
 * "ddd"); every line of one reply carries the same code. Works on Buffers and only decodes the
 * text of each line, because the generator reads hundreds of thousands of replies a second.
 * Anything that is not a reply line is a protocol error, reported by throwing, never guessed at.
 */

export interface SmtpReply {
  code: number;
  /** The text of each line, without the code and separator. */
  lines: string[];
}

export class SmtpProtocolError extends Error {}

const CR = 13;
const LF = 10;
const DIGIT_0 = 48;
const DASH = 45;
const SPACE = 32;
/** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; we allow generous slack. */
const MAX_LINE_BYTES = 4096;

function digit(byte: number | undefined): number {
  return byte !== undefined && byte >= DIGIT_0 && byte <= DIGIT_0 + 9 ? byte - DIGIT_0 : -1;
}

export class ReplyReader {
  private pending: Buffer | null = null;
  private lines: string[] = [];
  private code = 0;

  /** Feed received bytes; complete replies are appended to `out`. Throws SmtpProtocolError. */
  push(chunk: Buffer, out: SmtpReply[]): void {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    let start = 0;
    for (;;) {
      const lf = data.indexOf(LF, start);
      if (lf === -1) break;
      const end = lf > start && data[lf - 1] === CR ? lf - 1 : lf;
      this.line(data, start, end, out);
      start = lf + 1;
    }
    if (start < data.length) {
      if (data.length - start > MAX_LINE_BYTES) throw new SmtpProtocolError(`reply line longer than ${MAX_LINE_BYTES} bytes`);
      this.pending = data.subarray(start);
    }
  }

  private line(data: Buffer, start: number, end: number, out: SmtpReply[]): void {
    const d0 = digit(data[start]);
    const d1 = digit(data[start + 1]);
    const d2 = digit(data[start + 2]);
    const separator = end - start > 3 ? data[start + 3] : SPACE;
    if (end - start < 3 || d0 < 2 || d0 > 5 || d1 < 0 || d2 < 0 || (separator !== SPACE && separator !== DASH)) {
      throw new SmtpProtocolError(`not an SMTP reply line: ${JSON.stringify(data.toString('latin1', start, Math.min(end, start + 80)))}`);
    }
    const code = d0 * 100 + d1 * 10 + d2;
    if (this.lines.length > 0 && code !== this.code) {
      throw new SmtpProtocolError(`reply code changed inside a multi-line reply (${this.code} then ${code})`);
    }
    this.code = code;
    this.lines.push(end - start > 4 ? data.toString('latin1', start + 4, end) : '');
    if (separator === SPACE) {
      out.push({ code, lines: this.lines });
      this.lines = [];
    }
  }
}

/** Whether an EHLO reply advertises an extension keyword (RFC 5321 §4.1.1.1: the first word of a line after the first). */
export function advertises(ehlo: SmtpReply, keyword: string): boolean {
  const wanted = keyword.toUpperCase();
  return ehlo.lines.slice(1).some((line) => line.split(' ', 1)[0]!.toUpperCase() === wanted);
}
