/**
 * The serialised message and its cache, in process: the document cut around its live members is
 * byte for byte the one `presentMessage` gives, and the cache follows the bus (a flag change
 * replaces the flags it holds, a deletion drops the entry, a fill that raced either is not kept)
 * within its byte budget, least recently used first out.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryEventBus } from '../../src/events/bus.js';
import { contentTag, entityTag, noneMatchHolds } from '../../src/http/etag.js';
import { MessageCache, type CachedMessage } from '../../src/http/message-cache.js';
import { jsonParts, messageChunks, type MessageJsonParts } from '../../src/http/message-json.js';
import { presentMessage, type TagsOf } from '../../src/http/present.js';
import type { Flag, StoredMessage } from '../../src/store/types.js';

function message(id: number, overrides: Partial<StoredMessage> = {}): StoredMessage {
  return {
    id,
    inbox: 'cache',
    from: { name: 'Zoë "Z" Ünal', address: 'zoe@example.test' },
    to: [{ name: '', address: 'cache@tidemail.test' }],
    subject: 'Votre code: 123 456 — 確認',
    dateMs: Date.UTC(2026, 0, 2, 3, 4, 5),
    receivedAtMs: Date.UTC(2026, 0, 2, 3, 4, 6),
    size: 4321,
    preview: 'Bonjour,\nvotre code…',
    attachments: 1,
    codes: ['123456'],
    links: ['https://example.test/verify?t=1&u=2'],
    flags: [],
    envelope: { mailFrom: 'bounce@example.test', rcptTo: ['cache+x@tidemail.test'], remoteAddress: '127.0.0.1', helo: 'client.test', tls: false },
    parsed: {
      headers: [{ name: 'subject', value: 'Votre code: 123 456 — 確認' }, { name: 'x-weird', value: 'tab\there "quoted" \\ back\u2028sep' }],
      text: 'Bonjour,\nvotre code est 123 456.\n',
      html: '<p>Bonjour, <b>123 456</b></p><script>"</script>',
      attachments: [{ index: 0, filename: 'reçu.pdf', contentType: 'application/pdf', size: 1234, contentId: null, disposition: 'attachment' }],
      links: ['https://example.test/verify?t=1&u=2', 'https://example.test/help'],
      codes: ['123456'],
      preview: 'Bonjour,\nvotre code…',
    },
    ...overrides,
  };
}

const tags: TagsOf = (id) => (id % 2 === 0 ? ['otp', 'ünïcode'] : []);

function messageJson(parts: MessageJsonParts, flags: readonly Flag[], tags: readonly string[]): Buffer {
  return Buffer.concat(messageChunks(parts, flags, tags).map((chunk) => Buffer.from(chunk)));
}

function entry(m: StoredMessage): CachedMessage {
  const parts = jsonParts(m, tags);
  return { ...parts, flags: m.flags, contentTag: contentTag(parts.json) };
}

describe('the message document in parts', () => {
  const cases: Array<[string, StoredMessage]> = [
    ['a message with everything', message(2, { flags: ['seen', 'flagged'] })],
    ['no sender, no date, nothing parsed out', message(3, { from: null, dateMs: null, codes: [], links: [], attachments: 0, parsed: { headers: [], text: '', html: '', attachments: [], links: [], codes: [], preview: '' } })],
    ['a date no ISO string can hold', message(5, { dateMs: 8.64e15 + 1 })],
  ];
  for (const [name, m] of cases) {
    test(`is byte for byte presentMessage's JSON: ${name}`, () => {
      const expected = Buffer.from(JSON.stringify(presentMessage(m, tags)));
      assert.equal(messageJson(jsonParts(m, tags), m.flags, tags(m.id)).toString(), expected.toString());
      assert.ok(messageJson(jsonParts(m, tags), m.flags, tags(m.id)).equals(expected));
    });
  }

  test('the live members are written from what is asked, not from what was cut', () => {
    const m = message(4);
    const parts = jsonParts(m, tags);
    const flags: Flag[] = ['seen', 'answered'];
    const later = { ...m, flags };
    assert.equal(messageJson(parts, flags, ['new']).toString(), JSON.stringify(presentMessage(later, () => ['new'])));
  });
});

describe('the message cache', () => {
  test('takes a flag change in, drops a deleted message, and refuses a fill that raced either', () => {
    const events = new MemoryEventBus();
    const cache = new MessageCache(events);
    cache.set(1, entry(message(1)), cache.token());
    assert.deepEqual(cache.get(1)?.flags, []);

    events.publish({ type: 'message.flags', id: 1, inbox: 'cache', flags: ['seen', 'flagged'] });
    assert.deepEqual(cache.get(1)?.flags, ['seen', 'flagged']);

    events.publish({ type: 'message.stored', id: 9, inbox: 'cache', summary: message(9) });
    assert.ok(cache.get(1), 'news of another message changes nothing');

    events.publish({ type: 'message.deleted', id: 1, inbox: 'cache' });
    assert.equal(cache.get(1), undefined);

    const token = cache.token();
    events.publish({ type: 'message.flags', id: 7, inbox: 'cache', flags: ['seen'] });
    cache.set(7, entry(message(7)), token);
    assert.equal(cache.get(7), undefined, 'read before the flag change: not kept');
    cache.set(7, entry(message(7, { flags: ['seen'] })), cache.token());
    assert.deepEqual(cache.get(7)?.flags, ['seen']);
  });

  test('a message stored again under a cached id is not answered from the cache', () => {
    const events = new MemoryEventBus();
    const cache = new MessageCache(events);
    cache.set(3, entry(message(3)), cache.token());
    events.publish({ type: 'message.stored', id: 3, inbox: 'cache', summary: message(3) });
    assert.equal(cache.get(3), undefined);
  });

  test('holds no more than its byte budget, least recently used out first', () => {
    const one = entry(message(1));
    const size = one.json.length + 200;
    const cache = new MessageCache(new MemoryEventBus(), 3 * size);
    for (const id of [1, 2, 3]) cache.set(id, entry(message(1)), cache.token());
    assert.ok(cache.get(1), 'touched: now the most recent');
    cache.set(4, entry(message(1)), cache.token());
    assert.equal(cache.get(2), undefined, 'the least recently used went');
    assert.ok(cache.get(1) && cache.get(3) && cache.get(4));
    assert.ok(cache.heldBytes() <= 3 * size);
    cache.set(5, { ...one, json: Buffer.alloc(4 * size) }, cache.token());
    assert.equal(cache.get(5), undefined, 'one larger than the whole budget is not kept');
    assert.ok(cache.get(4), 'nor does it push the others out');
  });
});

describe('the message entity tag', () => {
  test('changes with the flags and the tags, and If-None-Match matches it as RFC 9110 §13.1.2 says', () => {
    const content = contentTag(entry(message(1)).json);
    assert.notEqual(content, contentTag(entry(message(1, { subject: 'other' })).json));
    const seen = entityTag(content, ['seen'], []);
    assert.match(seen, /^"[A-Za-z0-9_.-]+"$/, 'a strong tag of etagc characters');
    assert.notEqual(entityTag(content, ['seen', 'flagged'], []), seen);
    assert.notEqual(entityTag(content, ['seen'], ['otp']), seen);
    assert.equal(noneMatchHolds(undefined, seen), false);
    assert.equal(noneMatchHolds(seen, seen), true);
    assert.equal(noneMatchHolds(`"x", W/${seen}`, seen), true, 'a list, and the weak comparison');
    assert.equal(noneMatchHolds('*', seen), true);
    assert.equal(noneMatchHolds(entityTag(content, [], []), seen), false);
  });
});
