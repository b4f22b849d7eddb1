/**
 * The webhook queue and dispatcher (src/webhooks/) against a real receiver on loopback, with
 * retries driven by a manual clock: signed requests, the Svix schedule to the minute, 500 then
 * 200, a slow receiver timed out and retried, the queue surviving a restart (a new Webhooks on
 * the same state.db), the per-endpoint bound, and `message.deleted` for endpoints that asked.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MemoryEventBus } from '../../src/events/bus.js';
import { createLogger } from '../../src/log.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import type { MessageId, StoredMessage } from '../../src/store/types.js';
import { MAX_ATTEMPTS, RETRY_DELAYS_MS, type AttemptOutcome } from '../../src/webhooks/dispatcher.js';
import { parseEndpoint } from '../../src/webhooks/endpoints.js';
import { TurnCommit } from '../../src/webhooks/turn-commit.js';
import { Webhooks } from '../../src/webhooks/webhooks.js';
import { ManualClock } from '../helpers/clock.js';
import { HookReceiver } from './receiver.js';

const SECRET = 'whsec_' + Buffer.from('a test secret of 24 bytes').toString('base64');
const TIMEOUT_MS = 10_000;

function storedMessage(id: MessageId): StoredMessage {
  return {
    id,
    inbox: 'joe',
    from: { name: 'Shop', address: 'shop@example.test' },
    to: [{ name: '', address: 'joe@tidemail.test' }],
    subject: 'Your code is 482913',
    dateMs: null,
    receivedAtMs: Date.UTC(2026, 0, 1),
    size: 100,
    preview: 'Your code is 482913',
    attachments: 0,
    codes: ['482913'],
    links: ['https://shop.example.test/confirm?t=1'],
    flags: [],
    envelope: { mailFrom: 'shop@example.test', rcptTo: ['joe@tidemail.test'], remoteAddress: '127.0.0.1', helo: 'x', tls: false },
    parsed: { headers: [], text: '', html: '', attachments: [], links: [], codes: [], preview: '' },
  } as StoredMessage;
}

let dir: string;
let receiver: HookReceiver;
let clock: ManualClock;
const open: Array<{ webhooks: Webhooks; state: StateDatabase }> = [];
let outcomes: AttemptOutcome[];
let outcomeWaiters: Array<() => void>;

function start(endpoints: string[], maxPerEndpoint = 4): { webhooks: Webhooks; events: MemoryEventBus; state: StateDatabase } {
  const state = StateDatabase.inDataDir(dir);
  const events = new MemoryEventBus();
  const webhooks = new Webhooks({
    state,
    commit: new TurnCommit(state),
    // Every message here was shown already (its id is below nextId): 404 is one deleted since.
    store: { get: async (id) => (id === 404 ? null : storedMessage(id)), nextId: async () => 1_000_000 },
    events,
    clock,
    log: createLogger('silent'),
    endpoints: endpoints.map((e) => parseEndpoint(e)),
    secret: SECRET,
    maxPerEndpoint,
    timeoutMs: TIMEOUT_MS,
    publicUrl: () => 'https://mail.example.test',
    tagsOf: (id) => (id === 7 ? ['billing'] : []),
    onAttempt: (outcome) => {
      outcomes.push(outcome);
      for (const wake of outcomeWaiters.splice(0)) wake();
    },
  });
  webhooks.start();
  open.push({ webhooks, state });
  return { webhooks, events, state };
}

/** Resolves once `count` attempts in all have finished, and the dispatcher has rescheduled. */
async function attempts(count: number): Promise<void> {
  while (outcomes.length < count) await new Promise<void>((resolve) => outcomeWaiters.push(resolve));
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidemail-hooks-'));
  receiver = await new HookReceiver(SECRET).listen();
  clock = new ManualClock();
  outcomes = [];
  outcomeWaiters = [];
});

