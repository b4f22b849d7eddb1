/**
 * The agents' worker on a ManualClock, a real store and a real state.db: rate limits (the
 * per-sender and global caps per window, template's Sieve-vacation `days`), pending work that
 * survives a restart, a failing agent retried on the clock and then given up, and the rules'
 * hand-off. Mail comes in through the delivery wrapper (AgentIntake around StoreDelivery), as
 * SMTP hands it over; replies go to an outbox that records them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, it } from 'node:test';
import { AgentDirectory } from '../../src/agents/directory.js';
import { AgentInboxHandOff } from '../../src/agents/hand-off.js';
import { AgentIntake } from '../../src/agents/intake.js';
import { SqliteAgentState } from '../../src/agents/state.js';
import { AgentWorker, FAILURE_RETRY_MS, type AgentOutcome } from '../../src/agents/worker.js';
import type { Rate } from '../../src/config.js';
import { StoreDelivery, type Incoming } from '../../src/delivery/ingest.js';
import type { SendOptions } from '../../src/delivery/outbox.js';
import { MemoryEventBus } from '../../src/events/bus.js';
import type { OutboundMessage } from '../../src/relay/types.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { ManualClock } from '../helpers/clock.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const AGENTS = ['echo@: { kind: echo }', 'auto@: { kind: template, body: "Away until Monday; you wrote about {{subject}}.", days: 7 }', 'down@: { kind: http, url: "http://127.0.0.1:1/", secret: s }'].join('\n');

interface Fixture {
  clock: ManualClock;
  events: MemoryEventBus;
  store: SqliteStore;
  sent: Array<{ message: OutboundMessage; options: SendOptions | undefined }>;
  outcomes: Array<[AgentOutcome, string]>;
  worker: AgentWorker;
  directory: AgentDirectory;
  /** A new worker on the same state.db and store (a restart). */
  restart(): AgentWorker;
  /** Deliver as SMTP does, through the agents' wrapper around the store's target. */
  deliver(from: string, to: string, subject: string, extraHeaders?: string): Promise<number>;
  /** Warnings logged (a failing agent's tries). */
  warnings: string[];
  /** Resolves at the next warning. */
  nextWarning(): Promise<string>;
  /** Run due work until `count` more outcomes are in. */
  settle(count: number): Promise<Array<[AgentOutcome, string]>>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fixture(limits: { senderRate?: Rate; globalRate?: Rate } = {}, hidden = new Set<number>(), asked?: () => void): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-agent-worker-'));
  const clock = new ManualClock(Date.UTC(2026, 5, 1));
  const events = new MemoryEventBus();
  const store = await SqliteStore.open({ path: join(dir, 'tidemail.db'), retention: { maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: 0 }, events });
  const stateDb = StateDatabase.inDataDir(dir);
  writeFileSync(join(dir, 'agents.yaml'), AGENTS);
  const directory = new AgentDirectory(join(dir, 'agents.yaml'), { programDir: '', webhookSecret: '', clock, hostname: 'mx.tidemail.test' }, (p) => assert.fail(p));
  const sent: Fixture['sent'] = [];
  const outcomes: Fixture['outcomes'] = [];
  let wake: (() => void) | null = null;
  const warnings: string[] = [];
  let warned: ((message: string) => void) | null = null;
  const log = {
    info() {},
    error() {},
    warn(_fields: object, message: string) {
      warnings.push(message);
      warned?.(message);
    },
  };
  const workers: AgentWorker[] = [];
  const newWorker = (): AgentWorker => {
    const worker = new AgentWorker({
      state: new SqliteAgentState(stateDb),
      directory,
      // The store shows a message only once its parse has committed: `get` answers null until then.
      store: {
        get: async (id) => {
          asked?.();
          return hidden.has(id) ? null : store.get(id);
        },
        raw: (id) => store.raw(id),
        transcript: (id) => store.transcript(id),
      },
      events,
      outbox: { send: async (message, options) => void sent.push({ message, options }) },
      clock,
      log,
      hostname: 'mx.tidemail.test',
      domains: ['tidemail.test'],
      senderRate: limits.senderRate ?? { count: 0, windowMs: 0 },
      globalRate: limits.globalRate ?? { count: 0, windowMs: 0 },
      onOutcome: (outcome, reason) => {
        outcomes.push([outcome, reason]);
        wake?.();
      },
    });
    workers.push(worker);
    worker.start();
    return worker;
  };
  const f: Fixture = {
    clock,
    events,
    store,
    sent,
    outcomes,
    directory,
    warnings,
    nextWarning: () => new Promise((resolve) => (warned = resolve)),
    worker: newWorker(),
    restart: () => (f.worker = newWorker()),
    async deliver(from, to, subject, extraHeaders = '') {
      const intake = new AgentIntake(new StoreDelivery(store, clock), directory, (work) => f.worker.record(work));
      const incoming: Incoming = {
        trace: { helo: 'client.test', remoteAddress: '127.0.0.1', hostname: 'mx.tidemail.test', esmtp: true, tls: false, smtputf8: false, id: 'Q1' },
        envelope: { mailFrom: from, rcptTo: [to], remoteAddress: '127.0.0.1', helo: 'client.test', tls: false },
        inboxes: [to.slice(0, to.indexOf('@'))],
        relayTo: [],
        segments: [Buffer.from(`From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@client.test>\r\n${extraHeaders}\r\nHello.\r\n`)],
        transcript: { remoteAddress: '127.0.0.1', helo: 'client.test', tls: null, connectedAtMs: clock.now(), lines: [], truncated: false },
      };
      // Returns once the store shows the message (its parse committed), as a reader would see it.
      const shown = new Set<number>();
      let awaited = 0;
      let resolveShown: () => void = () => {};
      const unsubscribe = events.subscribe((e) => {
        if (e.type !== 'message.stored') return;
        shown.add(e.id);
        if (e.id === awaited) resolveShown();
      });
      try {
        const outcome = await intake.deliver(incoming);
        assert.equal(outcome.kind, 'stored');
        const id = outcome.kind === 'stored' ? outcome.ids[0]! : 0;
        awaited = id;
        if (!shown.has(id)) await new Promise<void>((resolve) => (resolveShown = resolve));
        return id;
      } finally {
        unsubscribe();
      }
    },
    async settle(count) {
      const target = outcomes.length + count;
      const started = outcomes.length;
      const deadline = Date.now() + 10_000;
      while (outcomes.length < target) {
        if (Date.now() > deadline) throw new Error(`only ${outcomes.length - started} of ${count} outcomes in 10 s`);
        const arrived = new Promise<void>((resolve) => (wake = resolve));
        clock.advance(0);
        await Promise.race([arrived, new Promise((resolve) => setTimeout(resolve, 50))]);
      }
      return outcomes.slice(started);
    },
  };
  cleanups.push(async () => {
    for (const worker of workers) await worker.stop();
    stateDb.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return f;
}

it('caps replies per sender per window, for every kind together, and opens again after it', async () => {
  const f = await fixture({ senderRate: { count: 2, windowMs: HOUR_MS } });
  for (const subject of ['one', 'two', 'three']) await f.deliver('ann@tidemail.test', 'echo@tidemail.test', subject);
  await f.deliver('bob@tidemail.test', 'echo@tidemail.test', 'other sender');
  assert.deepEqual(await f.settle(4), [
    ['replied', 'echo'],
    ['replied', 'echo'],
    ['limited', 'sender-rate'],
    ['replied', 'echo'],
  ]);
  f.clock.advance(HOUR_MS - 1);
  await f.deliver('ann@tidemail.test', 'echo@tidemail.test', 'still within the hour');
  assert.deepEqual(await f.settle(1), [['limited', 'sender-rate']]);
  f.clock.advance(1);
  await f.deliver('ANN@tidemail.test', 'echo@tidemail.test', 'an hour later');
  assert.deepEqual(await f.settle(1), [['replied', 'echo']], 'the window has moved on (and senders compare case-insensitively)');
  assert.deepEqual(
    f.sent.map((s) => s.message.recipients[0]),
    ['ann@tidemail.test', 'ann@tidemail.test', 'bob@tidemail.test', 'ANN@tidemail.test'],
  );
});

it('caps replies to everyone per window (the global cap)', async () => {
  const f = await fixture({ globalRate: { count: 3, windowMs: HOUR_MS } });
  for (const sender of ['a', 'b', 'c', 'd']) await f.deliver(`${sender}@tidemail.test`, 'echo@tidemail.test', `from ${sender}`);
  assert.deepEqual((await f.settle(4)).map(([o]) => o), ['replied', 'replied', 'replied', 'limited']);
  assert.deepEqual(f.outcomes.at(-1), ['limited', 'global-rate']);
  f.clock.advance(HOUR_MS);
  await f.deliver('d@tidemail.test', 'echo@tidemail.test', 'again');
  assert.deepEqual(await f.settle(1), [['replied', 'echo']]);
});

it('template answers one sender once per `days` (Sieve vacation, RFC 5230), each sender on its own', async () => {
  const f = await fixture();
  await f.deliver('cy@tidemail.test', 'auto@tidemail.test', 'first');
  await f.deliver('cy@tidemail.test', 'auto@tidemail.test', 'second');
  await f.deliver('dee@tidemail.test', 'auto@tidemail.test', 'another sender');
  await f.deliver('cy@tidemail.test', 'echo@tidemail.test', 'another agent');
  assert.deepEqual(await f.settle(4), [
    ['replied', 'template'],
    ['limited', 'once-per-sender'],
    ['replied', 'template'],
    ['replied', 'echo'],
  ]);
  const reply = f.sent[0]!.message.raw.toString();
  assert.match(reply, /\r\n\r\nAway until Monday; you wrote about first\.\r\n$/);
  assert.match(reply, /\r\nSubject: Re: first\r\n/);
  f.clock.advance(7 * DAY_MS - 1);
  await f.deliver('cy@tidemail.test', 'auto@tidemail.test', 'a week less a moment');
  assert.deepEqual(await f.settle(1), [['limited', 'once-per-sender']]);
  f.clock.advance(1);
  await f.deliver('cy@tidemail.test', 'auto@tidemail.test', 'a week later');
  assert.deepEqual(await f.settle(1), [['replied', 'template']]);
});

it('keeps pending work across a restart: recorded before the 250, answered by the next worker', async () => {
  const f = await fixture();
  await f.worker.stop();
  // The "crash": the message is stored and its work recorded, but this worker never runs again.
  await f.deliver('eve@tidemail.test', 'echo@tidemail.test', 'survive this');
  assert.equal(f.sent.length, 0);
  f.restart();
  assert.deepEqual(await f.settle(1), [['replied', 'echo']]);
  assert.deepEqual(f.sent[0]!.message.recipients, ['eve@tidemail.test']);
  assert.deepEqual(f.sent[0]!.options?.copyToInboxes, ['echo'], "the agent's inbox keeps a copy");
});

it('tries a failing agent again on the clock, then gives it up', async () => {
  const f = await fixture();
  await f.deliver('fay@tidemail.test', 'down@tidemail.test', 'nobody home');
  for (const delayMs of FAILURE_RETRY_MS) {
    // Each try fails (connection refused) and is postponed by its delay; nothing is decided yet.
    const warning = f.nextWarning();
    f.clock.advance(0);
    assert.equal(await warning, 'agent failed; will try again');
    assert.equal(f.outcomes.length, 0);
    f.clock.advance(delayMs - 1);
    assert.equal(f.warnings.length, FAILURE_RETRY_MS.indexOf(delayMs) + 1, 'not tried again before its delay');
    f.clock.advance(1);
  }
  assert.deepEqual(await f.settle(1), [['failed', 'http']]);
  assert.equal(f.sent.length, 0);
});

it('hands a stored message to a named agent for the rules, replying from the agent and keeping the copy with the message', async () => {
  const f = await fixture();
  const handOff = new AgentInboxHandOff(f.directory, f.worker);
  assert.equal(handOff.has('auto@'), true);
  assert.equal(handOff.has('nobody'), false);
  const id = await f.deliver('gus@tidemail.test', 'joe@tidemail.test', 'for the rules');
  assert.equal(f.outcomes.length, 0, 'mail to a plain inbox is no agent work');
  const handled = handOff.handle('auto@', id);
  await f.settle(1);
  await handled;
  assert.deepEqual(f.sent[0]!.message.recipients, ['gus@tidemail.test']);
  assert.equal(f.sent[0]!.message.mailFrom, '');
  assert.match(f.sent[0]!.message.raw.toString(), /^From: auto@tidemail\.test\r\n/);
  assert.deepEqual(f.sent[0]!.options?.copyToInboxes, ['joe']);
  // A message the agent must decline still resolves, without a reply.
  const bounce = await f.deliver('', 'joe@tidemail.test', 'a bounce');
  const declined = handOff.handle('auto@', bounce);
  assert.deepEqual(await f.settle(1), [['declined', 'null-sender']]);
  await declined;
  await handOff.handle('nobody', bounce);
  assert.equal(f.sent.length, 1);
});

it('waits for a message the store does not show yet, and answers it as soon as the store announces it', async () => {
  const hidden = new Set<number>();
  let asked: () => void = () => {};
  const f = await fixture({}, hidden, () => asked());
  const id = await f.deliver('hal@tidemail.test', 'echo@tidemail.test', 'not parsed yet');
  hidden.add(id);
  const firstLook = new Promise<void>((resolve) => (asked = resolve));
  f.clock.advance(0);
  await firstLook;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(f.outcomes.length, 0, 'nothing decided while the message is not shown');
  // The clock does not move: only the announcement can bring the work forward.
  hidden.delete(id);
  const summary = (await f.store.get(id))!;
  f.events.publish({ type: 'message.stored', id, inbox: 'echo', summary });
  assert.deepEqual(await f.settle(1), [['replied', 'echo']]);
});
