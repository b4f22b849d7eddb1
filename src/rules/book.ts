/**
 * The rules in force: those of the --rules file and those made through the API, together.
 *
 * How the two coexist: both apply, in one order (ascending priority, then name). File rules
 * belong to the file: the API lists them (`source: "file"`) but cannot change or delete them
 * (409), and cannot make an API rule with a file rule's name. API rules live in state.db and
 * survive restarts; the file is re-read when it changes. The sorted list is rebuilt only when
 * either side changed, so a message pays for the rules, not for their bookkeeping.
 */
import { RulesFile } from './file.js';
import { compileRule, ordered, type CompiledRule } from './match.js';
import type { RuleRepository } from './sqlite-rules.js';
import type { Rule, RuleSource } from './types.js';
import { MAX_RULES, parseRule, ruleToJson } from './validate.js';

export class RuleConflict extends Error {}

export interface ListedRule {
  source: RuleSource;
  rule: Rule;
}

export class RuleBook {
  private readonly api = new Map<string, CompiledRule>();
  private applying: CompiledRule[] = [];
  private fileVersion = -1;
  private apiChanged = true;
  private readonly startupProblems: string[] = [];

  constructor(
    private readonly file: RulesFile | null,
    private readonly repository: RuleRepository,
    private readonly now: () => number,
    onProblem: (message: string) => void,
  ) {
    for (const stored of repository.all()) {
      try {
        this.api.set(stored.name, compileRule(parseRule(JSON.parse(stored.json) as unknown, stored.name), 'api'));
      } catch (error) {
        // A rule this version no longer accepts: reported and left in state.db untouched.
        const message = `rules: stored rule "${stored.name}" is skipped: ${(error as Error).message}`;
        this.startupProblems.push(message);
        onProblem(message);
      }
    }
  }

  /** The enabled rules, in the order they apply. */
  inForce(): readonly CompiledRule[] {
    const fileRules = this.file?.current() ?? [];
    const fileVersion = this.file?.version ?? 0;
    if (fileVersion !== this.fileVersion || this.apiChanged) {
      this.applying = ordered([...fileRules, ...this.api.values()]);
      this.fileVersion = fileVersion;
      this.apiChanged = false;
    }
    return this.applying;
  }

  /** Every rule, enabled or not, with where it came from, in the order they apply. */
  list(): ListedRule[] {
    const all = [...(this.file?.current() ?? []), ...this.api.values()];
    return all
      .sort((a, b) => a.rule.priority - b.rule.priority || (a.rule.name < b.rule.name ? -1 : a.rule.name > b.rule.name ? 1 : 0))
      .map((r) => ({ source: r.source, rule: r.rule }));
  }

  get(name: string): ListedRule | null {
    const fromFile = this.file?.current().find((r) => r.rule.name === name);
    const found = fromFile ?? this.api.get(name);
    return found ? { source: found.source, rule: found.rule } : null;
  }

  problems(): string[] {
    return [...this.startupProblems, ...(this.file?.problems() ?? [])];
  }

  /** Create or replace an API rule (validated by parseRule); returns whether it was new. */
  put(input: unknown): { rule: Rule; created: boolean } {
    const rule = parseRule(input);
    if (this.file?.current().some((r) => r.rule.name === rule.name)) throw new RuleConflict(`rule "${rule.name}" is defined in the rules file; change it there`);
    const created = !this.api.has(rule.name);
    if (created && this.api.size >= MAX_RULES) throw new RuleConflict(`at most ${MAX_RULES} rules can be made through the API`);
    const compiled = compileRule(rule, 'api');
    this.repository.put(rule.name, JSON.stringify(ruleToJson(rule)), this.now());
    this.api.set(rule.name, compiled);
    this.apiChanged = true;
    return { rule, created };
  }

  /** Delete an API rule; false if there is none of that name. */
  remove(name: string): boolean {
    if (this.file?.current().some((r) => r.rule.name === name)) throw new RuleConflict(`rule "${name}" is defined in the rules file; remove it there`);
    if (!this.api.has(name)) return false;
    this.repository.remove(name);
    this.api.delete(name);
    this.apiChanged = true;
    return true;
  }
}