afterEach(async () => {
  for (const { webhooks, state } of open.splice(0)) {
    webhooks.stop();
    state.close();
  }
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('webhook deliveries', () => {
  it('posts message.received signed as Standard Webhooks, with the summary, its codes, links, tags and absolute URLs', async () => {
    const { webhooks } = start([receiver.url()]);
    await webhooks.received([{ id: 7, inbox: 'joe' }], []);
    const [hook] = await receiver.requests(1);
    assert.ok(hook!.signatureValid, 'the signature verifies with the shared secret');
    assert.match(hook!.id, /^msg_/);
    assert.equal(hook!.timestamp, Math.floor(clock.now() / 1000));
    assert.equal(hook!.json.type, 'message.received');
    const data = hook!.json.data;
    assert.equal(data.id, 7);
    assert.deepEqual(data.codes, ['482913']);
    assert.deepEqual(data.links, ['https://shop.example.test/confirm?t=1']);
    assert.deepEqual(data.tags, ['billing']);
    assert.deepEqual(data.urls, {
      json: 'https://mail.example.test/api/v1/messages/7',
      raw: 'https://mail.example.test/api/v1/messages/7/raw',
      html: 'https://mail.example.test/api/v1/messages/7/html',
      web: 'https://mail.example.test/message/7',
    });
    await attempts(1);
    const [delivery] = webhooks.list({ limit: 10 });
    assert.equal(delivery!.state, 'delivered');
    assert.equal(delivery!.attempts, 1);
    assert.equal(delivery!.lastStatus, 200);
  });

  it('answers 500 then 200: retried after 5 s with the same webhook-id and body, then delivered', async () => {
    receiver.script.push(500);
    const { webhooks } = start([receiver.url()]);
    await webhooks.received([{ id: 1, inbox: 'joe' }], []);
    await attempts(1);
    assert.equal(webhooks.list({ limit: 1 })[0]!.state, 'pending');
    assert.equal(webhooks.list({ limit: 1 })[0]!.lastStatus, 500);
    clock.advance(RETRY_DELAYS_MS[0]! - 1);
    assert.equal(receiver.received.length + webhooks.list({ limit: 1 })[0]!.attempts, 2, 'not retried before 5 s');
    clock.advance(1);
    const [first, second] = await receiver.requests(2);
    assert.equal(second!.id, first!.id);
    assert.equal(second!.body, first!.body);
    assert.ok(second!.signatureValid);
    await attempts(2);
    assert.equal(webhooks.list({ limit: 1 })[0]!.state, 'delivered');
  });

  it('follows the schedule (at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h), then marks the delivery failed', async () => {
    for (let i = 0; i < MAX_ATTEMPTS; i++) receiver.script.push(503);
    const { webhooks } = start([receiver.url()]);
    await webhooks.received([{ id: 1, inbox: 'joe' }], []);
    await attempts(1);
    assert.equal(MAX_ATTEMPTS, 8);
    assert.deepEqual(RETRY_DELAYS_MS, [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    for (const [i, delayMs] of RETRY_DELAYS_MS.entries()) {
      clock.advance(delayMs - 1);
      assert.equal(webhooks.list({ limit: 1 })[0]!.attempts, i + 1, `attempt ${i + 2} not before its delay`);
      clock.advance(1);
      await attempts(i + 2);
      assert.equal(receiver.received.length, i + 2);
    }
    const [delivery] = webhooks.list({ limit: 1 });
    assert.equal(delivery!.state, 'failed');
    assert.equal(delivery!.attempts, 8);
    assert.deepEqual(outcomes, [...Array(7).fill('retry'), 'failed']);
    clock.advance(100 * 3_600_000);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(receiver.received.length, 8, 'nothing after it failed');
  });

  it('times out a slow receiver after 10 s and retries it', async () => {
    receiver.script.push('hold');
    const { webhooks } = start([receiver.url()]);
    await webhooks.received([{ id: 1, inbox: 'joe' }], []);
    await receiver.requests(1);
    clock.advance(TIMEOUT_MS);
    await attempts(1);
    const [delivery] = webhooks.list({ limit: 1 });
    assert.equal(delivery!.state, 'pending');
    assert.match(delivery!.lastError ?? '', /no answer within 10000 ms/);
    clock.advance(RETRY_DELAYS_MS[0]!);
    await receiver.requests(2);
    await attempts(2);
    assert.equal(webhooks.list({ limit: 1 })[0]!.state, 'delivered');
  });

  it('keeps the queue across a restart: a delivery that failed before is sent by the next process', async () => {
    const port = receiver.port;
    await receiver.close();
    const first = start([`http://127.0.0.1:${port}/hook`]);
    await first.webhooks.received([{ id: 3, inbox: 'joe' }], []);
    await attempts(1);
    assert.match(first.webhooks.list({ limit: 1 })[0]!.lastError ?? '', /ECONNREFUSED/);
    first.webhooks.stop();
    first.state.close();
    open.splice(0);

    receiver = await new HookReceiver(SECRET).listen(port);
    const second = start([`http://127.0.0.1:${port}/hook`]);
    clock.advance(RETRY_DELAYS_MS[0]!);
    const [hook] = await receiver.requests(1);
    assert.equal(hook!.json.data.id, 3);
    await attempts(2);
    assert.equal(second.webhooks.list({ limit: 1 })[0]!.state, 'delivered');
  });

  it('bounds requests in flight per endpoint and drops nothing beyond the bound', async () => {
    for (let i = 0; i < 10; i++) receiver.script.push('hold');
    const { webhooks } = start([receiver.url()], 2);
    await webhooks.received(Array.from({ length: 10 }, (_, i) => ({ id: i + 1, inbox: 'joe' })), []);
    await receiver.requests(2);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(receiver.heldCount, 2, 'two in flight, the rest wait in the queue');
    for (let done = 2; done < 10; done += 2) {
      receiver.release();
      await receiver.requests(done + 2);
    }
    receiver.release();
    await attempts(10);
    assert.equal(webhooks.counts().delivered, 10);
    assert.deepEqual(new Set(receiver.received.map((r) => r.json.data.id)).size, 10);
  });

  it('announces message.deleted only to endpoints that asked for it (#deleted, or a rule webhook with deleted: true)', async () => {
    const plain = await new HookReceiver(SECRET).listen();
    try {
      const { webhooks, events } = start([receiver.url('/all#deleted'), plain.url('/plain')]);
      const ruleHook = parseEndpoint(receiver.url('/rule'), true);
      await webhooks.received([{ id: 5, inbox: 'joe' }], [ruleHook]);
      await receiver.requests(2);
      await plain.requests(1);
      await attempts(3);
      events.publish({ type: 'message.deleted', id: 5, inbox: 'joe' });
      const hooks = await receiver.requests(4);
      const deleted = hooks.filter((h) => h.json.type === 'message.deleted');
      assert.deepEqual(deleted.map((h) => h.path).sort(), ['/all', '/rule']);
      assert.deepEqual(deleted[0]!.json.data, { id: 5, inbox: 'joe' });
      await attempts(5);
      assert.equal(plain.received.length, 1, 'the plain endpoint hears only of the arrival');
    } finally {
      await plain.close();
    }
  });

  it('announces a message deleted before its first attempt with deleted: true', async () => {
    const { webhooks } = start([receiver.url()]);
    await webhooks.received([{ id: 404, inbox: 'joe' }], []);
    const [hook] = await receiver.requests(1);
    assert.deepEqual(hook!.json.data, { id: 404, inbox: 'joe', deleted: true, urls: {
      json: 'https://mail.example.test/api/v1/messages/404', raw: 'https://mail.example.test/api/v1/messages/404/raw',
      html: 'https://mail.example.test/api/v1/messages/404/html', web: 'https://mail.example.test/message/404' } });
  });
});
