/**
 * A configuration file that is re-read when it changes, as policy/words.ts first did: its
 * identity (mtime, size, inode: an atomic rename changes the inode even within one mtime tick)
 * is checked at most once a second, when the value is asked for, so an operator edits it
 * without a restart and a busy server does not stat it per message. A missing file is the empty
 * value (reported too, once, for a file whose absence is a mistake); an unreadable one is the
 * empty value, reported once per change rather than per lookup. Used by the users file
 * (auth/users.ts), the aliases file (aliases/file.ts), the blocked subject words and the
 * greylist whitelist (policy/).
 */
import { readFileSync, statSync } from 'node:fs';

const RECHECK_MS = 1000;

export class ReloadedFile<T> {
  private value: T;
  private identity = '';
  private checkedAtMs = -Infinity;

  constructor(
    readonly path: string,
    /** Parse the text; `bad(line, why)` reports a line that was skipped. */
    private readonly parse: (text: string, bad: (lineNumber: number, why: string) => void) => T,
    private readonly empty: () => T,
    private readonly now: () => number,
    private readonly onProblem: (message: string) => void,
    /** What the file is, in messages: "users file", "aliases file". */
    private readonly what: string,
    /** Report a missing file (once per change), as an unreadable one is. */
    private readonly missingIsProblem = false,
  ) {
    this.value = empty();
    this.reload(true);
  }

  current(): T {
    this.reload(false);
    return this.value;
  }

  private reload(force: boolean): void {
    const now = this.now();
    if (!force && now - this.checkedAtMs < RECHECK_MS) return;
    this.checkedAtMs = now;
    let identity = 'missing';
    try {
      const stat = statSync(this.path);
      identity = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      // no file: the empty value
    }
    if (identity === this.identity) return;
    this.identity = identity;
    if (identity === 'missing') {
      this.value = this.empty();
      if (this.missingIsProblem) this.onProblem(`${this.what}: cannot read ${this.path}: no such file`);
      return;
    }
    try {
      this.value = this.parse(readFileSync(this.path, 'utf8'), (line, why) => this.onProblem(`${this.what} ${this.path} line ${line}: ${why}; skipped`));
    } catch (error) {
      this.value = this.empty();
      this.onProblem(`${this.what}: cannot read ${this.path}: ${(error as Error).message}`);
    }
  }
}
