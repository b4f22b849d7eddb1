/**
 * The IMAP command grammar (RFC 3501 §9), as a tokenizer over one framed command: the command
 * lines and the literals between them (see framing.ts). Tokens are atoms, strings (quoted or
 * literal, RFC 3501 §4.3) and parenthesised lists. Every malformed input raises ImapSyntaxError,
 * which the dispatcher turns into `tag BAD …`; nothing here throws anything else.
 *
 * One concession to the grammar's irregularity: a FETCH attribute such as
 * `BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]<0.512>` is one token even though it holds spaces and
 * parentheses, so an atom that meets `[` runs to the matching `]` (RFC 3501 §6.4.5 section-spec).
 * A `[` with no matching `]` is an ordinary ATOM-CHAR (§9: only `]` is a resp-special, and an
 * astring may hold it), so a mailbox name or LIST pattern such as `a[b` is one atom.
 */

export type Token =
  | { kind: 'atom'; value: string }
  /** A literal also has its bytes exactly (APPEND's message); `value` is their UTF-8 reading, made on first use. */
  | { kind: 'string'; value: string; literal: boolean; bytes?: Buffer }
  | { kind: 'list'; items: Token[] };

/** A command as framed off the wire: `lines[i]` ended with `{n}` and was followed by `literals[i]`. */
export interface RawCommand {
  lines: string[];
  literals: Buffer[];
}

export class ImapSyntaxError extends Error {}

