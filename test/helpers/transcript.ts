/**
 * Transcript tests of the protocol session cores, without sockets. A script reads like the
 * RFCs' examples:
 *
 *     C: MAIL FROM:<a@b.test>
 *     S: 250 2.1.0 Sender OK
 *     C: DATA
 *     S: 354 …
 *     E: start-data
 *
 * `C:` is a line the client sends (handed to the session), `S:` a line the server must send
 * next (exactly, or up to a trailing `…`), `E:` the kind of the next effect the session asks its
 * shell to carry out. Every line and effect the session produces must be accounted for: before
 * each `C:` and at the end of the script nothing may be left unread, so a transcript that
 * leaves out a reply fails instead of passing by accident.
 *
 * The session's own reports (`dataFinished`, `loginFinished`, …) are fed with `take(output)`
 * between two scripts, and what they produce is checked by the next script.
 */
import assert from 'node:assert/strict';

export interface Output<E extends { kind: string }> {
  /** Wire lines, without their CRLF. */
  lines: string[];
  effects: E[];
}

export class Transcript<E extends { kind: string }> {
  private lines: string[] = [];
  private effects: E[] = [];
  /** Every effect checked so far, oldest first (for a test that needs an effect's details). */
  readonly seen: E[] = [];

  constructor(private readonly client: (line: string) => Output<E> | Promise<Output<E>>) {}

  /** Queue what the session produced outside a client line (greeting, a shell report). */
  take(output: Output<E>): void {
    this.lines.push(...output.lines);
    this.effects.push(...output.effects);
  }

  /** The newest effect of `kind` checked so far. */
  last<K extends E['kind']>(kind: K): Extract<E, { kind: K }> {
    const found = [...this.seen].reverse().find((e) => e.kind === kind);
    assert.ok(found, `no ${kind} effect was seen`);
    return found as Extract<E, { kind: K }>;
  }

  async play(script: string): Promise<void> {
    for (const raw of script.split('\n')) {
      // Only leading space is indentation: a trailing space may be part of the line (POP3's "+ ").
      const line = raw.trimStart();
      if (line === '') continue;
      const [prefix, text] = [line.slice(0, 2), line.slice(2).replace(/^ /, '')];
      if (prefix === 'C:') {
        this.assertDrained(`before "C: ${text}"`);
        this.take(await this.client(text));
      } else if (prefix === 'S:') {
        const sent = this.lines.shift();
        assert.ok(sent !== undefined, `expected "S: ${text}", but the server sent nothing more`);
        if (text.endsWith('…')) assert.ok(sent.startsWith(text.slice(0, -1)), `expected "S: ${text}", got "S: ${sent}"`);
        else assert.equal(sent, text, `expected "S: ${text}", got "S: ${sent}"`);
      } else if (prefix === 'E:') {
        const effect = this.effects.shift();
        assert.ok(effect, `expected effect ${text}, but there was none`);
        assert.equal(effect.kind, text, `expected effect ${text}, got ${effect.kind}`);
        this.seen.push(effect);
      } else {
        throw new Error(`transcript line must start with C:, S: or E: — ${JSON.stringify(raw)}`);
      }
    }
    this.assertDrained('at the end of the script');
  }

  private assertDrained(where: string): void {
    assert.deepEqual(this.lines, [], `server lines not accounted for ${where}`);
    assert.deepEqual(this.effects.map((e) => e.kind), [], `effects not accounted for ${where}`);
  }
}

/** Wire text (CRLF-separated) as transcript lines. */
export function wireLines(text: string): string[] {
  const lines = text.split('\r\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
