/**
 * Routing rules at ingest (src/rules/delivery.ts) over a stand-in store target: each condition
 * field and operator, `all` and `any`, priority order, and each action — `drop` refuses with
 * 550 5.7.1 and stores nothing, `tag` and `discard-after` are recorded before the outcome
 * resolves (and the deadline is swept through the store on the clock), `webhook` adds the
 * rule's endpoint, `forward` hands a copy to the Outbox with the null sender, `agent` hands the
 * stored message to the named agent.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AgentHandOff } from '../../src/agents/types.js';
import type { DeliveryOutcome, DeliveryTarget, Incoming } from '../../src/delivery/ingest.js';
import { createLogger } from '../../src/log.js';
import type { OutboundMessage, Outbox } from '../../src/relay/types.js';
import { RuleDelivery } from '../../src/rules/delivery.js';
import { ExpirySweeper } from '../../src/rules/expiry.js';
import { RuleMarks } from '../../src/rules/marks.js';
import { compileRule, ordered } from '../../src/rules/match.js';
import { parseRule } from '../../src/rules/validate.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import type { MessageId } from '../../src/store/types.js';
import type { Endpoint } from '../../src/webhooks/endpoints.js';
import { TurnCommit } from '../../src/webhooks/turn-commit.js';
import { ManualClock } from '../helpers/clock.js';

const log = createLogger('silent');

function incoming(overrides: { from?: string; to?: string[]; ip?: string; header?: string } = {}): Incoming {
  const header =
    overrides.header ??
    'From: "Billing Dept" <billing@shop.example>\r\nTo: joe@tidemail.test\r\nSubject: =?UTF-8?Q?Invoice_n=C2=B0_42?= is ready\r\nX-Mailer: Acme/7.1\r\nX-Tag: one\r\nX-Tag: two\r\n';
  return {
    trace: { helo: 'client.example', remoteAddress: overrides.ip ?? '192.0.2.10', hostname: 'mx.tidemail.test', esmtp: true, tls: false, smtputf8: false, id: 'Q1' } as Incoming['trace'],
    envelope: { mailFrom: overrides.from ?? 'bounce@shop.example', rcptTo: overrides.to ?? ['Joe+x@Tidemail.test'], remoteAddress: overrides.ip ?? '192.0.2.10', helo: 'client.example', tls: false },
    inboxes: ['joe'],
    relayTo: [],
    segments: [Buffer.from(`${header}\r\nBody text\r\n`)],
    transcript: { remoteAddress: '192.0.2.10', helo: 'client.example', tls: null, connectedAtMs: 0, lines: [], truncated: false },
  };
}

class FakeStoreTarget implements DeliveryTarget {
  delivered = 0;
  deleted: MessageId[] = [];
  nextId = 1;
  async deliver(): Promise<DeliveryOutcome> {
    this.delivered++;
    return { kind: 'stored', ids: [this.nextId++] };
  }
  async raw(id: MessageId): Promise<Buffer | null> {
    return Buffer.from(`Received: by us; id ${id}\r\nSubject: x\r\n\r\nbody\r\n`);
  }
  async delete(ids: MessageId[]): Promise<MessageId[]> {
    this.deleted.push(...ids);
    return ids;
  }
}

let dir: string;
let state: StateDatabase;
let marks: RuleMarks;
let inner: FakeStoreTarget;
let clock: ManualClock;
let hooked: Endpoint[][];
let sent: OutboundMessage[];
let handed: Array<[string, MessageId]>;

const outbox: Outbox = { send: async (m) => void sent.push(m) };
const agents: AgentHandOff = { has: (name) => name === 'echo', handle: async (name, id) => void handed.push([name, id]) };

function target(rules: unknown[]): RuleDelivery {
  const compiled = ordered(rules.map((r) => compileRule(parseRule(r), 'api')));
  return new RuleDelivery({
    inner,
    rules: { inForce: () => compiled },
    marks,
    webhooks: { received: async (_m, extra) => void hooked.push([...extra]) },
    store: inner,
    clock,
    log,
    outbox,
    agents,
  });
}

/** Whether a one-condition rule tagging "hit" matches `message`. */
async function matches(condition: { field: string; op: string; value: string }, message = incoming()): Promise<boolean> {
  const outcome = await target([{ name: 'probe', conditions: [condition], actions: [{ tag: 'hit' }] }]).deliver(message);
  assert.equal(outcome.kind, 'stored');
  return marks.tagsOf((outcome as { ids: number[] }).ids[0]!).includes('hit');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidemail-rules-'));
  state = StateDatabase.inDataDir(dir);
  marks = new RuleMarks(state, new TurnCommit(state));
  inner = new FakeStoreTarget();
  clock = new ManualClock();
  hooked = [];
  sent = [];
  handed = [];
});

