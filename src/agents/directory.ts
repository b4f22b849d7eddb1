/**
 * `--agents FILE`: which addresses are agents. The file (YAML, or JSON, which YAML reads too)
 * maps an address pattern to an entry, the entry's `kind` choosing the agent and its other
 * fields being the kind's options:
 *
 *     time@:        { kind: time }
 *     support-*@:   { kind: template, name: support, body: "We got {{subject}}.", days: 7 }
 *     bot@a.test:   { kind: http, url: "http://127.0.0.1:9000/answer" }
 *
 * A pattern is a local part, `*` standing for any run of characters, then `@` and optionally a
 * domain; without one it matches at every domain we accept. It is compared with the recipient's
 * inbox name (lower-cased, +tag removed), as delivery names inboxes. The first entry in file
 * order that matches wins. An entry's `name` (default: its pattern) is what rules hand mail to.
 *
 * A bad entry (unknown kind, bad option, bad pattern, a name already taken) is named, logged and
 * skipped; the others work. The file is re-read when its modification time changes, looked at
 * most once a second when it is consulted (as policy/words.ts does); a file that cannot be read
 * or parsed keeps the agents loaded before, and is reported once per change.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { inboxFor, parseMailbox } from '../mail/address.js';
import { KINDS } from './kinds/index.js';
import { AgentConfigError, type Agent, type KindDeps } from './kind.js';

const RECHECK_MS = 1000;

export interface AgentEntry {
  name: string;
  pattern: string;
  kind: string;
  agent: Agent;
  /** The wildcard's text for an inbox and domain, or null when the pattern does not match. */
  match(inbox: string, domain: string): string | null;
}

/** A matcher for `local@` / `local@domain` with `*` wildcards in the local part. */
function patternMatcher(pattern: string): AgentEntry['match'] {
  const at = pattern.lastIndexOf('@');
  if (at <= 0) throw new AgentConfigError('the pattern must be local@ or local@domain');
  const local = pattern.slice(0, at).toLowerCase();
  const domain = pattern.slice(at + 1).toLowerCase();
  if (domain !== '' && !parseMailbox(`x@${domain}`).ok) throw new AgentConfigError(`"${domain}" is not a domain`);
  if ((local.match(/\*/g) ?? []).length > 1) throw new AgentConfigError('a pattern may have one *');
  const literal = local.replace(/\*/g, 'x');
  if (inboxFor(literal) !== literal) throw new AgentConfigError(`"${local}" cannot name an inbox (inbox names are lower-case local parts without +tags)`);
  const escaped = local.split('*').map((part) => part.replace(/[.?^${}()|[\]\\+]/g, '\\$&'));
  const regex = new RegExp(`^${escaped.join('(.*)')}$`, 'u');
  return (inbox, recipientDomain) => {
    if (domain !== '' && recipientDomain !== domain) return null;
    const found = regex.exec(inbox);
    return found ? (found[1] ?? '') : null;
  };
}

/** Entries from a file's text; problems of single entries are reported and skipped. */
export function parseAgentsFile(text: string, deps: KindDeps, report: (problem: string) => void): AgentEntry[] {
  const document: unknown = parseYaml(text);
  if (document === null || document === undefined) return [];
  if (typeof document !== 'object' || Array.isArray(document)) throw new AgentConfigError('the file must map address patterns to agents');
  const entries: AgentEntry[] = [];
  for (const [pattern, value] of Object.entries(document as Record<string, unknown>)) {
    try {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AgentConfigError('expected { kind: …, options }');
      const options = value as Record<string, unknown>;
      const kind = typeof options.kind === 'string' ? options.kind : '';
      const build = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
      if (!build) throw new AgentConfigError(`unknown kind ${JSON.stringify(options.kind)} (kinds: ${Object.keys(KINDS).join(', ')})`);
      const name = options.name ?? pattern;
      if (typeof name !== 'string' || name === '') throw new AgentConfigError('"name" must be a non-empty string');
      if (entries.some((e) => e.name === name)) throw new AgentConfigError(`the name "${name}" is taken by an earlier entry`);
      const match = patternMatcher(pattern);
      entries.push({ name, pattern, kind, agent: build(options, deps), match });
    } catch (error) {
      if (!(error instanceof AgentConfigError)) throw error;
      report(`agents file: entry "${pattern}" skipped: ${error.message}`);
    }
  }
  return entries;
}

export class AgentDirectory {
  private entries: AgentEntry[] = [];
  private mtimeMs = -1;
  private checkedAtMs = -Infinity;
  private reported = '';

  constructor(
    private readonly path: string,
    private readonly deps: KindDeps,
    private readonly onProblem: (message: string) => void,
  ) {}

  /** The agent answering mail to `address`, with the wildcard's text; null if none does. */
  forAddress(address: string): { entry: AgentEntry; wildcard: string } | null {
    const parsed = parseMailbox(address);
    const inbox = parsed.ok ? inboxFor(parsed.mailbox.localPart) : null;
    if (!parsed.ok || inbox === null) return null;
    for (const entry of this.current()) {
      const wildcard = entry.match(inbox, parsed.mailbox.domain);
      if (wildcard !== null) return { entry, wildcard };
    }
    return null;
  }

  byName(name: string): AgentEntry | null {
    return this.current().find((e) => e.name === name) ?? null;
  }

  current(): readonly AgentEntry[] {
    const now = this.deps.clock.now();
    if (now - this.checkedAtMs >= RECHECK_MS) {
      this.checkedAtMs = now;
      this.reloadIfChanged();
    }
    return this.entries;
  }

  private reloadIfChanged(): void {
    try {
      const mtimeMs = statSync(this.path).mtimeMs;
      if (mtimeMs === this.mtimeMs) return;
      this.mtimeMs = mtimeMs;
      const problems: string[] = [];
      this.entries = parseAgentsFile(readFileSync(this.path, 'utf8'), this.deps, (p) => problems.push(p));
      for (const problem of problems) this.onProblem(problem);
      this.reported = '';
    } catch (error) {
      const message = `agents file: cannot load ${this.path}: ${(error as Error).message}`;
      if (message !== this.reported) this.onProblem(message);
      this.reported = message;
    }
  }
}
