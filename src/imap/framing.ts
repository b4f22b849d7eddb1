/**
 * IMAP command framing (RFC 3501 §4.3, §7.5; RFC 7888 LITERAL+): CRLF lines from the shared
 * InputBuffer, and the literals announced at the end of a line. A synchronizing literal `{n}` is
 * answered with a `+` continuation before the client sends its bytes; a non-synchronizing one
 * `{n+}` follows at once. Both are capped: a synchronizing literal over the cap is refused with
 * `tag BAD` before the client sends it; a non-synchronizing one over the cap is already on its
 * way, so the session must end (RFC 7888 §4: the server may close the connection).
 *
 * A line the shared buffer refuses (over the length cap, or with a bare CR/LF) is discarded
 * there, so its tag is read before: the start of each command's first line is peeked at while
 * it is still buffered. The refusal is then answered `tag BAD` (RFC 3501 §2.2.2: every command
 * gets its tagged completion; a client that never sees one waits forever), and the connection
 * goes on with the next line.
 *
 * APPEND's message literal may be as large as a message may be (`maxAppendBytes`, the
 * APPENDLIMIT of RFC 7889); a larger one is refused with `tag NO [TOOBIG]` (RFC 7889 §4, RFC
 * 4469's code): before the client sends it when synchronizing, and when it is `{n+}` and so on
 * its way, after its bytes were skipped unread (not buffered), so the connection goes on.
 */
import type { InputBuffer } from '../protocol/input.js';
import type { RawCommand } from './syntax.js';

export interface FramingLimits {
  maxLineBytes: number;
  /** Bytes of one literal. */
  maxLiteralBytes: number;
  /** Lines plus literals of one command. */
  maxCommandBytes: number;
  /** Bytes of APPEND's message literal. */
  maxAppendBytes: number;
}

export type Framed =
  | { kind: 'command'; command: RawCommand }
  /** Send "+ …" so the client sends the literal. */
  | { kind: 'continue' }
  /** A framing error; `tag` when the command's first line was readable; `fatal` ends the session. */
  | { kind: 'error'; tag: string | null; text: string; fatal: boolean; status?: 'BAD' | 'NO' };

const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/;
const APPEND_COMMAND = /^\S+ APPEND /i;
/** Bytes looked at for a tag; a longer "tag" is not one (the session refuses it anyway). */
const TAG_PEEK_BYTES = 128;
const SPACE = 0x20;
const LF = 0x0a;

export class CommandFramer {
  private lines: string[] = [];
  private literals: Buffer[] = [];
  private bytes = 0;
  /** Bytes of the literal being waited for, or -1 when a line comes next. */
  private literalBytes = -1;
  /** The tag at the start of the first line being received, read before the line is complete. */
  private peekedTag: string | null = null;
  /** Dropping the rest of an over-long line (see beforeLine). */
  private skippingLongLine = false;
  /** Bytes of a refused non-synchronizing APPEND literal still to be skipped. */
  private discardBytes = 0;

  constructor(
    private readonly input: InputBuffer,
    private readonly limits: FramingLimits,
  ) {}

  /** Forget a half-read command (after STARTTLS, or a fatal error). */
  reset(): void {
    this.lines = [];
    this.literals = [];
    this.bytes = 0;
    this.literalBytes = -1;
    this.peekedTag = null;
  }

  private tag(): string | null {
    const first = this.lines[0];
    if (first === undefined) return this.peekedTag;
    const space = first.indexOf(' ');
    return space > 0 ? first.slice(0, space) : null;
  }

  /**
   * Before the buffer reads a line: note its tag while its first bytes are still buffered, and
   * take over a line already too long with no end in sight (the buffer has no peek: take
   * everything and put it back, the same bytes in the same order). Returns the error for such
   * a line; its bytes are then dropped here up to its LF, so the line after it is peeked too.
   */
  private beforeLine(): Framed | null {
    if (this.lines.length > 0 || this.input.size === 0) return null;
    const buffered = this.input.takeAll();
    if (this.peekedTag === null) {
      const space = buffered.subarray(0, TAG_PEEK_BYTES).indexOf(SPACE);
      if (space > 0) this.peekedTag = buffered.toString('latin1', 0, space);
    }
    if (buffered.length > this.limits.maxLineBytes + 2 && buffered.indexOf(LF) === -1) {
      this.skippingLongLine = true;
      return this.fail(`Command line too long: at most ${this.limits.maxLineBytes} bytes per line here`, false);
    }
    this.input.push(buffered);
    return null;
  }

  private fail(text: string, fatal: boolean, status: 'BAD' | 'NO' = 'BAD'): Framed {
    const tag = this.tag();
    this.reset();
    return { kind: 'error', tag, text, fatal, status };
  }

  /** Skip what is left of a refused literal, then the rest of its line; false while bytes of it are still to come. */
  private discardLiteral(): boolean {
    const buffered = this.input.takeAll();
    if (buffered.length <= this.discardBytes) {
      this.discardBytes -= buffered.length;
      return false;
    }
    this.input.push(buffered.subarray(this.discardBytes));
    this.discardBytes = 0;
    this.skippingLongLine = true;
    return true;
  }

  /** Drop the rest of an over-long line, up to and including its LF; false while its end has not come. */
  private skipLongLine(): boolean {
    const buffered = this.input.takeAll();
    const lf = buffered.indexOf(LF);
    if (lf === -1) return false;
    this.input.push(buffered.subarray(lf + 1));
    this.skippingLongLine = false;
    return true;
  }

  next(): Framed | null {
    if (this.discardBytes > 0 && !this.discardLiteral()) return null;
    if (this.literalBytes >= 0) {
      const data = this.input.readBytes(this.literalBytes);
      if (!data) return null;
      this.literals.push(data);
      this.literalBytes = -1;
    }
    if (this.skippingLongLine && !this.skipLongLine()) return null;
    const refused = this.beforeLine();
    if (refused) return refused;
    const framed = this.input.readLine(this.limits.maxLineBytes);
    if (!framed) return null;
    if (framed.kind === 'too-long') return this.fail(`Command line too long: at most ${this.limits.maxLineBytes} bytes per line here`, false);
    if (framed.kind === 'bare-newline') return this.fail('Lines must end with CRLF', false);
    // Literal lengths count the literal's own bytes (read exactly), so decoding the line is safe.
    const line = framed.line.toString('utf8');
    this.lines.push(line);
    this.bytes += framed.line.length;
    const literal = LITERAL_AT_END.exec(line);
    if (!literal) {
      const command = { lines: this.lines, literals: this.literals };
      this.reset();
      return { kind: 'command', command };
    }
    const size = Number(literal[1]);
    const synchronizing = literal[2] === '';
    if (APPEND_COMMAND.test(this.lines[0]!)) {
      const { maxAppendBytes } = this.limits;
      if (size > maxAppendBytes || this.bytes + size > maxAppendBytes + this.limits.maxCommandBytes) {
        const refused = this.fail(`[TOOBIG] The message is larger than ${maxAppendBytes} bytes (APPENDLIMIT)`, false, 'NO');
        if (!synchronizing) this.discardBytes = size;
        return refused;
      }
    } else if (size > this.limits.maxLiteralBytes || this.bytes + size > this.limits.maxCommandBytes) {
      return this.fail(`[TOOBIG] Literal too large: at most ${this.limits.maxLiteralBytes} bytes per literal here`, !synchronizing);
    }
    this.bytes += size;
    this.literalBytes = size;
    if (synchronizing) return { kind: 'continue' };
    return this.next();
  }
}
