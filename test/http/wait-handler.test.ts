/**
 * The `wait` handler (src/http/wait.ts) in-process, on a manual clock, with a store whose answers
 * the test releases: the orderings the socket test (wait.test.ts) can only hope to hit. A
 * message committed while the handler is still asking the store must not be missed; one at or
 * before the cursor must not be returned; the timeout, a hang-up and a shutdown each end the wait
 * and free its listener and timer.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import type { HttpDeps } from '../../src/http/deps.js';
import { MemoryEventBus, type EventBus } from '../../src/events/bus.js';
import { HttpError } from '../../src/http/errors.js';
import type { RequestContext } from '../../src/http/router.js';
import { waitForMessage } from '../../src/http/wait.js';
import type { MessagePage, MessageSummary } from '../../src/store/types.js';
import { ManualClock } from '../helpers/clock.js';

function summary(id: number, inbox = 'joe'): MessageSummary {
  return { id, inbox, from: null, to: [], subject: `message ${id}`, dateMs: null, receivedAtMs: 0, size: 10, preview: '', attachments: 0, flags: [] };
}

/** The part of ServerResponse the handler uses, recording what was sent. */
class FakeResponse extends EventEmitter {
  status: number | null = null;
  body = '';
  destroyed = false;
  writableEnded = false;

  writeHead(status: number): this {
    this.status = status;
    return this;
  }

  end(body?: string): this {
    this.body = body ?? '';
    this.writableEnded = true;
    return this;
  }

  hangUp(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

/** A bus that counts its subscribers, to see the handler's listener go. */
class CountingBus extends MemoryEventBus implements EventBus {
  subscribers = 0;
  override subscribe(listener: Parameters<EventBus['subscribe']>[0]): () => void {
    this.subscribers++;
    const unsubscribe = super.subscribe(listener);
    return () => {
      this.subscribers--;
      unsubscribe();
    };
  }
}

/** Store calls the test answers by hand: `answer(…)` settles the oldest pending one. */
class HeldStore {
  readonly calls: Array<{ method: 'list' | 'listAfter'; args: unknown[]; resolve: (value: unknown) => void }> = [];

  list(...args: unknown[]): Promise<MessagePage> {
    return new Promise((resolve) => this.calls.push({ method: 'list', args, resolve: resolve as (value: unknown) => void }));
  }

  listAfter(...args: unknown[]): Promise<MessageSummary[]> {
    return new Promise((resolve) => this.calls.push({ method: 'listAfter', args, resolve: resolve as (value: unknown) => void }));
  }

  answer(value: MessagePage | MessageSummary[]): void {
    const call = this.calls.shift();
    assert.ok(call, 'the handler asked the store');
    call.resolve(value);
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function setup(query: string) {
  const clock = new ManualClock();
  const events = new CountingBus();
  const store = new HeldStore();
  const res = new FakeResponse();
  const shutdown = new AbortController();
  const request: RequestContext = {
    req: {} as IncomingMessage,
    res: res as unknown as ServerResponse,
    params: { inbox: 'joe' },
    query: new URLSearchParams(query),
    app: { events, store, clock } as unknown as HttpDeps,
    shutdown: shutdown.signal,
  };
  let finished = false;
  const done = waitForMessage(request).finally(() => (finished = true));
  return { clock, events, store, res, shutdown, done, finished: () => finished };
}

const stored = (id: number, inbox = 'joe') => ({ type: 'message.stored' as const, id, inbox, summary: summary(id, inbox) });

describe('wait handler', () => {
  it('answers at once with a message already newer than `after`', async () => {
    const w = setup('after=4&timeout=30');
    assert.deepEqual(w.store.calls[0]?.args, ['joe', 4, 1]);
    w.store.answer([summary(5)]);
    await w.done;
    assert.equal(w.res.status, 200);
    assert.equal(JSON.parse(w.res.body).id, 5);
    assert.equal(w.clock.timers, 0, 'the timer is gone');
    assert.equal(w.events.subscribers, 0, 'the listener is gone');
  });

  it('sees a message committed while the store is being asked (subscribed before asking)', async () => {
    const w = setup('after=4&timeout=30');
    w.events.publish(stored(5));
    w.store.answer([]);
    await w.done;
    assert.equal(JSON.parse(w.res.body).id, 5);
  });

  it('without `after`: the cursor is the newest id at call time; earlier and older mail is not the answer', async () => {
    const w = setup('timeout=30');
    assert.equal(w.store.calls[0]?.method, 'list');
    // Published while the store is asked: 7 is what the store will call newest, 8 came after it.
    w.events.publish(stored(7));
    w.events.publish(stored(3, 'other'));
    w.store.answer({ inbox: 'joe', total: 1, messages: [summary(7)] });
    await turn();
    assert.equal(w.finished(), false, 'the newest message at call time is not an answer');
    w.events.publish(stored(6));
    w.events.publish(stored(9, 'other'));
    await turn();
    assert.equal(w.finished(), false, 'older ids and other inboxes do not count');
    w.events.publish(stored(8));
    await w.done;
    assert.equal(JSON.parse(w.res.body).id, 8);
  });

  it('an arrival during the store query with a newer id than the newest answers at once', async () => {
    const w = setup('timeout=30');
    w.events.publish(stored(8));
    w.store.answer({ inbox: 'joe', total: 1, messages: [summary(7)] });
    await w.done;
    assert.equal(JSON.parse(w.res.body).id, 8);
  });

  it('answers 204 when the timeout passes, not a moment before', async () => {
    const w = setup('after=0&timeout=30');
    w.store.answer([]);
    await turn();
    w.clock.advance(29_999);
    await turn();
    assert.equal(w.finished(), false);
    w.clock.advance(1);
    await w.done;
    assert.equal(w.res.status, 204);
    assert.equal(w.res.body, '');
    assert.equal(w.events.subscribers, 0);
  });

  it('a hang-up ends the wait without writing, and frees the timer and listener', async () => {
    const w = setup('after=0&timeout=300');
    w.store.answer([]);
    await turn();
    assert.equal(w.events.subscribers, 1);
    assert.equal(w.clock.timers, 1);
    w.res.hangUp();
    await w.done;
    assert.equal(w.res.status, null, 'nothing written to a closed response');
    assert.equal(w.clock.timers, 0);
    assert.equal(w.events.subscribers, 0);
  });

  it('a shutdown ends the wait with 204', async () => {
    const w = setup('after=0&timeout=300');
    w.store.answer([]);
    await turn();
    w.shutdown.abort();
    await w.done;
    assert.equal(w.res.status, 204);
    assert.equal(w.clock.timers, 0);
  });

  it('refuses an `after` that is not a message id, asking nothing', async () => {
    for (const after of ['-1', '1.5', 'x', '01', '12345678901234567']) {
      const w = setup(`after=${after}`);
      await assert.rejects(w.done, (error: unknown) => error instanceof HttpError && error.status === 400, after);
      assert.equal(w.store.calls.length, 0);
      assert.equal(w.events.subscribers, 0);
    }
  });
});
