/**
 * Long-polling `wait`: a QA test calls it right after submitting a sign-up form, so the mail
 * may land just before the call or just after it; neither may be missed, and a message
 * arriving between two calls must be the answer to the next one.
 */
import { deliveredVisibly } from '../helpers/visible.js';
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

let t: HttpTestServer;
before(async () => (t = await startHttpTestServer()));
after(() => t.stop());

interface Summary {
  id: number;
  subject: string;
  inbox: string;
  preview: string;
  codes: string[];
  links: string[];
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

/** A message with the headers the matchers look at. */
function mail(subject: string, body: string, { from = 'Test Sender <sender@example.test>', to = 'someone@tidemail.test' } = {}): string {
  return `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\n${body}\r\n`;
}

test('each matcher picks the oldest message it fits among those already there', async () => {
  const inbox = 'match-each';
  await t.deliver(`${inbox}@tidemail.test`, mail('Welcome aboard', 'Glad you joined.'));
  await t.deliver(`${inbox}@tidemail.test`, mail('Newsletter', 'Nothing to do.', { from: 'Shop Team <news@shop.example>' }));
  await t.deliver(`${inbox}@tidemail.test`, mail('Your account', 'Tap the button below.', { to: `Joe Tester <${inbox}+reset@tidemail.test>` }));
  await t.deliver(`${inbox}@tidemail.test`, mail('Hello again', 'Bienvenue au Café Tidemail, voici vos instructions.'));
  await t.deliver(`${inbox}@tidemail.test`, mail('Almost there', 'Your verification code is 482913.'));
  await t.deliver(`${inbox}@tidemail.test`, mail('WELCOME BACK', 'Second welcome.'));
  for (const [query, subject] of [
    ['subject=welcome', 'Welcome aboard'],
    ['subject=BACK', 'WELCOME BACK'],
    ['from=SHOP.example', 'Newsletter'],
    ['from=shop%20team', 'Newsletter'],
    ['to=%2Breset', 'Your account'],
    ['to=joe%20tester', 'Your account'],
    ['contains=cafe%20instruction', 'Hello again'],
    ['code=1', 'Almost there'],
  ] as const) {
    const { status, body } = await wait(inbox, `after=0&timeout=0&${query}`);
    assert.equal(status, 200, query);
    assert.equal(body!.subject, subject, query);
  }
  assert.equal((await wait(inbox, 'after=0&timeout=0&subject=welcome&contains=second')).body!.subject, 'WELCOME BACK', 'matchers combine with AND');
  assert.equal((await wait(inbox, 'after=0&timeout=0&from=shop&subject=welcome')).status, 204, 'no message fits both');
  assert.equal((await wait(inbox, 'after=0&timeout=0&contains=almost')).status, 204, 'contains looks at the body, not the subject');
});

test('timeout=0 looks at every message already there, more than one store page of them', async () => {
  const inbox = 'match-backlog';
  // All 130 shown before the last one is sent, so its delivery helper waits for that one.
  await deliveredVisibly(t.server.smtpPort, [`${inbox}@tidemail.test`], 130, async () => {
    const { client } = await RawSmtpClient.open(t.server.smtpPort);
    await client.send('EHLO test.example');
    for (let i = 1; i <= 130; i++) {
      const reply = await sendMail(client, 'sender@example.test', [`${inbox}@tidemail.test`], mail(`Filler ${i}`, 'Nothing here.'));
      assert.equal(reply.code, 250);
    }
    client.close();
  });
  await t.deliver(`${inbox}@tidemail.test`, mail('The one', 'Found at last.'));
  const { status, body } = await wait(inbox, 'after=0&timeout=0&subject=the%20one');
  assert.equal(status, 200);
  assert.equal(body!.subject, 'The one');
});

test('a wait with matchers lets other mail pass and answers with the first that fits', async () => {
  const inbox = 'match-later';
  const seen = await newestId(inbox);
  const pending = wait(inbox, `after=${seen}&timeout=30&subject=reset&contains=password`);
  await t.deliver(`${inbox}@tidemail.test`, mail('Welcome', 'Set a password soon.'));
  await t.deliver(`${inbox}@tidemail.test`, mail('Reset requested', 'We will email you.'));
  await t.deliver(`${inbox}@tidemail.test`, mail('Reset your password', 'Choose a new password here.'));
  const { status, body } = await pending;
  assert.equal(status, 200);
  assert.equal(body!.subject, 'Reset your password');
});

test('with matchers, a match that lands between two calls is the answer to the next one', async () => {
  const inbox = 'match-cursor';
  await t.deliver(`${inbox}@tidemail.test`, mail('Your code', 'Your login code is 1111.'));
  await t.deliver(`${inbox}@tidemail.test`, mail('Not this one', 'No digits to see.'));
  const first = await wait(inbox, 'after=0&timeout=5&code=1');
  assert.equal(first.body!.subject, 'Your code');
  await t.deliver(`${inbox}@tidemail.test`, mail('Your new code', 'Your login code is 2222.'));
  const second = await wait(inbox, `after=${first.body!.id}&timeout=5&code=1`);
  assert.equal(second.body!.subject, 'Your new code');
});

test('the answer carries the full parse (preview, codes, links) even for a message a moment old', async () => {
  const inbox = 'match-parsed';
  const seen = await newestId(inbox);
  const pending = wait(inbox, `after=${seen}&timeout=30`);
  await t.deliver(`${inbox}@tidemail.test`, mail('Parsed', 'Your sign-in code is 604918. Or open https://app.example/login?t=xyz'));
  const { body } = await pending;
  assert.match(body!.preview, /^Your sign-in code is 604918/);
  assert.deepEqual(body!.codes, ['604918']);
  assert.deepEqual(body!.links, ['https://app.example/login?t=xyz']);
});

test('204 when only mail that does not match arrives before the timeout', async () => {
  const inbox = 'match-none';
  const seen = await newestId(inbox);
  const pending = wait(inbox, `after=${seen}&timeout=1&subject=invoice`);
  await t.deliver(`${inbox}@tidemail.test`, mail('Receipt', 'Thanks.'));
  const { status, body } = await pending;
  assert.equal(status, 204);
  assert.equal(body, null);
});

test('an unknown parameter or a bad value is a 400 that names it', async () => {
  for (const [query, message] of [
    ['subjet=welcome', /unknown parameter "subjet"; this endpoint takes after, timeout, from, to, subject, contains, code/],
    ['subject=a&subject=b', /parameter "subject" is given more than once/],
    ['from=', /parameter "from" must not be empty/],
    [`to=${'x'.repeat(501)}`, /parameter "to" is limited to 500 characters/],
    ['code=0', /parameter "code" must be 1/],
    ['code=yes', /parameter "code" must be 1/],
    ['contains=%21%21%21', /parameter "contains" must hold at least one word/],
    ['timeout=301', /parameter "timeout" must be a whole number from 0 to 300/],
    ['after=-1', /parameter "after" must be a message id/],
  ] as const) {
    const { status, body } = await getJson<{ error: { code: string; message: string } }>(`${t.base}/api/v1/inboxes/bad-params/wait?${query}`);
    assert.equal(status, 400, query);
    assert.equal(body.error.code, 'invalid_parameter', query);
    assert.match(body.error.message, message, query);
  }
});

test('the OpenAPI document lists exactly the parameters wait takes', async () => {
  type Parameter = { name: string; in: string };
  const openapi = (await getJson<{ paths: Record<string, { get: { parameters: Parameter[] } }> }>(`${t.base}/api/v1/openapi.json`)).body;
  const documented = openapi.paths['/api/v1/inboxes/{inbox}/wait']!.get.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const refusal = (await getJson<{ error: { message: string } }>(`${t.base}/api/v1/inboxes/docs/wait?nope=1`)).body.error.message;
  const taken = /this endpoint takes (.*)$/.exec(refusal)![1]!.split(', ');
  assert.deepEqual(documented, taken);
});
