/**
 * `--blocked-subject-words FILE`: one word or phrase a line (blank lines and `#` comments
 * skipped), matched case-insensitively as whole words in the subject. The file is re-read when
 * it changes (reloaded-file.ts: checked at most once a second when a subject is tested), so an
 * operator edits it without a restart. A missing or unreadable file blocks nothing and is
 * reported once per change, not per message.
 */
import { ReloadedFile } from '../reloaded-file.js';

export class BlockedWords {
  private readonly file: ReloadedFile<RegExp | null>;

  constructor(path: string, now: () => number, onProblem: (message: string) => void) {
    this.file = new ReloadedFile(path, compile, () => null, now, onProblem, 'blocked subject words', true);
  }

  /** The blocked word or phrase found in `subject`, or null. */
  match(subject: string): string | null {
    const found = this.file.current()?.exec(subject);
    return found ? found[1]!.toLowerCase() : null;
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
