/**
 * The submission users (`--users FILE`): one `name:hash` a line, the hash from password.ts
 * (`tidemail user add` writes them); blank lines and `#` comments skipped. A malformed line is
 * logged with its number and skipped, never guessed at. The file is re-read when its
 * modification time or size changes, checked at most once a second when someone logs in (as
 * policy/words.ts does), so adding a user needs no restart. A missing file is no users at all:
 * every AUTH fails until the file appears.
 *
 * User names are compared exactly (case-sensitive, NFC), as the SASL identity is (RFC 4616 §2).
 */
import { readFileSync, statSync } from 'node:fs';
import { parseHash, verifyPassword } from './password.js';

const RECHECK_MS = 1000;

/** A user name as the file can hold it: no colon (the separator), no whitespace or control characters. */
export function isUserName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && Buffer.byteLength(name) <= 255 && !/[:\s\x00-\x1f\x7f]/.test(name);
}

/** Who may submit mail: asked by the SMTP submission session's AUTH. */
export interface SubmissionAuthenticator {
  /** Resolves true only for a known user with that password. */
  verify(user: string, password: string): Promise<boolean>;
}

type Hash = NonNullable<ReturnType<typeof parseHash>>;

export class UsersFile implements SubmissionAuthenticator {
  private users = new Map<string, Hash>();
  private version = '';
  private checkedAtMs = -Infinity;

  constructor(
    readonly path: string,
    private readonly now: () => number,
    private readonly onProblem: (message: string) => void,
  ) {
    this.reloadIfChanged(true);
  }

  async verify(user: string, password: string): Promise<boolean> {
    this.reloadIfChanged(false);
    return verifyPassword(password, this.users.get(user.normalize('NFC')) ?? null);
  }

  get size(): number {
    return this.users.size;
  }

  private reloadIfChanged(force: boolean): void {
    const now = this.now();
    if (!force && now - this.checkedAtMs < RECHECK_MS) return;
    this.checkedAtMs = now;
    let version: string;
    try {
      const stat = statSync(this.path);
      version = `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      version = 'missing';
    }
    if (version === this.version) return;
    this.version = version;
    if (version === 'missing') {
      this.users = new Map();
      return;
    }
    try {
      this.users = parseUsers(readFileSync(this.path, 'utf8'), (line, why) => this.onProblem(`users file ${this.path} line ${line}: ${why}; skipped`));
    } catch (error) {
      this.users = new Map();
      this.onProblem(`users file: cannot read ${this.path}: ${(error as Error).message}`);
    }
  }
}

export function parseUsers(text: string, bad: (lineNumber: number, why: string) => void): Map<string, Hash> {
  const users = new Map<string, Hash>();
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const name = colon === -1 ? '' : line.slice(0, colon).normalize('NFC');
    if (!isUserName(name)) return bad(index + 1, 'expected name:hash');
    const hash = parseHash(line.slice(colon + 1));
    if (!hash) return bad(index + 1, `the hash for ${name} is not one tidemail user add writes`);
    users.set(name, hash);
  });
  return users;
}

/** The users file's text with `name` set to `hash` (replacing its line, or appended): what `user add` writes. */
export function withUser(text: string, name: string, hash: string): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const at = lines.findIndex((line) => line.trim().startsWith(`${name}:`));
  if (at === -1) lines.push(`${name}:${hash}`);
  else lines[at] = `${name}:${hash}`;
  return `${lines.join('\n')}\n`;
}