afterEach(() => {
  state.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rule conditions', () => {
  it('to: every envelope recipient, without case', async () => {
    assert.ok(await matches({ field: 'to', op: 'equals', value: 'joe+x@tidemail.test' }));
    assert.ok(await matches({ field: 'to', op: 'prefix', value: 'JOE' }));
    assert.ok(await matches({ field: 'to', op: 'suffix', value: '@tidemail.test' }));
    assert.ok(await matches({ field: 'to', op: 'contains', value: '+x@' }));
    assert.ok(await matches({ field: 'to', op: 'suffix', value: '@other.test' }, incoming({ to: ['a@tidemail.test', 'b@other.test'] })));
    assert.equal(await matches({ field: 'to', op: 'equals', value: 'joe@tidemail.test' }), false);
  });

  it('from: the envelope sender and the From header address', async () => {
    assert.ok(await matches({ field: 'from', op: 'equals', value: 'bounce@shop.example' }));
    assert.ok(await matches({ field: 'from', op: 'equals', value: 'billing@shop.example' }));
    assert.equal(await matches({ field: 'from', op: 'contains', value: 'Billing Dept' }), false, 'the display name is not the address');
  });

  it('subject: decoded (RFC 2047), and regex is case-sensitive', async () => {
    assert.ok(await matches({ field: 'subject', op: 'contains', value: 'invoice n° 42' }));
    assert.ok(await matches({ field: 'subject', op: 'regex', value: '^Invoice n. [0-9]+ is' }));
    assert.equal(await matches({ field: 'subject', op: 'regex', value: '^invoice' }), false);
    assert.ok(await matches({ field: 'subject', op: 'suffix', value: 'READY' }));
  });

  it('ip: an address or a CIDR prefix with equals; text operators too', async () => {
    assert.ok(await matches({ field: 'ip', op: 'equals', value: '192.0.2.10' }));
    assert.ok(await matches({ field: 'ip', op: 'equals', value: '192.0.2.0/24' }));
    assert.ok(await matches({ field: 'ip', op: 'equals', value: '192.0.2.0/24' }, incoming({ ip: '::ffff:192.0.2.99' })));
    assert.equal(await matches({ field: 'ip', op: 'equals', value: '10.0.0.0/8' }), false);
    assert.ok(await matches({ field: 'ip', op: 'prefix', value: '192.0.' }));
  });

  it('header:NAME: any field of that name, the name without case', async () => {
    assert.ok(await matches({ field: 'header:x-mailer', op: 'regex', value: '^Acme/[0-9]+\\.' }));
    assert.ok(await matches({ field: 'header:X-TAG', op: 'equals', value: 'two' }));
    assert.equal(await matches({ field: 'header:X-Missing', op: 'contains', value: 'a' }), false);
  });

  it('match all needs every condition, any needs one; no conditions match everything', async () => {
    const conditions = [{ field: 'to', op: 'prefix', value: 'joe' }, { field: 'subject', op: 'contains', value: 'nothing like it' }];
    const run = async (rule: Record<string, unknown>): Promise<readonly string[]> => {
      const outcome = (await target([{ name: 'r', actions: [{ tag: 'hit' }], ...rule }]).deliver(incoming())) as { ids: number[] };
      return marks.tagsOf(outcome.ids[0]!);
    };
    assert.deepEqual(await run({ match: 'all', conditions }), []);
    assert.deepEqual(await run({ match: 'any', conditions }), ['hit']);
    assert.deepEqual(await run({}), ['hit']);
    assert.deepEqual(await run({ enabled: false }), [], 'a disabled rule does nothing');
  });
});

