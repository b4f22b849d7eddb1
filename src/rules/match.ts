/**
 * Rules compiled for ingest: each condition becomes one closure over the facts (fields read
 * once per message, regexes compiled once per rule), and a rule set is sorted once, when it
 * changes, not per message. `equals`, `prefix`, `suffix` and `contains` compare without case;
 * `regex` is case-sensitive (regex.ts says why). `ip` with `equals` takes an address or a CIDR
 * prefix (`10.0.0.0/8`).
 */
import { NetworkList } from '../policy/networks.js';
import type { MessageFacts } from './facts.js';
import { boundedRegex } from './regex.js';
import type { Condition, Rule, RuleSource } from './types.js';

export type Test = (facts: MessageFacts) => boolean;

export interface CompiledRule {
  rule: Rule;
  source: RuleSource;
  matches: Test;
}

function compileCondition(condition: Condition): Test {
  const { field, op, value } = condition;
  if (field === 'ip' && op === 'equals') {
    const networks = new NetworkList([value]);
    return (facts) => facts.values('ip').raw.some((ip) => networks.has(ip));
  }
  if (op === 'regex') {
    const pattern = boundedRegex(value);
    return (facts) => facts.values(field).raw.some((v) => pattern.test(v));
  }
  const needle = value.toLowerCase();
  const test: (v: string) => boolean =
    op === 'equals' ? (v) => v === needle : op === 'prefix' ? (v) => v.startsWith(needle) : op === 'suffix' ? (v) => v.endsWith(needle) : (v) => v.includes(needle);
  return (facts) => facts.values(field).lower.some(test);
}

export function compileRule(rule: Rule, source: RuleSource): CompiledRule {
  const tests = rule.conditions.map(compileCondition);
  const matches: Test =
    tests.length === 0 ? () => true : rule.match === 'all' ? (facts) => tests.every((t) => t(facts)) : (facts) => tests.some((t) => t(facts));
  return { rule, source, matches };
}

/** Enabled rules in the order they apply: ascending priority, then name, file rules before API ones of the same name. */
export function ordered(rules: readonly CompiledRule[]): CompiledRule[] {
  return rules
    .filter((r) => r.rule.enabled)
    .sort((a, b) => a.rule.priority - b.rule.priority || (a.rule.name < b.rule.name ? -1 : a.rule.name > b.rule.name ? 1 : 0) || (a.source === 'file' ? -1 : 1));
}
