/**
 * The submission users (`--users FILE`): one `name:hash` a line, the hash from password.ts
 * (`tidemail user add` writes them); blank lines and `#` comments skipped. A malformed line is
 * logged with its number and skipped, never guessed at. The file is re-read when it changes
 * (reloaded-file.ts), checked at most once a second when someone logs in, so adding a
 * user needs no restart. A missing file is no users at all:
 * every AUTH fails until the file appears.
 *
 * User names are compared exactly (case-sensitive, NFC), as the SASL identity is (RFC 4616 §2).
 */
import { ReloadedFile } from '../reloaded-file.js';
import { parseHash, verifyPassword } from './password.js';

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
  private readonly file: ReloadedFile<Map<string, Hash>>;

  constructor(path: string, now: () => number, onProblem: (message: string) => void) {
    this.file = new ReloadedFile(path, parseUsers, () => new Map(), now, onProblem, 'users file');
  }

  async verify(user: string, password: string): Promise<boolean> {
    return verifyPassword(password, this.file.current().get(user.normalize('NFC')) ?? null);
  }

  get size(): number {
    return this.file.current().size;
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
