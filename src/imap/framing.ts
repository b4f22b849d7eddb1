/**
 * IMAP command framing (RFC 3501 §4.3, §7.5; RFC 7888 LITERAL+): CRLF lines from the shared
 * InputBuffer, and the literals announced at the end of a line. A synchronizing literal `{n}` is
 * answered with a `+` continuation before the client sends its bytes; a non-synchronizing one
 * `{n+}` follows at once. Both are capped: a synchronizing literal over the cap is refused with
 * `tag BAD` before the client sends it; a non-synchronizing one over the cap is already on its
 * way, so the session must end (RFC 7888 §4: the server may close the connection).
 */
import type { InputBuffer } from '../protocol/input.js';
import type { RawCommand } from './syntax.js';

export interface FramingLimits {
  maxLineBytes: number;
  /** Bytes of one literal. */
  maxLiteralBytes: number;
  /** Lines plus literals of one command. */
  maxCommandBytes: number;
}

export type Framed =
  | { kind: 'command'; command: RawCommand }
  /** Send "+ …" so the client sends the literal. */
  | { kind: 'continue' }
  /** A framing error; `tag` when the command's first line was readable; `fatal` ends the session. */
  | { kind: 'error'; tag: string | null; text: string; fatal: boolean };

const LITERAL_AT_END = /\{(\d{1,20})(\+?)\}$/;

export class CommandFramer {
  private lines: string[] = [];
  private literals: Buffer[] = [];
  private bytes = 0;
  /** Bytes of the literal being waited for, or -1 when a line comes next. */
  private literalBytes = -1;

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
  }

  private tag(): string | null {
    const first = this.lines[0];
    if (first === undefined) return null;
    const space = first.indexOf(' ');
    return space > 0 ? first.slice(0, space) : null;
  }

  private fail(text: string, fatal: boolean): Framed {
    const tag = this.tag();
    this.reset();
    return { kind: 'error', tag, text, fatal };
  }

  next(): Framed | null {
    if (this.literalBytes >= 0) {
      const data = this.input.readBytes(this.literalBytes);
      if (!data) return null;
      this.literals.push(data);
      this.literalBytes = -1;
    }
    const framed = this.input.readLine(this.limits.maxLineBytes);
    if (!framed) return null;
    if (framed.kind === 'too-long') return this.fail('Command line too long', false);
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
    if (size > this.limits.maxLiteralBytes || this.bytes + size > this.limits.maxCommandBytes) {
      return this.fail(`[TOOBIG] Literal too large: at most ${this.limits.maxLiteralBytes} bytes per literal here`, !synchronizing);
    }
    this.bytes += size;
    this.literalBytes = size;
    if (synchronizing) return { kind: 'continue' };
    return this.next();
  }
}
