/**
 * Server-sent events: live `message`/`deleted`/`flags` events filtered by inbox, ids from the
 * event bus, and resuming after a dropped connection with `Last-Event-ID` without losing what
 * happened meanwhile.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { SseClient } from '../helpers/sse-client.js';
import { simpleMessage } from '../helpers/smtp-client.js';

let t: HttpTestServer;
before(async () => (t = await startHttpTestServer()));
after(() => t.stop());

const data = <T>(text: string): T => JSON.parse(text) as T;

test('a stream for one inbox gets its messages live, not other inboxes\', then deleted and flags events', async () => {
  const stream = await SseClient.open(t.httpPort, '/api/v1/events?inbox=Live');
  try {
    assert.equal(stream.status, 200);
    assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
    const ready = await stream.waitFor((e) => e.event === 'ready');
    assert.match(ready.id!, /^\d+$/);

    await t.deliver('elsewhere@tidemail.test', simpleMessage('not for you'));
    await t.deliver('live+tag@tidemail.test', simpleMessage('for live'));
    const message = await stream.waitFor((e) => e.event === 'message');
    const summary = data<{ id: number; inbox: string; subject: string; receivedAt: string; seen: boolean }>(message.data);
    assert.deepEqual([summary.inbox, summary.subject, summary.seen], ['live', 'for live', false]);
    assert.ok(Number(message.id) > Number(ready.id));
    assert.equal(stream.events.filter((e) => e.event === 'message').length, 1, 'the other inbox\'s mail was filtered out');

    await getJson(`${t.base}/api/v1/messages/${summary.id}`);
    const flags = await stream.waitFor((e) => e.event === 'flags');
    assert.deepEqual(data(flags.data), { id: summary.id, inbox: 'live', flags: ['seen'], seen: true });

    await fetch(`${t.base}/api/v1/messages/${summary.id}`, { method: 'DELETE' });
    const deleted = await stream.waitFor((e) => e.event === 'deleted');
    assert.deepEqual(data(deleted.data), { id: summary.id, inbox: 'live' });
  } finally {
    stream.close();
  }
});

test('reconnecting with Last-Event-ID replays what was missed, in order, then goes live', async () => {
  const first = await SseClient.open(t.httpPort, '/api/v1/events?inbox=resume');
  const lastId = (await first.waitFor((e) => e.event === 'ready')).id!;
  first.close();

  await t.deliver('resume@tidemail.test', simpleMessage('missed one'));
  await t.deliver('other-inbox@tidemail.test', simpleMessage('not ours'));
  await t.deliver('resume@tidemail.test', simpleMessage('missed two'));

  const second = await SseClient.open(t.httpPort, '/api/v1/events?inbox=resume', { 'Last-Event-ID': lastId });
  try {
    const ready = await second.waitFor((e) => e.event === 'ready');
    const replayed = second.events.filter((e) => e.event === 'message');
    assert.deepEqual(replayed.map((e) => data<{ subject: string }>(e.data).subject), ['missed one', 'missed two']);
    const ids = replayed.map((e) => Number(e.id));
    assert.ok(ids[0]! > Number(lastId) && ids[1]! > ids[0]!, 'ids ascend past the one we resumed from');
    assert.ok(Number(ready.id) >= ids[1]!, 'ready carries the current position');

    await t.deliver('resume@tidemail.test', simpleMessage('live again'));
    await second.waitFor((e) => e.event === 'message' && data<{ subject: string }>(e.data).subject === 'live again');
  } finally {
    second.close();
  }
});

test('a stream without inbox sees every inbox', async () => {
  const stream = await SseClient.open(t.httpPort, '/api/v1/events');
  try {
    await stream.waitFor((e) => e.event === 'ready');
    await t.deliver(['all-a@tidemail.test', 'all-b@tidemail.test'], simpleMessage('to both'));
    await stream.waitFor((e) => e.event === 'message' && data<{ inbox: string }>(e.data).inbox === 'all-a');
    await stream.waitFor((e) => e.event === 'message' && data<{ inbox: string }>(e.data).inbox === 'all-b');
  } finally {
    stream.close();
  }
});

test('a malformed Last-Event-ID or inbox is a 400 with the error shape', async () => {
  const bad = await getJson<{ error: { code: string } }>(`${t.base}/api/v1/events`, { headers: { 'Last-Event-ID': 'yesterday' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_parameter');
  const badInbox = await getJson<{ error: { code: string } }>(`${t.base}/api/v1/events?inbox=no%20spaces`);
  assert.equal(badInbox.status, 400);
  assert.equal(badInbox.body.error.code, 'invalid_inbox');
});