/** tag = 1*<any ASTRING-CHAR except "+"> (RFC 3501 §9). */
const TAG = /^[^\s(){%*"\\+\]\x00-\x1f\x7f]+$/;
const ATOM_STOP = new Set([' ', '(', ')', '"', '\r', '\n']);
const MAX_LIST_DEPTH = 8;

export function isValidTag(tag: string): boolean {
  return TAG.test(tag);
}

export class Tokenizer {
  private segment = 0;
  private offset = 0;

  constructor(private readonly command: RawCommand, start = 0) {
    this.offset = start;
  }

  private get line(): string {
    return this.command.lines[this.segment] ?? '';
  }

  atEnd(): boolean {
    return this.offset >= this.line.length && this.segment >= this.command.lines.length - 1;
  }

  /** Consume one space (the grammar's SP); at the end of the command there is nothing to consume. */
  space(): void {
    if (this.atEnd()) return;
    if (this.line[this.offset] !== ' ') throw new ImapSyntaxError(`expected a space at "${this.rest().slice(0, 20)}"`);
    this.offset++;
  }

  private rest(): string {
    return this.line.slice(this.offset);
  }

  /** The next token and the space after it, or null at the end of the command. */
  next(depth = 0): Token | null {
    if (this.atEnd()) return null;
    const token = this.token(depth);
    if (depth === 0) this.space();
    return token;
  }

  /** Every remaining token. */
  all(): Token[] {
    const out: Token[] = [];
    for (let t = this.next(); t; t = this.next()) out.push(t);
    return out;
  }

  private token(depth: number): Token {
    const c = this.line[this.offset];
    if (c === undefined) {
      // An empty rest inside the line: only a literal's end gets us here.
      throw new ImapSyntaxError('unexpected end of command');
    }
    if (c === '(') return this.list(depth);
    if (c === '"') return this.quoted();
    if (c === '{') return this.literal();
    if (c === ' ' || c === ')') throw new ImapSyntaxError(c === ' ' ? 'unexpected extra space' : 'unbalanced ")"');
    return this.atom();
  }

  private list(depth: number): Token {
    if (depth >= MAX_LIST_DEPTH) throw new ImapSyntaxError('lists nested too deeply');
    this.offset++; // (
    const items: Token[] = [];
    for (;;) {
      if (this.offset >= this.line.length) throw new ImapSyntaxError('unterminated list: missing ")"');
      if (this.line[this.offset] === ')') {
        this.offset++;
        return { kind: 'list', items };
      }
      if (items.length > 0) {
        if (this.line[this.offset] !== ' ') throw new ImapSyntaxError('expected a space between list items');
        this.offset++;
      }
      items.push(this.token(depth + 1));
    }
  }

  private quoted(): Token {
    let value = '';
    for (let i = this.offset + 1; i < this.line.length; i++) {
      const c = this.line[i]!;
      if (c === '"') {
        this.offset = i + 1;
        return { kind: 'string', value, literal: false };
      }
      if (c === '\\') {
        const escaped = this.line[++i];
        if (escaped !== '"' && escaped !== '\\') throw new ImapSyntaxError('only \\" and \\\\ may be escaped in a quoted string');
        value += escaped;
      } else {
        value += c;
      }
    }
    throw new ImapSyntaxError('unterminated quoted string');
  }

  private literal(): Token {
    const match = /^\{(\d+)\+?\}$/.exec(this.rest());
    if (!match) throw new ImapSyntaxError('malformed literal: expected {n} at the end of a line');
    const data = this.command.literals[this.segment];
    if (data === undefined || data.length !== Number(match[1])) throw new ImapSyntaxError('literal data missing');
    this.segment++;
    this.offset = 0;
    let text: string | null = null;
    return {
      kind: 'string',
      literal: true,
      bytes: data,
      get value(): string {
        return (text ??= data.toString('utf8'));
      },
    };
  }

  private atom(): Token {
    const line = this.line;
    let i = this.offset;
    // Once a "[" has no match, no later one is looked for: each line is scanned a bounded number of times.
    let brackets = true;
    while (i < line.length && !ATOM_STOP.has(line[i]!)) {
      if (line[i] === '[' && brackets) {
        const close = matchingBracket(line, i);
        if (close !== -1) {
          i = close + 1;
          continue;
        }
        brackets = false;
      }
      if (line[i] === '{' || line.charCodeAt(i) < 0x20 || line.charCodeAt(i) === 0x7f) throw new ImapSyntaxError('invalid character in an atom');
      i++;
    }
    const value = line.slice(this.offset, i);
    this.offset = i;
    return { kind: 'atom', value };
  }
}

function matchingBracket(line: string, open: number): number {
  let depth = 0;
  for (let i = open; i < line.length; i++) {
    if (line[i] === '[') depth++;
    else if (line[i] === ']' && --depth === 0) return i;
  }
  return -1;
}

/** astring: an atom or a string (RFC 3501 §9). */
export function astring(token: Token | null | undefined, what: string): string {
  if (!token || token.kind === 'list') throw new ImapSyntaxError(`expected ${what}`);
  return token.value;
}

export function atom(token: Token | null | undefined, what: string): string {
  if (!token || token.kind !== 'atom') throw new ImapSyntaxError(`expected ${what}`);
  return token.value;
}

export function list(token: Token | null | undefined, what: string): Token[] {
  if (!token || token.kind !== 'list') throw new ImapSyntaxError(`expected ${what} in parentheses`);
  return token.items;
}

/** No arguments may follow. */
export function end(tokens: Tokenizer, command: string): void {
  if (!tokens.atEnd()) throw new ImapSyntaxError(`unexpected arguments after ${command}`);
}

/** A sequence set (RFC 3501 §9 sequence-set): ranges of numbers, `*` for the largest in use. */
export type SequenceSet = Array<[number, number]>;

/** How a parsed sequence set writes `*`. */
export const STAR = -1;

export function parseSequenceSet(text: string): SequenceSet {
  const ranges: SequenceSet = [];
  if (text.length > 16_384) throw new ImapSyntaxError('sequence set too long');
  for (const part of text.split(',')) {
    const match = /^(\d+|\*)(?::(\d+|\*))?$/.exec(part);
    if (!match) throw new ImapSyntaxError(`invalid sequence set "${text.slice(0, 40)}"`);
    const a = match[1] === '*' ? STAR : Number(match[1]);
    const b = match[2] === undefined ? a : match[2] === '*' ? STAR : Number(match[2]);
    if (a === 0 || b === 0 || a > 0xffffffff || b > 0xffffffff) throw new ImapSyntaxError('0 is not a valid message number or UID');
    ranges.push([a, b]);
  }
  return ranges;
}

/** Whether `n` is in the set, `*` standing for `largest` (RFC 3501 §9: a:b is the same as b:a). */
export function inSequenceSet(set: SequenceSet, n: number, largest: number): boolean {
  for (const [a, b] of set) {
    const x = a === STAR ? largest : a;
    const y = b === STAR ? largest : b;
    if (n >= Math.min(x, y) && n <= Math.max(x, y)) return true;
  }
  return false;
}

export function isSequenceSet(text: string): boolean {
  return /^(\d+|\*)(:(\d+|\*))?(,(\d+|\*)(:(\d+|\*))?)*$/.test(text);
}
