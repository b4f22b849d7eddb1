/**
 * `--aliases FILE` in aliases(5) syntax: `name: value, value, …`, a line starting with blank
 * space continues the one before, `#` starts a comment line. Each value is one of Twisted Mail's
 * kinds of alias:
 *
 * | value | meaning |
 * | --- | --- |
 * | `other` | another inbox (itself possibly an alias) |
 * | `user@elsewhere` | relayed (or, at a domain of ours, that local part: expanded again) |
 * | `/path/file` | append to an mbox file, only under --alias-file-dir |
 * | `"\|/path/cmd args"` | pipe to a program, only under --alias-program-dir; no shell: args split on blanks |
 *
 * A line that breaks a rule (no colon, a bad name, a file or program outside its directory or
 * with no directory configured, `:include:`) is logged with its line number and skipped whole:
 * half an alias would deliver to some of its targets and silently not the others. Names are
 * inbox names (lower-cased; `Joe+tag@` looks up `joe`). The file is re-read when it changes
 * (reloaded-file.ts), checked at most once a second when a recipient is looked up; a
 * missing file is no aliases.
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ReloadedFile } from '../reloaded-file.js';
import { inboxFor, parseMailbox } from '../mail/address.js';

/** One value of an alias line, before expansion. */
export type AliasValue =
  | { kind: 'name'; name: string }
  | { kind: 'address'; localPart: string; domain: string; address: string }
  | { kind: 'file'; path: string }
  | { kind: 'program'; argv: readonly string[] };

export interface AliasDirs {
  /** Files may be appended only under this directory ('' = no file aliases). */
  fileDir: string;
  /** Programs may run only from under this directory ('' = no program aliases). */
  programDir: string;
}

export interface AliasLookup {
  /** The values of alias `name` (an inbox name), or undefined when it is no alias. */
  lookup(name: string): readonly AliasValue[] | undefined;
}

export class AliasesFile implements AliasLookup {
  private readonly file: ReloadedFile<Map<string, AliasValue[]>>;

  constructor(path: string, dirs: AliasDirs, now: () => number, onProblem: (message: string) => void) {
    this.file = new ReloadedFile(path, (text, bad) => parseAliases(text, dirs, bad), () => new Map(), now, onProblem, 'aliases file');
  }

  lookup(name: string): readonly AliasValue[] | undefined {
    return this.file.current().get(name);
  }

  get size(): number {
    return this.file.current().size;
  }
}

/** The logical lines of an aliases file (continuations joined), each with the number of its first line. */
function logicalLines(text: string): Array<{ number: number; text: string }> {
  const lines: Array<{ number: number; text: string }> = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (/^\s*#/.test(raw) || raw.trim() === '') return;
    const last = lines[lines.length - 1];
    if (/^[ \t]/.test(raw) && last) last.text += ` ${raw.trim()}`;
    else lines.push({ number: index + 1, text: raw.trim() });
  });
  return lines;
}

export function parseAliases(text: string, dirs: AliasDirs, bad: (lineNumber: number, why: string) => void): Map<string, AliasValue[]> {
  const table = new Map<string, AliasValue[]>();
  for (const line of logicalLines(text)) {
    const colon = line.text.indexOf(':');
    const name = colon === -1 ? null : inboxFor(line.text.slice(0, colon).trim());
    if (name === null || line.text.slice(0, colon).trim().includes('+')) {
      bad(line.number, 'expected name: value, value …');
      continue;
    }
    const values: AliasValue[] = [];
    let problem: string | null = null;
    for (const item of splitValues(line.text.slice(colon + 1))) {
      const parsed = parseValue(item, dirs);
      if (typeof parsed === 'string') {
        problem = parsed;
        break;
      }
      values.push(parsed);
    }
    if (!problem && values.length === 0) problem = 'an alias needs at least one value';
    if (problem) bad(line.number, problem);
    else table.set(name, values);
  }
  return table;
}

/** Split on commas outside double quotes (a program's arguments may hold commas). */
function splitValues(text: string): string[] {
  const values: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      values.push(current.trim());
      current = '';
    } else current += ch;
  }
  values.push(current.trim());
  return values.filter((v) => v !== '');
}

/** One value, or why it is refused. */
function parseValue(item: string, dirs: AliasDirs): AliasValue | string {
  const unquoted = item.startsWith('"') && item.endsWith('"') && item.length >= 2 ? item.slice(1, -1).trim() : item;
  if (unquoted.startsWith('|')) {
    const argv = unquoted.slice(1).trim().split(/\s+/).filter(Boolean);
    if (!argv[0] || !isAbsolute(argv[0])) return 'a program alias needs an absolute path: "|/path/cmd args"';
    if (!dirs.programDir) return 'program aliases need --alias-program-dir';
    const real = realInside(argv[0], dirs.programDir, false);
    if (!real) return `${argv[0]} is not under --alias-program-dir ${dirs.programDir}`;
    return { kind: 'program', argv: [real, ...argv.slice(1)] };
  }
  if (unquoted.startsWith('/')) {
    if (!dirs.fileDir) return 'file aliases need --alias-file-dir';
    const real = realInside(unquoted, dirs.fileDir, true);
    if (!real) return `${unquoted} is not under --alias-file-dir ${dirs.fileDir}`;
    return { kind: 'file', path: real };
  }
  if (unquoted.startsWith(':include:')) return ':include: lists are not supported';
  if (unquoted.includes('@')) {
    const parsed = parseMailbox(unquoted);
    if (!parsed.ok) return `"${unquoted}": ${parsed.reason}`;
    return { kind: 'address', ...parsed.mailbox };
  }
  const name = inboxFor(unquoted);
  if (!name) return `"${unquoted}" names no inbox`;
  return { kind: 'name', name };
}

/**
 * The real path of `path` if it lies inside `dir` (symbolic links resolved, so a link cannot
 * point outside), else null. A file alias's file may not exist yet: then its directory must.
 */
function realInside(path: string, dir: string, mayNotExist: boolean): string | null {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    if (!mayNotExist) return null;
    try {
      real = resolve(realpathSync(dirname(path)), path.slice(dirname(path).length + 1));
    } catch {
      return null;
    }
  }
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch {
    return null;
  }
  const rel = relative(realDir, real);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel) ? real : null;
}
