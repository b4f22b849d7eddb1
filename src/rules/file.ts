/**
 * `--rules FILE`: a list of rules in JSON or YAML (`yaml` reads both: JSON is YAML), either a
 * top-level list or `{ rules: [...] }`. Re-read when its modification time changes, looked at
 * at most once a second when a message is tested (as policy/words.ts does), so an operator edits
 * it without a restart. A bad rule is named, reported and skipped; the others apply. A file
 * that cannot be read or parsed keeps the rules last loaded from it, and says so once.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse } from 'yaml';
import { compileRule, type CompiledRule } from './match.js';
import { MAX_RULES, parseRule } from './validate.js';

const RECHECK_MS = 1000;

export class RulesFile {
  private rules: CompiledRule[] = [];
  private problemsNow: string[] = [];
  private mtimeMs = -1;
  private checkedAtMs = -Infinity;
  private reported = '';
  /** Bumped on every reload, so the rule book knows to re-sort. */
  version = 0;

  constructor(
    readonly path: string,
    private readonly now: () => number,
    private readonly onProblem: (message: string) => void,
  ) {
    this.reloadIfChanged();
  }

  current(): readonly CompiledRule[] {
    this.reloadIfChanged();
    return this.rules;
  }

  problems(): readonly string[] {
    return this.problemsNow;
  }

  private reloadIfChanged(): void {
    const now = this.now();
    if (now - this.checkedAtMs < RECHECK_MS) return;
    this.checkedAtMs = now;
    let text: string;
    try {
      const mtimeMs = statSync(this.path).mtimeMs;
      if (mtimeMs === this.mtimeMs) return;
      this.mtimeMs = mtimeMs;
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      this.mtimeMs = -1;
      return this.problem([`rules: cannot read ${this.path}: ${(error as Error).message}; keeping the rules loaded before`]);
    }
    let document: unknown;
    try {
      document = parse(text);
    } catch (error) {
      return this.problem([`rules: ${this.path} is not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}; keeping the rules loaded before`]);
    }
    const entries = Array.isArray(document) ? document : (document as { rules?: unknown } | null)?.rules ?? (document == null ? [] : null);
    if (!Array.isArray(entries)) return this.problem([`rules: ${this.path} must hold a list of rules (or "rules:" with one); keeping the rules loaded before`]);
    const problems: string[] = [];
    const loaded: CompiledRule[] = [];
    const names = new Set<string>();
    entries.slice(0, MAX_RULES).forEach((entry: unknown, i) => {
      try {
        const rule = parseRule(entry, `#${i + 1}`);
        if (names.has(rule.name)) throw new Error(`rule "${rule.name}": the name is used twice; the first one applies`);
        names.add(rule.name);
        loaded.push(compileRule(rule, 'file'));
      } catch (error) {
        problems.push(`rules: ${this.path}: ${(error as Error).message}; skipped`);
      }
    });
    if (entries.length > MAX_RULES) problems.push(`rules: ${this.path}: only the first ${MAX_RULES} rules apply`);
    this.rules = loaded;
    this.version++;
    this.problem(problems);
  }

  private problem(problems: string[]): void {
    this.problemsNow = problems;
    const message = problems.join('\n');
    if (message !== '' && message !== this.reported) for (const p of problems) this.onProblem(p);
    this.reported = message;
  }
}
