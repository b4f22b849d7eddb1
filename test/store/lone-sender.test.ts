/** The rule that tells a lone sender's appends (committed inline) from company's (group commit). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLEAN_PROBES, LoneSenderRule, PROBE_EVERY, type AppendRoute } from '../../src/store/sqlite/lone-sender.js';

/** Route `count` appends, each in a turn of its own, with `appendsInWriter` appends outstanding at each. */
function inTurnsOfTheirOwn(rule: LoneSenderRule, count: number, appendsInWriter = 0): AppendRoute[] {
  const routes: AppendRoute[] = [];
  for (let i = 0; i < count; i++) {
    routes.push(rule.route(appendsInWriter));
    rule.endTurn();
  }
  return routes;
}

const inline = (routes: AppendRoute[]) => routes.filter((r) => r === 'inline').length;

describe('LoneSenderRule', () => {
  it('a lone sender goes inline from the start, all but one append in PROBE_EVERY', () => {
    const routes = inTurnsOfTheirOwn(new LoneSenderRule(), 4 * PROBE_EVERY);
    assert.equal(routes[0], 'inline');
    assert.equal(inline(routes), 4 * PROBE_EVERY - 4);
    assert.equal(routes[PROBE_EVERY - 1], 'writer', 'the probe');
  });

  it('a second append in the same turn goes to the writer, and so do the next CLEAN_PROBES', () => {
    const rule = new LoneSenderRule();
    assert.equal(rule.route(0), 'inline');
    assert.equal(rule.route(0), 'writer', 'company: the same turn');
    rule.endTurn();
    const after = inTurnsOfTheirOwn(rule, CLEAN_PROBES + 1);
    assert.deepEqual(after, [...Array<AppendRoute>(CLEAN_PROBES).fill('writer'), 'inline']);
  });

  it('an append while another is in the writer goes to the writer and starts the count again', () => {
    const rule = new LoneSenderRule();
    inTurnsOfTheirOwn(rule, 3);
    assert.deepEqual(inTurnsOfTheirOwn(rule, 1, 1), ['writer']);
    assert.deepEqual(inTurnsOfTheirOwn(rule, CLEAN_PROBES - 1), Array<AppendRoute>(CLEAN_PROBES - 1).fill('writer'));
    assert.deepEqual(inTurnsOfTheirOwn(rule, 1, 2), ['writer'], 'company again before the count was reached');
    assert.equal(inline(inTurnsOfTheirOwn(rule, CLEAN_PROBES)), 0);
    assert.deepEqual(inTurnsOfTheirOwn(rule, 1), ['inline']);
  });

  it('senders that keep overlapping never go inline', () => {
    const rule = new LoneSenderRule();
    const routes: AppendRoute[] = [];
    // Twenty sessions answered together: each turn the first finds the writer idle, the rest find it busy.
    for (let turn = 0; turn < 100; turn++) {
      routes.push(rule.route(0));
      for (let other = 1; other < 20; other++) routes.push(rule.route(other));
      rule.endTurn();
    }
    assert.ok(inline(routes) <= 1, `inline ${inline(routes)}`);
  });
});