describe('rule actions', () => {
  it('drop refuses with 550 5.7.1 at the end of DATA and stores nothing, whatever else matched', async () => {
    const outcome = await target([
      { name: 'tagger', priority: 1, actions: [{ tag: 'seen' }, { webhook: 'http://127.0.0.1:1/x' }] },
      { name: 'no-spam', priority: 2, conditions: [{ field: 'subject', op: 'contains', value: 'invoice' }], actions: [{ drop: true }] },
    ]).deliver(incoming());
    assert.deepEqual(outcome, { kind: 'refused', reply: { code: 550, enhanced: '5.7.1', text: 'Message refused by routing rule no-spam' } });
    assert.equal(inner.delivered, 0);
    assert.deepEqual(hooked, []);
    const custom = await target([{ name: 'd', actions: [{ drop: 'No invoices here' }] }]).deliver(incoming());
    assert.equal(custom.kind === 'refused' && custom.reply.text, 'No invoices here');
  });

  it('tag: labels in priority order, recorded in state.db before the outcome, there after a restart', async () => {
    const outcome = (await target([
      { name: 'b-second', priority: 20, actions: [{ tag: 'second' }] },
      { name: 'a-first', priority: 10, actions: [{ tag: 'first' }, { tag: 'second' }] },
    ]).deliver(incoming())) as { ids: number[] };
    const id = outcome.ids[0]!;
    assert.deepEqual(marks.tagsOf(id), ['first', 'second']);
    const reopened = new RuleMarks(state, new TurnCommit(state));
    assert.deepEqual(reopened.tagsOf(id), ['first', 'second']);
    await reopened.forget(id);
    assert.deepEqual(new RuleMarks(state, new TurnCommit(state)).tagsOf(id), []);
  });

  it('discard-after: the shortest deadline wins, and the sweeper deletes the message through the store then', async () => {
    const outcome = (await target([
      { name: 'short', actions: [{ 'discard-after': '10m' }] },
      { name: 'long', actions: [{ 'discard-after': '2h' }] },
    ]).deliver(incoming())) as { ids: number[] };
    const sweeper = new ExpirySweeper(marks, inner, clock, log);
    await sweeper.pass();
    assert.deepEqual(inner.deleted, []);
    clock.advance(10 * 60_000 - 1);
    await sweeper.pass();
    assert.deepEqual(inner.deleted, []);
    clock.advance(1);
    await sweeper.pass();
    assert.deepEqual(inner.deleted, outcome.ids);
    await sweeper.pass();
    assert.deepEqual(inner.deleted, outcome.ids, 'deleted once');
    await sweeper.stop();
  });

  it('webhook: the rule\'s endpoint joins the message.received deliveries, with its deleted option', async () => {
    await target([{ name: 'w', actions: [{ webhook: 'https://hooks.example.test/a', deleted: true }] }]).deliver(incoming());
    assert.deepEqual(hooked, [[{ url: 'https://hooks.example.test/a', wantsDeleted: true }]]);
  });

  it('forward: a copy as stored goes to the Outbox, from the null sender, marked as a rule\'s', async () => {
    const outcome = (await target([{ name: 'f', actions: [{ forward: 'books@example.org' }] }]).deliver(incoming())) as { ids: number[] };
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.mailFrom, '');
    assert.deepEqual(sent[0]!.recipients, ['books@example.org']);
    assert.equal(sent[0]!.origin, 'rule');
    assert.equal(sent[0]!.sourceId, outcome.ids[0]);
    assert.match(sent[0]!.raw.toString(), /^Received: by us; id 1\r\n/);
  });

  it('agent: the stored message is handed to the named agent; an unknown agent is skipped', async () => {
    const outcome = (await target([{ name: 'a', actions: [{ agent: 'echo' }, { agent: 'nobody' }] }]).deliver(incoming())) as { ids: number[] };
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(handed, [['echo', outcome.ids[0]]]);
  });

  it('with no rule matching, the message is stored as usual and nothing is recorded', async () => {
    const outcome = await target([{ name: 'x', conditions: [{ field: 'to', op: 'prefix', value: 'zzz' }], actions: [{ drop: true }] }]).deliver(incoming());
    assert.equal(outcome.kind, 'stored');
    assert.equal(inner.delivered, 1);
    assert.deepEqual(sent, []);
  });
});
