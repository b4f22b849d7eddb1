/**
 * Reading rules (src/rules/validate.ts, regex.ts, file.ts): what is refused and why, the round
 * trip to JSON, the regex bound (a catastrophic pattern finishes, a backreference is refused),
 * and the --rules file: YAML or JSON, a bad rule named and skipped, re-read when it changes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RulesFile } from '../../src/rules/file.js';
import { boundedRegex, MAX_PATTERN_CHARS } from '../../src/rules/regex.js';
import { parseRule, ruleToJson } from '../../src/rules/validate.js';

const ok = { name: 'r', actions: [{ tag: 't' }] };

describe('rule validation', () => {
  it('names the rule and the part that is wrong', () => {
    const refused: Array<[unknown, RegExp]> = [
      [{ ...ok, name: 'bad name!' }, /"name" must be/],
      [{ ...ok, match: 'some' }, /rule "r": "match" must be "all" or "any"/],
      [{ ...ok, actions: [] }, /"actions" must be a list of 1 to 16/],
      [{ ...ok, conditions: [{ field: 'body', op: 'equals', value: 'x' }] }, /condition 1: "field" must be one of to, from, subject, ip or header:NAME/],
      [{ ...ok, conditions: [{ field: 'to', op: 'like', value: 'x' }] }, /condition 1: "op" must be one of/],
      [{ ...ok, conditions: [{ field: 'subject', op: 'regex', value: '(a)\\1' }] }, /cannot run in linear time/],
      [{ ...ok, conditions: [{ field: 'subject', op: 'regex', value: '(' }] }, /does not compile/],
      [{ ...ok, conditions: [{ field: 'ip', op: 'equals', value: '10.0.0.0/40' }] }, /not an address or CIDR/],
      [{ ...ok, actions: [{ webhook: 'ftp://x.test/' }] }, /action 1: .*not an http or https URL/],
      [{ ...ok, actions: [{ forward: 'not an address' }] }, /action 1: .*is not an address/],
      [{ ...ok, actions: [{ 'discard-after': 'soon' }] }, /must be a duration/],
      [{ ...ok, actions: [{ tag: 'a', drop: true }] }, /action 1: expected one of/],
      [{ ...ok, priority: 1.5 }, /"priority" must be a whole number/],
      [{ ...ok, colour: 'red' }, /unknown key "colour"/],
    ];
    for (const [input, message] of refused) assert.throws(() => parseRule(input), message, JSON.stringify(input));
  });

  it('reads every action and writes the same JSON back', () => {
    const input = {
      name: 'all-actions',
      enabled: true,
      priority: 5,
      match: 'any',
      conditions: [{ field: 'header:x-mailer', op: 'prefix', value: 'Acme' }],
      actions: [{ webhook: 'https://h.example/a', deleted: true }, { drop: true }, { forward: 'a@b.example' }, { agent: 'echo' }, { tag: 'x' }, { 'discard-after': '90m' }],
    };
    assert.deepEqual(ruleToJson(parseRule(input)), input);
  });

  it('bounds regexes: a catastrophic pattern finishes quickly on the longest value, an over-long one is refused', () => {
    const pattern = boundedRegex('^(a+)+$');
    const started = process.hrtime.bigint();
    assert.equal(pattern.test('a'.repeat(1000) + '!'), false);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(ms < 500, `took ${ms} ms`);
    assert.throws(() => boundedRegex('a'.repeat(MAX_PATTERN_CHARS + 1)), /limited to 256/);
  });
});

describe('the rules file', () => {
  it('reads YAML, names and skips a bad rule, and is re-read when it changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemail-rulesfile-'));
    try {
      const path = join(dir, 'rules.yaml');
      writeFileSync(path, 'rules:\n  - name: good\n    actions: [{tag: one}]\n  - name: broken\n    actions: [{tag: two, drop: true}]\n');
      let now = 0;
      const problems: string[] = [];
      const file = new RulesFile(path, () => now, (p) => problems.push(p));
      assert.deepEqual(file.current().map((r) => r.rule.name), ['good']);
      assert.equal(problems.length, 1);
      assert.match(problems[0]!, /rule "broken": action 1: expected one of .*; skipped/);
      writeFileSync(path, JSON.stringify([{ name: 'json-rule', actions: [{ tag: 'x' }] }]));
      utimesSync(path, new Date(), new Date(Date.now() + 5_000));
      assert.deepEqual(file.current().map((r) => r.rule.name), ['good'], 'looked at most once a second');
      now += 1000;
      assert.deepEqual(file.current().map((r) => r.rule.name), ['json-rule']);
      assert.deepEqual(file.problems(), []);
      writeFileSync(path, 'rules: [unclosed');
      utimesSync(path, new Date(), new Date(Date.now() + 10_000));
      now += 1000;
      assert.deepEqual(file.current().map((r) => r.rule.name), ['json-rule'], 'a file that does not parse keeps the rules before');
      assert.match(file.problems()[0]!, /not valid JSON or YAML/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
