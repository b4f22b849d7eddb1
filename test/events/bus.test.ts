/**
 * The in-memory event bus (src/events/bus.ts): every event gets the next seq; subscribers get
 * each event once, in order, until they unsubscribe; a faulty subscriber does not stop the
 * others; `since(seq)` replays what is still held, or says the reader must resync.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MemoryEventBus, type SequencedEvent, type StoreEvent } from '../../src/events/bus.js';

const deleted = (id: number, inbox = 'joe'): StoreEvent => ({ type: 'message.deleted', id, inbox });
const ids = (events: SequencedEvent[] | null): number[] | null => events && events.map((e) => e.id);

it('numbers events 1, 2, 3 … and delivers each to every subscriber in order', () => {
  const bus = new MemoryEventBus();
  assert.equal(bus.lastSeq(), 0);
  const a: SequencedEvent[] = [];
  const b: SequencedEvent[] = [];
  bus.subscribe((e) => a.push(e));
  bus.subscribe((e) => b.push(e));
  bus.publish(deleted(7));
  bus.publish({ type: 'message.flags', id: 7, inbox: 'joe', flags: ['seen'] });
  assert.deepEqual(a, [
    { type: 'message.deleted', id: 7, inbox: 'joe', seq: 1 },
    { type: 'message.flags', id: 7, inbox: 'joe', flags: ['seen'], seq: 2 },
  ]);
  assert.deepEqual(b, a);
  assert.equal(bus.lastSeq(), 2);
});

it('stops delivering after unsubscribe', () => {
  const bus = new MemoryEventBus();
  const got: number[] = [];
  const unsubscribe = bus.subscribe((e) => got.push(e.seq));
  bus.publish(deleted(1));
  unsubscribe();
  bus.publish(deleted(2));
  assert.deepEqual(got, [1]);
});

it('a subscriber that throws does not stop delivery to the others, nor the publisher', () => {
  const bus = new MemoryEventBus();
  const got: number[] = [];
  bus.subscribe(() => {
    throw new Error('faulty');
  });
  bus.subscribe((e) => got.push(e.id));
  assert.doesNotThrow(() => bus.publish(deleted(1)));
  bus.publish(deleted(2));
  assert.deepEqual(got, [1, 2]);
});

it('since(seq) replays the events after seq, oldest first; nothing when caught up', () => {
  const bus = new MemoryEventBus();
  for (let id = 1; id <= 5; id++) bus.publish(deleted(id));
  assert.deepEqual(ids(bus.since(0)), [1, 2, 3, 4, 5]);
  assert.deepEqual(ids(bus.since(3)), [4, 5]);
  assert.deepEqual(bus.since(5), []);
  assert.deepEqual(bus.since(99), [], 'a cursor from the future has nothing to catch up on');
});

it('keeps at least keepRecent events; a reader further behind is told to resync with null', () => {
  const bus = new MemoryEventBus(4);
  for (let id = 1; id <= 20; id++) bus.publish(deleted(id));
  assert.deepEqual(ids(bus.since(16)), [17, 18, 19, 20], 'the last keepRecent are always held');
  assert.equal(bus.since(0), null);
  assert.equal(bus.since(10), null);
  const held = bus.since(bus.lastSeq() - 4)!;
  // Whatever is held is contiguous up to the newest.
  const first = bus.since(held[0]!.seq - 1)!;
  assert.deepEqual(first.map((e) => e.seq), Array.from({ length: first.length }, (_, i) => held[0]!.seq + i));
  assert.equal(first.at(-1)!.seq, 20);
});
