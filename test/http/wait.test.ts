/**
 * Long-polling `wait`: a QA test calls it right after submitting a sign-up form, so the mail
 * may land just before the call or just after it; neither may be missed, and a message
 * arriving between two calls must be the answer to the next one.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { simpleMessage } from '../helpers/smtp-client.js';

let t: HttpTestServer;
before(async () => (t = await startHttpTestServer()));
after(() => t.stop());

interface Summary {
  id: number;
  subject: string;
  inbox: string;
}

const wait = (inbox: string, query: string, init?: RequestInit) => getJson<Summary | null>(`${t.base}/api/v1/inboxes/${inbox}/wait?${query}`, init);
const newestId = async (inbox: string): Promise<number> =>
  (await getJson<{ messages: Summary[] }>(`${t.base}/api/v1/inboxes/${inbox}/messages?limit=1`)).body.messages[0]?.id ?? 0;

test('mail that lands just before the call is returned at once (after = last id seen)', async () => {
  const seen = await newestId('race-before');
  await t.deliver('race-before@tidemail.test', simpleMessage('landed first'));
  const { status, body } = await wait('race-before', `after=${seen}&timeout=30`);
  assert.equal(status, 200);
  assert.equal(body!.subject, 'landed first');
  assert.equal(body!.inbox, 'race-before');
});

test('mail that lands just after the call is returned when it arrives', async () => {
  const seen = await newestId('race-after');
  const pending = wait('race-after', `after=${seen}&timeout=30`);
  await t.deliver('race-after@tidemail.test', simpleMessage('landed second'));
  const { status, body } = await pending;
  assert.equal(status, 200);
  assert.equal(body!.subject, 'landed second');
});

test('two messages back to back: each call with the previous id gets the next one, none skipped', async () => {
  await t.deliver('pair@tidemail.test', simpleMessage('one'));
  await t.deliver('pair@tidemail.test', simpleMessage('two'));
  const first = await wait('pair', 'after=0&timeout=5');
  assert.equal(first.body!.subject, 'one');
  const second = await wait('pair', `after=${first.body!.id}&timeout=5`);
  assert.equal(second.body!.subject, 'two');
  const third = wait('pair', `after=${second.body!.id}&timeout=30`);
  await t.deliver('pair@tidemail.test', simpleMessage('three'));
  assert.equal((await third).body!.subject, 'three');
});

test('without after, the answer is the first message to arrive after the call, never an older one', async () => {
  await t.deliver('fresh@tidemail.test', simpleMessage('old news'));
  const oldId = await newestId('fresh');
  const pending = wait('fresh', 'timeout=60');
  let done = false;
  void pending.then(() => (done = true));
  // The call is in flight; keep mail coming until it answers (however long the request took to
  // land): each delivery waits for its 250, and the loop stops as soon as the answer is in.
  const sent: string[] = [];
  for (let i = 0; !done && i < 1000; i++) {
    sent.push(`new ${i}`);
    await t.deliver('fresh@tidemail.test', simpleMessage(`new ${i}`));
  }
  const { status, body } = await pending;
  assert.equal(status, 200);
  assert.ok(body!.id > oldId);
  assert.ok(sent.includes(body!.subject), `${body!.subject} is one of the messages sent after the call`);
});

test('204 with no body when nothing arrives before the timeout; other inboxes do not count', async () => {
  const seen = await newestId('quiet');
  const pending = wait('quiet', `after=${seen}&timeout=1`);
  await t.deliver('noisy@tidemail.test');
  const { status, body } = await pending;
  assert.equal(status, 204);
  assert.equal(body, null);
});

test('a client that gives up does not disturb the server', async () => {
  // Hang up only once the whole request has been handed to the connection: TCP delivers it to
  // the server before the hang-up, so the server is waiting on it when the client goes.
  const request = http.get(`${t.base}/api/v1/inboxes/abandoned/wait?timeout=60`);
  const abandoned = new Promise<Error | null>((resolve) => {
    request.once('error', resolve);
    request.once('response', () => resolve(null));
  });
  await new Promise((resolve) => request.once('finish', resolve));
  request.destroy(new Error('given up'));
  assert.ok((await abandoned) instanceof Error, 'no answer came before the hang-up');
  const seen = await newestId('abandoned');
  await t.deliver('abandoned@tidemail.test', simpleMessage('after the hang-up'));
  assert.equal((await wait('abandoned', `after=${seen}&timeout=5`)).body!.subject, 'after the hang-up');
});

test('many waiters on different inboxes each get their own mail', async () => {
  const names = ['w1', 'w2', 'w3', 'w4', 'w5'];
  const pending = names.map((name) => wait(name, 'after=0&timeout=30'));
  for (const name of [...names].reverse()) await t.deliver(`${name}@tidemail.test`, simpleMessage(`for ${name}`));
  const results = await Promise.all(pending);
  assert.deepEqual(results.map((r) => r.body!.subject), names.map((n) => `for ${n}`));
});
