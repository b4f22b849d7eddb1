/**
 * `--blocked-subject-words FILE`: one word or phrase a line (blank lines and `#` comments
 * skipped), matched case-insensitively as whole words in the subject. The file is re-read when
 * its modification time changes, checked at most once a second when a subject is tested, so an
 * operator edits it without a restart. A missing or unreadable file blocks nothing and is
 * reported once per change, not per message.
 */
import { readFileSync, statSync } from 'node:fs';

const RECHECK_MS = 1000;

export class BlockedWords {
  private pattern: RegExp | null = null;
  private mtimeMs = -1;
  private checkedAtMs = -Infinity;
  private reported = '';

  constructor(
    private readonly path: string,
    private readonly now: () => number,
    private readonly onProblem: (message: string) => void,
  ) {}

  /** The blocked word or phrase found in `subject`, or null. */
  match(subject: string): string | null {
    this.reloadIfChanged();
    const found = this.pattern?.exec(subject);
    return found ? found[1]!.toLowerCase() : null;
  }

  private reloadIfChanged(): void {
    const now = this.now();
    if (now - this.checkedAtMs < RECHECK_MS) return;
    this.checkedAtMs = now;
    try {
      const mtimeMs = statSync(this.path).mtimeMs;
      if (mtimeMs === this.mtimeMs) return;
      this.mtimeMs = mtimeMs;
      this.pattern = compile(readFileSync(this.path, 'utf8'));
      this.reported = '';
    } catch (error) {
      this.pattern = null;
      this.mtimeMs = -1;
      const message = `blocked subject words: cannot read ${this.path}: ${(error as Error).message}`;
      if (message !== this.reported) this.onProblem(message);
      this.reported = message;
    }
  }
}

function compile(text: string): RegExp | null {
  const phrases = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  if (phrases.length === 0) return null;
  // Whole words in any script: no letter or digit may touch the phrase on either side.
  return new RegExp(`(?<![\\p{L}\\p{N}])(${phrases.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}
