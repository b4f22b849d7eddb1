/**
 * Rules compiled for ingest: each condition becomes one closure over the facts (fields read
 * once per message, regexes compiled once per rule), and a rule set is sorted once, when it
 * changes, not per message. `equals`, `prefix`, `suffix` and `contains` compare without case;
 * `regex` is case-sensitive (regex.ts says why). `ip` with `equals` takes an address or a CIDR
 * prefix (`10.0.0.0/8`).
 */
import { NetworkList } from '../policy/networks.js';
import { fieldSlot, type MessageFacts } from './facts.js';
import { boundedRegex } from './regex.js';
import type { Condition, Rule, RuleSource } from './types.js';

export type Test = (facts: MessageFacts) => boolean;

export interface CompiledRule {
  rule: Rule;
  source: RuleSource;
  matches: Test;
}

/*
 * One function literal per operator with a plain loop inside: each keeps its own monomorphic
 * string call (startsWith, endsWith…), measured ~2× faster than one `.some(test)` over a
 * closure chosen per operator.
 */
function compileCondition(condition: Condition): Test {
  const { field, op, value } = condition;
  const slot = fieldSlot(field);
  if (field === 'ip' && op === 'equals') {
    const networks = new NetworkList([value]);
    return (facts) => facts.values(field, slot).raw.some((ip) => networks.has(ip));
  }
  if (op === 'regex') {
    const pattern = boundedRegex(value);
    return (facts) => {
      const values = facts.values(field, slot).raw;
      for (let i = 0; i < values.length; i++) if (pattern.test(values[i]!)) return true;
      return false;
    };
  }
  const needle = value.toLowerCase();
  switch (op) {
    case 'equals':
      return (facts) => {
        const values = facts.values(field, slot).lower;
        for (let i = 0; i < values.length; i++) if (values[i] === needle) return true;
        return false;
      };
    case 'prefix':
      return (facts) => {
        const values = facts.values(field, slot).lower;
        for (let i = 0; i < values.length; i++) if (values[i]!.startsWith(needle)) return true;
        return false;
      };
    case 'suffix':
      return (facts) => {
        const values = facts.values(field, slot).lower;
        for (let i = 0; i < values.length; i++) if (values[i]!.endsWith(needle)) return true;
        return false;
      };
    default:
      return (facts) => {
        const values = facts.values(field, slot).lower;
        for (let i = 0; i < values.length; i++) if (values[i]!.includes(needle)) return true;
        return false;
      };
  }
}

export function compileRule(rule: Rule, source: RuleSource): CompiledRule {
  const tests = rule.conditions.map(compileCondition);
  const all = rule.match === 'all';
  const matches: Test =
    tests.length === 0
      ? () => true
      : (facts) => {
          for (let i = 0; i < tests.length; i++) if (tests[i]!(facts) !== all) return !all;
          return all;
        };
  return { rule, source, matches };
}

/** Enabled rules in the order they apply: ascending priority, then name, file rules before API ones of the same name. */
export function ordered(rules: readonly CompiledRule[]): CompiledRule[] {
  return rules
    .filter((r) => r.rule.enabled)
    .sort((a, b) => a.rule.priority - b.rule.priority || (a.rule.name < b.rule.name ? -1 : a.rule.name > b.rule.name ? 1 : 0) || (a.source === 'file' ? -1 : 1));
}
