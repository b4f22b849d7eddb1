/**
 * The listing cache in process: a page is kept until an event for its inbox, without expiry, and
 * a fill that an event for its inbox overtook is not kept (it could hold the page before the change).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryEventBus } from '../../src/events/bus.js';
import { ListingCache } from '../../src/http/listing-cache.js';

const page = (text: string): Buffer => Buffer.from(text);

test('a page stays until its inbox changes, and a fill overtaken by a change is not kept', () => {
  const events = new MemoryEventBus();
  const cache = new ListingCache(events);
  cache.set('a', '50:0', page('a1'), cache.token());
  cache.set('b', '50:0', page('b1'), cache.token());
  assert.equal(cache.get('a', '50:0')?.toString(), 'a1');

  events.publish({ type: 'message.deleted', id: 1, inbox: 'a' });
  assert.equal(cache.get('a', '50:0'), null, 'dropped on its inbox\'s change');
  assert.equal(cache.get('b', '50:0')?.toString(), 'b1', 'another inbox keeps its pages');

  const before = cache.token();
  events.publish({ type: 'message.flags', id: 2, inbox: 'a', flags: ['seen'] });
  cache.set('a', '50:0', page('stale'), before);
  assert.equal(cache.get('a', '50:0'), null, 'read before the change: not kept');

  const racedElsewhere = cache.token();
  events.publish({ type: 'message.flags', id: 3, inbox: 'b', flags: ['seen'] });
  cache.set('a', '50:0', page('a2'), racedElsewhere);
  assert.equal(cache.get('a', '50:0')?.toString(), 'a2', 'a change of another inbox does not matter');
});
