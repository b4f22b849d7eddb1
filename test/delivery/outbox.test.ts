/**
 * The Outbox (src/delivery/outbox.ts): mail we generate is split as SMTP would route it.
 * Recipients at our domains are stored here, on a real store, with our own trace header and
 * no network; the rest reach the relay queue (a fake that records what would be relayed), and
 * `send` resolves only once both are committed. A bad recipient fails the whole send.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { LocalFirstOutbox, OutboxError } from '../../src/delivery/outbox.js';
import { MemoryEventBus } from '../../src/events/bus.js';
import type { OutboundMessage, QueueId, RelayQueue } from '../../src/relay/types.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { appendShown } from '../store/conformance.js';
import { ManualClock } from '../helpers/clock.js';

/** Records what would be relayed; `hold` keeps the next enqueue uncommitted until `release`. */
class FakeRelay implements RelayQueue {
  readonly queued: OutboundMessage[] = [];
  private held: (() => void) | null = null;
  hold = false;

  enqueue(message: OutboundMessage): Promise<QueueId> {
    this.queued.push(message);
    if (!this.hold) return Promise.resolve(this.queued.length);
    return new Promise((resolve) => (this.held = () => resolve(this.queued.length)));
  }

  release(): void {
    this.held?.();
  }
}

const RAW = Buffer.from('From: echo@tidemail.test\r\nTo: joe@tidemail.test\r\nSubject: Re: hello\r\nAuto-Submitted: auto-replied\r\n\r\nthe reply\r\n');
const NOW = Date.UTC(2026, 10, 21, 3, 39, 3);

let dir: string;
let store: SqliteStore;
const events = new MemoryEventBus();
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidemail-outbox-'));
  store = await SqliteStore.open({ path: join(dir, 'tidemail.db'), retention: { maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: 0 }, events });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function outbox(relay: RelayQueue | null, domains: string[] = ['tidemail.test']): LocalFirstOutbox {
  // Its appends resolve once the store shows them, so the test reads what a reader would.
  return new LocalFirstOutbox({ store: appendShown(store, events), relay, clock: new ManualClock(NOW), domains, hostname: 'mx.tidemail.test' });
}

function message(recipients: string[]): OutboundMessage {
  return { mailFrom: '', recipients, raw: RAW, origin: 'agent' };
}

async function newest(inbox: string) {
  const page = await store.list(inbox, { limit: 10, offset: 0 });
  const summary = page.messages[0];
  return summary ? { total: page.total, summary, raw: (await store.raw(summary.id))!.toString(), stored: (await store.get(summary.id))! } : { total: 0 };
}

it('stores recipients at our domains with a trace header of its own and relays only the others', async () => {
  const relay = new FakeRelay();
  await outbox(relay).send(message(['Joe+x@TideMail.test', 'ann@elsewhere.test']));
  assert.equal(relay.queued.length, 1);
  assert.deepEqual(relay.queued[0]!.recipients, ['ann@elsewhere.test']);
  assert.equal(relay.queued[0]!.mailFrom, '');
  assert.equal(relay.queued[0]!.origin, 'agent');
  assert.ok(relay.queued[0]!.raw.equals(RAW), 'the relay gets the message as generated, no header of ours added');

  const local = await newest('joe');
  assert.equal(local.total, 1);
  assert.match(local.raw!, /^Received: by mx\.tidemail\.test \(Tidemail generated agent\) id [0-9A-Z]+\r\n\tfor <Joe\+x@tidemail\.test>;\r\n\tSat, 21 Nov 2026 03:39:03 \+0000\r\n/);
  assert.ok(local.raw!.endsWith(RAW.toString()), 'the message follows our trace header unchanged');
  assert.equal(local.summary!.subject, 'Re: hello');
  assert.equal(local.summary!.receivedAtMs, NOW);
  assert.deepEqual(local.stored!.envelope.rcptTo, ['Joe+x@tidemail.test']);
  assert.equal(local.stored!.envelope.mailFrom, '');
  assert.equal((await newest('ann')).total, 0, 'nothing of the relayed recipient is stored here');
});

it('with no --domains every domain is ours: nothing goes to the relay', async () => {
  const relay = new FakeRelay();
  await outbox(relay, []).send(message(['bea@anywhere.example', 'cy@other.example']));
  assert.equal(relay.queued.length, 0);
  assert.equal((await newest('bea')).total, 1);
  assert.equal((await newest('cy')).total, 1);
});

it('resolves only once the relay queue has committed its part', async () => {
  const relay = new FakeRelay();
  relay.hold = true;
  let settled = false;
  const sending = outbox(relay)
    .send(message(['dee@remote.example']))
    .then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(relay.queued.length, 1);
  assert.equal(settled, false, 'send must wait for the relay queue to commit');
  relay.release();
  await sending;
  assert.equal(settled, true);
});

it('keeps copies in the inboxes asked for, one body with the recipients', async () => {
  const relay = new FakeRelay();
  const stored: Array<{ inboxes: readonly string[]; ids: readonly number[] }> = [];
  const box = new LocalFirstOutbox({ store: appendShown(store, events), relay, clock: new ManualClock(NOW), domains: ['tidemail.test'], hostname: 'mx.tidemail.test', afterLocalStore: (s) => stored.push(s) });
  await box.send(message(['eve@remote.example']), { copyToInboxes: ['echo'] });
  assert.deepEqual(relay.queued[0]!.recipients, ['eve@remote.example']);
  const copy = await newest('echo');
  assert.equal(copy.total, 1);
  assert.deepEqual(copy.stored!.envelope.rcptTo, [], 'the copy is no recipient of the message');
  assert.equal(stored.length, 1);
  assert.deepEqual(stored[0]!.inboxes, ['echo']);
  assert.deepEqual(stored[0]!.ids, [copy.summary!.id]);
});

it('refuses the whole send, keeping nothing, for a bad recipient or a remote one without a relay queue', async () => {
  const relay = new FakeRelay();
  await assert.rejects(outbox(relay).send(message(['fay@tidemail.test', 'not an address'])), OutboxError);
  await assert.rejects(outbox(null).send(message(['fay@tidemail.test', 'gil@remote.example'])), /no relay queue/);
  assert.equal(relay.queued.length, 0);
  assert.equal((await newest('fay')).total, 0);
});
