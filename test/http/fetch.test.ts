/**
 * `GET /api/v1/messages/{id}` answered again from what was serialised (src/http/message-cache.ts)
 * stays the same document, and never goes stale: flags changed over IMAP show at the next GET,
 * a message cleared of \Seen is marked seen again by it, and a message deleted over HTTP or
 * expunged over IMAP is a 404 at once. Its ETag answers 304 until a flag changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { RawImapClient } from '../helpers/imap-client.js';
import { simpleMessage } from '../helpers/smtp-client.js';

interface Message {
  id: number;
  subject: string;
  seen: boolean;
  flags: string[];
  text: string;
}

let t: HttpTestServer;
before(async () => (t = await startHttpTestServer()));
after(() => t.stop());

/** Deliver one message to `inbox` and return its id. */
async function delivered(inbox: string, subject: string): Promise<number> {
  await t.deliver(`${inbox}@tidemail.test`, simpleMessage(subject, `Body of ${subject}.`, `${inbox}@tidemail.test`));
  const { body } = await getJson<{ messages: Array<{ id: number; subject: string }> }>(`${t.base}/api/v1/inboxes/${inbox}/messages`);
  const found = body.messages.find((m) => m.subject === subject);
  assert.ok(found, `${subject} is listed`);
  return found.id;
}

async function fetchText(id: number): Promise<{ status: number; text: string }> {
  const response = await fetch(`${t.base}/api/v1/messages/${id}`);
  return { status: response.status, text: await response.text() };
}

async function listedFlags(inbox: string, id: number): Promise<{ seen: boolean; flags: string[] }> {
  const { body } = await getJson<{ messages: Array<{ id: number; seen: boolean; flags: string[] }> }>(`${t.base}/api/v1/inboxes/${inbox}/messages`);
  const listed = body.messages.find((m) => m.id === id);
  assert.ok(listed, `message ${id} is listed`);
  return { seen: listed.seen, flags: listed.flags };
}

async function imap(inbox: string, commands: string[]): Promise<void> {
  const client = await RawImapClient.selected(t.server.ports.imap!, inbox);
  try {
    for (const command of commands) {
      const result = await client.command(command);
      assert.equal(result.status, 'OK', `${command}: ${result.tagged}`);
    }
  } finally {
    client.close();
  }
}

describe('fetching a message again', () => {
  test('answers the same document again, the first GET marking it seen', async () => {
    const id = await delivered('refetch', 'fetched twice');
    const first = await fetchText(id);
    const second = await fetchText(id);
    assert.equal(first.status, 200);
    assert.equal(second.text, first.text, 'byte for byte the same document');
    const message = JSON.parse(first.text) as Message;
    assert.deepEqual([message.id, message.subject, message.seen, message.flags], [id, 'fetched twice', true, ['seen']]);
    assert.match(message.text, /Body of fetched twice\./);
    assert.deepEqual(await listedFlags('refetch', id), { seen: true, flags: ['seen'] });
  });

  test('shows flags changed over IMAP at the next GET', async () => {
    const id = await delivered('reflag', 'flagged over imap');
    await imap('reflag', [`UID STORE ${id} +FLAGS (\\Seen)`]);
    const seen = await fetchText(id);
    assert.deepEqual((JSON.parse(seen.text) as Message).flags, ['seen'], 'seen over IMAP: the GET has nothing to mark');
    assert.equal((await fetchText(id)).text, seen.text);

    await imap('reflag', [`UID STORE ${id} +FLAGS (\\Flagged)`]);
    const flagged = JSON.parse((await fetchText(id)).text) as Message;
    assert.deepEqual(flagged.flags, ['seen', 'flagged'], 'the IMAP change shows at once');
    assert.equal(JSON.stringify({ ...flagged, flags: ['seen'] }), seen.text, 'and nothing else changed');

    await imap('reflag', [`UID STORE ${id} -FLAGS (\\Seen \\Flagged)`]);
    assert.deepEqual(await listedFlags('reflag', id), { seen: false, flags: [] });
    const again = JSON.parse((await fetchText(id)).text) as Message;
    assert.deepEqual([again.seen, again.flags], [true, ['seen']], 'opening it marks it seen again');
    assert.deepEqual(await listedFlags('reflag', id), { seen: true, flags: ['seen'] }, 'and the store has it so');
  });

  test('answers 304 to its ETag until a flag changes', async () => {
    const id = await delivered('retag', 'polled with its etag');
    const url = `${t.base}/api/v1/messages/${id}`;
    const first = await fetch(url);
    const etag = first.headers.get('etag');
    assert.ok(etag, 'an ETag');
    const text = await first.text();
    const unchanged = await fetch(url, { headers: { 'If-None-Match': etag } });
    assert.equal(unchanged.status, 304);
    assert.equal(unchanged.headers.get('etag'), etag);
    assert.equal(await unchanged.text(), '');
    const other = await fetch(url, { headers: { 'If-None-Match': '"not-this-one"' } });
    assert.deepEqual([other.status, await other.text()], [200, text]);

    await imap('retag', [`UID STORE ${id} +FLAGS (\\Answered)`]);
    const changed = await fetch(url, { headers: { 'If-None-Match': etag } });
    assert.equal(changed.status, 200, 'the flag changed: the whole document again');
    assert.notEqual(changed.headers.get('etag'), etag);
    assert.deepEqual((JSON.parse(await changed.text()) as Message).flags, ['seen', 'answered']);
  });

  test('a message deleted over HTTP is gone at once, one expunged over IMAP too', async () => {
    const doomed = await delivered('refetch-gone', 'deleted over http');
    const expunged = await delivered('refetch-gone', 'expunged over imap');
    for (const id of [doomed, expunged, doomed, expunged]) assert.equal((await fetchText(id)).status, 200);

    assert.equal((await fetch(`${t.base}/api/v1/messages/${doomed}`, { method: 'DELETE' })).status, 204);
    assert.equal((await fetchText(doomed)).status, 404);

    await imap('refetch-gone', [`UID STORE ${expunged} +FLAGS (\\Deleted)`, 'EXPUNGE']);
    assert.equal((await fetchText(expunged)).status, 404);
  });
});
