/**
 * The Store conformance suite: what every engine must do, whatever it is built on. Run it
 * unchanged against each engine (see sqlite.test.ts); a new engine is done when this passes.
 *
 * `append` resolves once the message is committed; it is visible once announced (store/types.ts:
 * announced ⇒ visible with its final summary). So most cases here use the store through
 * `appendShown`, whose `append` also waits for the `message.stored` event of every id, as a reader
 * waiting for its mail does; the cases about the gate itself use the store as it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryEventBus, type SequencedEvent } from '../../src/events/bus.js';
import type { NewMessage, RetentionPolicy, SmtpTranscript, Store } from '../../src/store/types.js';

export interface EngineFactory {
  /** A new, empty store; `reopen` opens the same data again after `close`. */
  create(retention: RetentionPolicy, events: MemoryEventBus): Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => void }>;
}

const NO_RETENTION: RetentionPolicy = { maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: 0 };

/** What an SMTP session hands over with a message: its commands and replies up to the 250. */
export function transcriptFor(inboxes: string[]): SmtpTranscript {
  const line = (atMs: number, from: 'client' | 'server', text: string) => ({ atMs, from, text });
  return {
    remoteAddress: '127.0.0.1',
    helo: 'test',
    tls: null,
    connectedAtMs: 1_795_000_000_000,
    lines: [
      line(0, 'server', '220 tidemail.test ESMTP'),
      line(1, 'client', 'EHLO test'),
      line(1, 'server', '250 tidemail.test'),
      line(2, 'client', 'MAIL FROM:<ann@example.test>'),
      line(2, 'server', '250 2.1.0 OK'),
      ...inboxes.flatMap((i) => [line(3, 'client', `RCPT TO:<${i}@tidemail.test>`), line(3, 'server', '250 2.1.5 OK')]),
      line(4, 'client', 'DATA'),
      line(4, 'server', '354 End data with <CR><LF>.<CR><LF>'),
      line(5, 'server', '250 2.0.0 OK queued as T1'),
    ],
    truncated: false,
  };
}

export function message(inboxes: string[], subject: string, extra: Partial<NewMessage> = {}, body = 'Hello there.'): NewMessage {
  const raw = Buffer.from(
    `Received: from test ([127.0.0.1])\r\n\tby tidemail.test; Sat, 21 Nov 2026 10:00:00 +0000\r\n` +
      `From: Ann <ann@example.test>\r\nTo: ${inboxes.map((i) => `${i}@tidemail.test`).join(', ')}\r\nSubject: ${subject}\r\n\r\n${body}\r\n`,
  );
  return {
    raw,
    inboxes,
    envelope: { mailFrom: 'ann@example.test', rcptTo: inboxes.map((i) => `${i}@tidemail.test`), remoteAddress: '127.0.0.1', helo: 'test', tls: false },
    receivedAtMs: Date.now(),
    from: { name: 'Ann', address: 'ann@example.test' },
    to: inboxes.map((i) => ({ name: '', address: `${i}@tidemail.test` })),
    subject,
    dateMs: null,
    transcript: transcriptFor(inboxes),
    ...extra,
  };
}

/** Events bound how long a case waits; an engine that never announces a message fails here, not by hanging. */
const ANNOUNCE_TIMEOUT_MS = 10_000;

/**
 * `store`, but its `append` resolves only once every id it returns has been shown: announced, or
 * passed over by the announcement of a later id (ids show in order, so one passed over was
 * removed before it could be shown, e.g. by the per-inbox cap).
 */
export function appendShown(store: Store, events: MemoryEventBus): Store {
  let highestAnnounced = 0;
  const waiting = new Set<{ id: number; resolve: () => void }>();
  events.subscribe((event) => {
    if (event.type !== 'message.stored') return;
    highestAnnounced = Math.max(highestAnnounced, event.id);
    for (const waiter of waiting) if (waiter.id <= highestAnnounced) waiter.resolve();
  });
  const shown = (id: number) =>
    id <= highestAnnounced
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const waiter = {
            id,
            resolve: () => {
              clearTimeout(timer);
              waiting.delete(waiter);
              resolve();
            },
          };
          const timer = setTimeout(() => {
            waiting.delete(waiter);
            reject(new Error(`message ${id} was never shown`));
          }, ANNOUNCE_TIMEOUT_MS);
          waiting.add(waiter);
        });
  return new Proxy(store, {
    get(target, property) {
      if (property === 'append') {
        return async (m: NewMessage) => {
          const ids = await target.append(m);
          await Promise.all(ids.map(shown));
          return ids;
        };
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `length` letters and digits that no compressor shortens much: a message whose size shows in what it costs. */
export function noise(seed: number, length: number): string {
  let state = (seed * 2654435761 + 1) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out += 'abcdefghijklmnopqrstuvwxyz0123456789'[state % 36];
  }
  return out;
}

export async function eventually<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function storeConformance(engine: string, factory: EngineFactory): void {
  describe(`Store conformance: ${engine}`, () => {
    /** The store as it is: `append` resolves at the commit, before the message is shown. */
    async function withRawStore(retention: RetentionPolicy, body: (store: Store, events: MemoryEventBus, reopen: () => Promise<Store>) => Promise<void>): Promise<void> {
      const events = new MemoryEventBus();
      const { store, reopen, cleanup } = await factory.create(retention, events);
      let current = store;
      try {
        await body(store, events, async () => (current = await reopen()));
      } finally {
        await current.close();
        cleanup();
      }
    }

    /** The store through `appendShown`: what a case reads after `append` is visible. */
    function withStore(retention: RetentionPolicy, body: (store: Store, events: MemoryEventBus, reopen: () => Promise<Store>) => Promise<void>): Promise<void> {
      return withRawStore(retention, (store, events, reopen) => body(appendShown(store, events), events, async () => appendShown(await reopen(), events)));
    }

    it('keeps raw bytes exactly and lists newest first with totals', () =>
      withStore(NO_RETENTION, async (store) => {
        const first = message(['joe'], 'first');
        const [id1] = await store.append(first);
        const [id2] = await store.append(message(['joe'], 'second'));
        assert.ok(id2! > id1!, 'ids ascend in commit order');
        const page = await store.list('joe', { limit: 10, offset: 0 });
        assert.equal(page.total, 2);
        assert.deepEqual(page.messages.map((m) => m.subject), ['second', 'first']);
        assert.deepEqual(await store.raw(id1!), first.raw);
        const summary = page.messages[1]!;
        assert.equal(summary.size, first.raw.length);
        assert.deepEqual(summary.from, { name: 'Ann', address: 'ann@example.test' });
        assert.deepEqual(summary.flags, []);
        assert.deepEqual((await store.list('joe', { limit: 1, offset: 1 })).messages.map((m) => m.id), [id1]);
        assert.deepEqual(await store.list('nobody', { limit: 10, offset: 0 }), { inbox: 'nobody', total: 0, messages: [] });
      }));

    it('stores a message to several inboxes once, each inbox with its own id and flags', () =>
      withStore(NO_RETENTION, async (store) => {
        const ids = await store.append(message(['a', 'b', 'c'], 'to three'));
        assert.equal(new Set(ids).size, 3);
        const stats = await store.stats();
        assert.equal(stats.messages, 3);
        assert.equal(stats.bodies, 1, 'one body for three inboxes');
        await store.setFlags([ids[0]!], 'add', ['seen']);
        assert.deepEqual((await store.list('a', { limit: 1, offset: 0 })).messages[0]!.flags, ['seen']);
        assert.deepEqual((await store.list('b', { limit: 1, offset: 0 })).messages[0]!.flags, []);
        await store.delete([ids[0]!, ids[1]!]);
        assert.equal((await store.stats()).bodies, 1, 'the body stays while an inbox still holds it');
        assert.deepEqual(await store.raw(ids[2]!), message(['a', 'b', 'c'], 'to three').raw, 'still readable from the remaining inbox');
        await store.delete([ids[2]!]);
        assert.deepEqual(await store.stats(), { messages: 0, bodies: 0, bytes: 0, storedBytes: 0 });
      }));

    it('get returns envelope and full parse; unknown ids are null', () =>
      withStore(NO_RETENTION, async (store) => {
        const [id] = await store.append(message(['joe'], 'Your code', {}, 'Your verification code is 482913. Visit https://example.test/verify?t=1'));
        const got = await store.get(id!);
        assert.ok(got);
        assert.equal(got.envelope.mailFrom, 'ann@example.test');
        assert.match(got.parsed.text, /482913/);
        assert.deepEqual(got.parsed.codes, ['482913']);
        assert.deepEqual(got.parsed.links, ['https://example.test/verify?t=1']);
        assert.equal(await store.get(999_999), null);
        assert.equal(await store.raw(999_999), null);
      }));

    it('keeps the SMTP transcript of each body, for every inbox it went to, until the body goes', () =>
      withStore(NO_RETENTION, async (store) => {
        const sent = message(['t1', 't2'], 'transcribed');
        const ids = await store.append(sent);
        const [other] = await store.append(message(['t3'], 'another session', { transcript: { ...transcriptFor(['t3']), helo: 'elsewhere', tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' } } }));
        for (const id of ids) assert.deepEqual(await store.transcript(id), sent.transcript);
        assert.equal((await store.transcript(other!))?.helo, 'elsewhere');
        assert.deepEqual((await store.transcript(other!))?.tls, { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' });
        await store.delete([ids[0]!]);
        assert.equal(await store.transcript(ids[0]!), null, 'gone with its message');
        assert.deepEqual(await store.transcript(ids[1]!), sent.transcript, 'kept while another inbox holds the body');
        assert.equal(await store.transcript(999_999), null);
      }));

    it('summaries carry the codes and at most ten links of the parse, on every surface', () =>
      withStore(NO_RETENTION, async (store) => {
        const links = Array.from({ length: 12 }, (_, i) => `https://example.test/l${i}`);
        const body = `Your verification code is 482913.\r\n${links.join('\r\n')}`;
        const [id] = await store.append(message(['codes'], 'Sign in', {}, body));
        const listed = (await store.list('codes', { limit: 1, offset: 0 })).messages[0]!;
        const got = await store.get(id!);
        assert.ok(got);
        assert.deepEqual(listed.codes, got.parsed.codes);
        assert.ok(listed.codes.includes('482913'));
        assert.deepEqual(listed.links, got.parsed.links.slice(0, 10));
        assert.equal(listed.links.length, 10);
        assert.deepEqual({ codes: got.codes, links: got.links }, { codes: listed.codes, links: listed.links });
        assert.deepEqual((await store.listAfter('codes', 0, 1))[0], listed);
        assert.deepEqual((await store.search({ text: 'sign', limit: 1 }))[0], listed);
      }));

    it('flags: add, remove, replace; unknown ids ignored', () =>
      withStore(NO_RETENTION, async (store) => {
        const [id] = await store.append(message(['joe'], 'f'));
        assert.deepEqual((await store.setFlags([id!], 'add', ['seen', 'flagged'])).get(id!), ['seen', 'flagged']);
        assert.deepEqual((await store.setFlags([id!], 'remove', ['seen'])).get(id!), ['flagged']);
        assert.deepEqual((await store.setFlags([id!, 424242], 'replace', ['deleted'])).get(id!), ['deleted']);
        assert.deepEqual((await store.mailbox('joe')).map((m) => m.flags), [['deleted']]);
      }));

    it('listAfter and mailbox go oldest first from a cursor', () =>
      withStore(NO_RETENTION, async (store) => {
        const ids: number[] = [];
        for (const s of ['1', '2', '3']) ids.push(...(await store.append(message(['q'], s))));
        await store.append(message(['other'], 'x'));
        assert.deepEqual((await store.listAfter('q', ids[0]!, 10)).map((m) => m.subject), ['2', '3']);
        assert.deepEqual((await store.listAfter('q', 0, 1)).map((m) => m.id), [ids[0]]);
        assert.deepEqual((await store.mailbox('q')).map((m) => m.id), ids);
      }));

    it('publishes stored, flags and deleted events after the commit', () =>
      withStore(NO_RETENTION, async (store, events) => {
        const seen: SequencedEvent[] = [];
        events.subscribe((e) => seen.push(e));
        const [id] = await store.append(message(['ev'], 'evt'));
        assert.equal(seen[0]?.type, 'message.stored');
        assert.equal(seen[0]?.type === 'message.stored' && seen[0].summary.subject, 'evt');
        await store.setFlags([id!], 'add', ['seen']);
        await store.deleteInbox('ev');
        assert.deepEqual(seen.map((e) => e.type), ['message.stored', 'message.flags', 'message.deleted']);
        assert.deepEqual(seen.map((e) => e.seq), [1, 2, 3]);
        assert.equal((await store.list('ev', { limit: 10, offset: 0 })).total, 0);
      }));

    it('per-inbox cap evicts the oldest first', () =>
      withStore({ ...NO_RETENTION, maxPerInbox: 3 }, async (store, events) => {
        const deleted: number[] = [];
        events.subscribe((e) => e.type === 'message.deleted' && deleted.push(e.id));
        const ids: number[] = [];
        for (let i = 1; i <= 5; i++) ids.push(...(await store.append(message(['capped'], `m${i}`))));
        const page = await store.list('capped', { limit: 10, offset: 0 });
        assert.equal(page.total, 3);
        assert.deepEqual(page.messages.map((m) => m.subject), ['m5', 'm4', 'm3']);
        assert.deepEqual(deleted, [ids[0], ids[1]]);
      }));

    it('age and total-size retention remove the oldest first', () =>
      withStore({ maxAgeMs: 60_000, maxPerInbox: 0, maxTotalBytes: 0 }, async (store) => {
        const now = Date.now();
        await store.append(message(['old'], 'stale', { receivedAtMs: now - 120_000 }));
        await store.append(message(['old'], 'fresh', { receivedAtMs: now }));
        assert.equal((await store.expire(now)).length, 1);
        assert.deepEqual((await store.list('old', { limit: 10, offset: 0 })).messages.map((m) => m.subject), ['fresh']);
      }).then(() =>
        withStore({ maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: 1500 }, async (store) => {
          for (let i = 0; i < 5; i++) await store.append(message(['big'], `s${i}`, {}, 'x'.repeat(300)));
          await store.expire(Date.now());
          const stats = await store.stats();
          // The cap counts the bytes the store really uses (compacted bodies, transcripts), not the raw size.
          assert.ok(stats.storedBytes <= 1500, `stored bytes ${stats.storedBytes} within the cap`);
          const left = (await store.list('big', { limit: 10, offset: 0 })).messages.map((m) => m.subject);
          assert.equal(left[0], 's4', 'the newest survives');
          assert.ok(!left.includes('s0'), 'the oldest went first');
        }),
      ));

    it('setFlags announces only real changes, and answers with the flags of every message that exists', () =>
      withStore(NO_RETENTION, async (store, events) => {
        const [a] = await store.append(message(['joe'], 'a'));
        const [b] = await store.append(message(['joe'], 'b'));
        await store.setFlags([a!], 'add', ['seen']);
        const announced: number[] = [];
        events.subscribe((event) => {
          if (event.type === 'message.flags') announced.push(event.id);
        });
        const answer = await store.setFlags([a!, b!, 999_999], 'add', ['seen']);
        assert.deepEqual([...answer.keys()].sort(), [a!, b!].sort());
        assert.deepEqual(answer.get(a!), ['seen']);
        assert.deepEqual(announced, [b!], 'a already had \\Seen: no event for it');
        await store.setFlags([a!, b!], 'replace', ['seen']);
        assert.deepEqual(announced, [b!], 'replacing with the same flags changes nothing');
      }));

    it('evictOldest removes exactly the oldest messages whatever their age, announces each, and the space comes back for reuse', () =>
      withStore(NO_RETENTION, async (store, events) => {
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) ids.push(...(await store.append(message([i % 2 ? 'a' : 'b'], `m${i}`))));
        const deleted: number[] = [];
        events.subscribe((event) => {
          if (event.type === 'message.deleted') deleted.push(event.id);
        });
        const before = await store.reusableBytes();
        assert.deepEqual(await store.evictOldest(2), ids.slice(0, 2));
        assert.deepEqual(deleted, ids.slice(0, 2));
        assert.equal((await store.stats()).messages, 3);
        assert.ok((await store.reusableBytes()) >= before, 'what was freed can be reused');
        assert.deepEqual(await store.evictOldest(10), ids.slice(2));
        assert.deepEqual(await store.evictOldest(1), [], 'nothing left to evict');
        assert.deepEqual(await store.stats(), { messages: 0, bodies: 0, bytes: 0, storedBytes: 0 });
      }));

    it('many appends at once: each resolves with its own ids, announced once each, after its commit, in id order', () =>
      withStore(NO_RETENTION, async (store, events) => {
        const announced: number[] = [];
        events.subscribe((e) => e.type === 'message.stored' && announced.push(e.id));
        const messages = Array.from({ length: 30 }, (_, i) => message([`at-once-${i % 3}`], `m${i}`, {}, 'z'.repeat(i * 7)));
        const results = await Promise.all(messages.map((m) => store.append(m)));
        const ids = results.map((r) => r[0]!);
        assert.equal(new Set(ids).size, 30);
        assert.deepEqual(announced, [...ids].sort((a, b) => a - b), 'each announced once, in the order of the ids');
        for (let inbox = 0; inbox < 3; inbox++) {
          const page = await store.list(`at-once-${inbox}`, { limit: 20, offset: 0 });
          const expected = ids.map((id, i) => ({ id, subject: `m${i}` })).filter((_, i) => i % 3 === inbox);
          assert.deepEqual(page.messages.map((m) => ({ id: m.id, subject: m.subject })), expected.sort((a, b) => b.id - a.id));
        }
        const bytes = messages.reduce((sum, m) => sum + m.raw.length, 0);
        const stats = await store.stats();
        assert.ok(stats.storedBytes > 0, 'the bytes used are counted');
        assert.deepEqual(stats, { messages: 30, bodies: 30, bytes, storedBytes: stats.storedBytes });
      }));

    it('the total-size rule removes exactly the oldest messages beyond the cap, whether they came one at a time or at once', async () => {
      // Sizes all differ, so removing one message too many or too few shows. Each message has a
      // sender of its own, so what it costs the store is its own (no sender family shares a
      // dictionary with another) and can be measured first, alone, on a store without a cap.
      const sent = (inbox: string, subject: string, n: number, length: number) =>
        message([inbox], subject, { envelope: { ...message([inbox], subject).envelope, mailFrom: `ann@sender-${n}.test` } }, noise(n, length));
      const oneByOne = (from: number) => Array.from({ length: 4 }, (_, i) => sent('sized', `one ${from + i}`, from + i, 100 + 53 * (from + i)));
      const atOnce = Array.from({ length: 8 }, (_, i) => sent('sized', `at once ${i}`, 100 + i, 100 + 53 * (8 + i)));
      const first = oneByOne(0);
      const last = oneByOne(4);
      const all = [...first, ...atOnce, ...last];
      const costOf = new Map<NewMessage, number>();
      // What each one frees when it goes, on a store without a cap, is what it costs.
      await withStore(NO_RETENTION, async (probe) => {
        const ids = await Promise.all(all.map((m) => probe.append(m)));
        for (const [i, m] of all.entries()) {
          const before = (await probe.stats()).storedBytes;
          await probe.delete(ids[i]!);
          costOf.set(m, before - (await probe.stats()).storedBytes);
        }
        assert.equal((await probe.stats()).storedBytes, 0);
      });
      assert.equal(new Set(costOf.values()).size, all.length, 'every message costs a different number of bytes');
      const cap = Math.floor([...costOf.values()].reduce((sum, size) => sum + size, 0) / 2);
      await withStore({ maxAgeMs: 0, maxPerInbox: 0, maxTotalBytes: cap }, async (store) => {
        const sizeOf = new Map<number, number>();
        const rawOf = new Map<number, number>();
        const appendOne = async (m: NewMessage) => {
          const [id] = await store.append(m);
          sizeOf.set(id!, costOf.get(m)!);
          rawOf.set(id!, m.raw.length);
        };
        for (const m of first) await appendOne(m);
        await Promise.all(atOnce.map(appendOne));
        for (const m of last) await appendOne(m);
        // What the rule must do: oldest first, while more than the cap is held.
        const byAge = [...sizeOf].sort(([a], [b]) => a - b);
        let held = byAge.reduce((sum, [, size]) => sum + size, 0);
        const expectRemoved: number[] = [];
        for (const [id, size] of byAge) {
          if (held <= cap) break;
          expectRemoved.push(id);
          held -= size;
        }
        assert.ok(expectRemoved.length > 0 && expectRemoved.length < byAge.length);
        assert.deepEqual([...(await store.expire(Date.now()))].sort((a, b) => a - b), expectRemoved);
        const kept = byAge.map(([id]) => id).filter((id) => !expectRemoved.includes(id));
        assert.deepEqual((await store.mailbox('sized')).map((m) => m.id), kept);
        const rawHeld = kept.reduce((sum, id) => sum + rawOf.get(id)!, 0);
        assert.deepEqual(await store.stats(), { messages: kept.length, bodies: kept.length, bytes: rawHeld, storedBytes: held });
        assert.deepEqual(await store.expire(Date.now()), [], 'nothing more to remove');
      });
    });

    it('gives back every byte of near-copies and of mail sharing an attachment, and frees what they share only with the last of them', () =>
      withStore(NO_RETENTION, async (store) => {
        // A sender's template, again and again (enough for a dictionary of its own), half of them
        // with the same attachment: the store may share what they have in common, readers must not see it.
        const pdf = Buffer.from(Array.from({ length: 6000 }, (_, i) => (i * 7919) % 251)).toString('base64').replace(/.{76}/g, '$&\r\n');
        const messages: NewMessage[] = [];
        for (let i = 0; i < 12; i++) {
          const text = `Hello user${i}, your code is ${100000 + i * 7}. Confirm: https://shop.example.test/c/${i * 31}`;
          const m = message(['near', `near-${i % 3}`], `Your receipt ${i}`, {}, text);
          const multipart = `\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\nContent-Type: text/plain\r\n\r\n`;
          const attached = `--b${i}\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n${pdf}\r\n--b${i}--\r\n`;
          const raw = i % 2 ? Buffer.from(m.raw.toString('latin1').replace('\r\n\r\n', multipart) + attached, 'latin1') : m.raw;
          messages.push({ ...m, raw });
        }
        const sent = await Promise.all(messages.map(async (m) => ({ ids: await store.append(m), m })));
        const readBack = async () => {
          for (const { ids, m } of sent) for (const id of ids) assert.deepEqual(await store.raw(id), m.raw, `message ${id} byte for byte`);
        };
        await readBack();
        assert.ok((await store.stats()).storedBytes > 0);
        // Deleting in a scattered order: whatever is left reads back whole after each step.
        for (const index of [3, 0, 7, 11, 5, 1, 9, 2, 10, 4, 8, 6]) {
          const gone = sent.splice(sent.findIndex(({ m }) => m.subject === `Your receipt ${index}`), 1)[0]!;
          await store.delete(gone.ids.slice(0, 1));
          assert.deepEqual(await store.raw(gone.ids[1]!), gone.m.raw, 'the other inbox still holds it');
          await store.delete(gone.ids.slice(1));
          await readBack();
        }
        assert.deepEqual(await store.stats(), { messages: 0, bodies: 0, bytes: 0, storedBytes: 0 }, 'nothing shared is left behind');
      }));

    it('search matches subject, addresses and body text, optionally per inbox', () =>
      withStore(NO_RETENTION, async (store) => {
        await store.append(message(['s1'], 'Invoice for March', {}, 'Total due: forty credits'));
        await store.append(message(['s2'], 'Welcome aboard', {}, 'Your invoice is attached'));
        // Subject, addresses and body text are all searchable once a message is visible.
        assert.deepEqual((await store.search({ text: 'march invoice', limit: 10 })).map((m) => m.inbox), ['s1']);
        assert.equal((await store.search({ text: 'welcome', inbox: 's2', limit: 10 })).length, 1);
        const both = await store.search({ text: 'invoice', limit: 10 });
        assert.deepEqual(both.map((m) => m.inbox).sort(), ['s1', 's2']);
        assert.deepEqual((await store.search({ text: 'invoice', inbox: 's2', limit: 10 })).map((m) => m.inbox), ['s2']);
        assert.equal((await store.search({ text: 'forty credits', limit: 10 })).length, 1);
        assert.equal((await store.search({ text: 'ann@example', limit: 10 })).length, 2);
        assert.deepEqual(await store.search({ text: '"*(OR) NEAR', limit: 10 }), [], 'query syntax is not interpreted');
      }));

    it('bodyMatches: one message\'s body text, matched like search', () =>
      withStore(NO_RETENTION, async (store) => {
        const [id] = await store.append(message(['bm'], 'Subject words', {}, 'Your Café code is 123456, valid for TEN minutes'));
        assert.equal(await store.bodyMatches(id!, 'cafe code'), true, 'case and Latin accents folded, every word');
        assert.equal(await store.bodyMatches(id!, 'min'), true, 'a word matches a token prefix');
        assert.equal(await store.bodyMatches(id!, 'code hours'), false, 'every word must match');
        assert.equal(await store.bodyMatches(id!, 'subject'), false, 'the body only');
        assert.equal(await store.bodyMatches(id!, '!!!'), false, 'no words, no match');
        assert.equal(await store.bodyMatches(id! + 1000, 'code'), false, 'unknown id');
      }));

    it('indexes new messages after everything was deleted', () =>
      withStore(NO_RETENTION, async (store) => {
        await store.append(message(['gone'], 'first', {}, 'nothing to see'));
        await store.deleteInbox('gone');
        await store.append(message(['back'], 'second', {}, 'a quokka appears'));
        const found = (await store.search({ text: 'quokka', limit: 10 }))[0];
        assert.equal(found?.subject, 'second');
      }));

    it('a visible message has its preview and attachment count in listings', () =>
      withStore(NO_RETENTION, async (store) => {
        await store.append(message(['pv'], 'preview me', {}, 'First words of the body.'));
        const summary = (await store.list('pv', { limit: 1, offset: 0 })).messages[0];
        assert.equal(summary?.preview, 'First words of the body.');
        assert.equal(summary?.attachments, 0);
      }));

    it('final at first sight: no read shows a message before its summary is final, and ids show in order', () =>
      withRawStore(NO_RETENTION, async (store, events) => {
        const inboxes = ['fs-a', 'fs-b'];
        const attachment = (i: number) =>
          `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nYour code is ${100000 + i}. https://example.test/verify/${i}\r\n` +
          `--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=a.bin\r\n\r\nxyz\r\n--b--`;
        const sent = Array.from({ length: 24 }, (_, i) => {
          const m = message([inboxes[i % 2]!], `code ${i}`, {}, '');
          // A MIME body with one attachment: its head goes before the blank line the helper writes.
          const raw = m.raw.toString('latin1').replace('\r\n\r\n\r\n', `\r\n${attachment(i)}\r\n`);
          return { ...m, raw: Buffer.from(raw, 'latin1') };
        });
        const expected = new Map<string, { code: string; link: string }>(sent.map((m, i) => [m.subject, { code: String(100000 + i), link: `https://example.test/verify/${i}` }]));
        const final = (m: { subject: string; preview: string; attachments: number; codes: string[]; links: string[] }, where: string) => {
          const want = expected.get(m.subject)!;
          assert.equal(m.attachments, 1, `${where}: ${m.subject} has its attachment count`);
          assert.equal(m.codes[0], want.code, `${where}: ${m.subject} has its code`);
          assert.equal(m.links[0], want.link, `${where}: ${m.subject} has its link`);
          assert.match(m.preview, /Your code is/, `${where}: ${m.subject} has its preview`);
        };
        const announced: number[] = [];
        events.subscribe((e) => {
          if (e.type !== 'message.stored') return;
          final(e.summary, 'message.stored');
          announced.push(e.id);
        });
        let highestSeen = 0;
        const look = async () => {
          for (const inbox of inboxes) {
            const listed = (await store.list(inbox, { limit: 50, offset: 0 })).messages;
            const after = await store.listAfter(inbox, 0, 50);
            const mailbox = await store.mailbox(inbox);
            assert.deepEqual(after.map((m) => m.id), listed.map((m) => m.id).reverse(), 'list and listAfter show the same messages');
            assert.deepEqual(mailbox.map((m) => m.id), after.map((m) => m.id), 'so does mailbox');
            for (const m of listed) final(m, 'list');
            for (const m of await store.search({ text: 'code', inbox, limit: 50 })) final(m, 'search');
            highestSeen = Math.max(highestSeen, ...listed.map((m) => m.id));
          }
        };
        const appended: number[] = [];
        await Promise.all([
          ...sent.map(async (m) => {
            const [id] = await store.append(m);
            appended.push(id!);
            const got = await store.get(id!);
            if (got) final(got, 'get');
            await look();
          }),
          look(),
        ]);
        await eventually(async () => announced.length === sent.length, 'every message to be announced');
        assert.deepEqual(announced, [...appended].sort((a, b) => a - b), 'announced once each, in id order');
        await look();
        // Ids show in order: once id N is visible, every earlier id appended is too.
        for (const id of appended.filter((id) => id <= highestSeen)) assert.ok(await store.get(id), `message ${id}, older than one shown, is shown`);
      }));

    it('nextId (IMAP UIDNEXT) never goes down, whatever is deleted, and moves only when the inbox gains a message', () =>
      withStore(NO_RETENTION, async (store, _events, reopen) => {
        assert.equal(await store.nextId('un'), 1, 'an inbox never used');
        const ids: number[] = [];
        for (const s of ['1', '2', '3']) ids.push(...(await store.append(message(['un'], s))));
        const next = await store.nextId('un');
        assert.ok(next > ids[2]!, 'past every id the inbox holds');
        await store.delete([ids[2]!, ids[1]!]);
        assert.equal(await store.nextId('un'), next, 'deleting the newest messages does not lower it');
        await store.append(message(['elsewhere'], 'other inbox'));
        assert.equal(await store.nextId('un'), next, 'another inbox\'s mail does not move it');
        await store.deleteInbox('un');
        assert.equal(await store.nextId('un'), next, 'nor does emptying the inbox');
        await store.close();
        const again = await reopen();
        assert.equal(await again.nextId('un'), next, 'nor a restart');
        const [later] = await again.append(message(['un'], '4'));
        assert.ok(later! >= next, 'the next message gets at least the id announced');
        assert.ok((await again.nextId('un')) > later!, 'and it moves past it');
      }));

    it('copy: new messages on the same body, flags kept, ids ascending in source order, announced after the commit', () =>
      withStore(NO_RETENTION, async (store, events) => {
        const [a] = await store.append(message(['cp'], 'first'));
        const [b] = await store.append(message(['cp'], 'second', {}, 'a longer body, so the bytes differ'));
        await store.setFlags([b!], 'add', ['seen', 'draft']);
        const stored: Array<[number, string, string]> = [];
        events.subscribe((e) => e.type === 'message.stored' && stored.push([e.id, e.inbox, e.summary.subject]));
        const copied = await store.copy([b!, a!, 999_999], 'cp/Archive');
        assert.deepEqual(copied.map((c) => c.source), [a, b], 'in source order; an unknown id is skipped');
        assert.ok(copied[0]!.id > b! && copied[1]!.id > copied[0]!.id, 'new ids, above every id so far, ascending');
        assert.deepEqual(stored, [[copied[0]!.id, 'cp/Archive', 'first'], [copied[1]!.id, 'cp/Archive', 'second']]);
        const box = await store.mailbox('cp/Archive');
        assert.deepEqual(box.map((m) => [m.id, m.flags]), [[copied[0]!.id, []], [copied[1]!.id, ['seen', 'draft']]]);
        assert.deepEqual(await store.raw(copied[1]!.id), await store.raw(b!));
        assert.deepEqual((await store.stats()).bodies, 2, 'the bytes are not stored twice');
        assert.equal((await store.list('cp/Archive', { limit: 10, offset: 0 })).total, 2);
        assert.equal((await store.list('cp', { limit: 10, offset: 0 })).total, 2, 'the sources stay');
        await store.setFlags([copied[0]!.id], 'add', ['flagged']);
        assert.deepEqual((await store.mailbox('cp')).map((m) => m.flags), [[], ['seen', 'draft']], 'a copy has flags of its own');
        await store.delete([a!, b!]);
        assert.deepEqual(await store.raw(copied[0]!.id), message(['cp'], 'first').raw, 'a copy outlives its source');
        await store.deleteInbox('cp/Archive');
        assert.deepEqual(await store.stats(), { messages: 0, bodies: 0, bytes: 0, storedBytes: 0 });
        assert.deepEqual(await store.copy([a!], 'cp/Archive'), [], 'nothing to copy');
      }));

    it('copy: the per-inbox cap applies to the receiving mailbox', () =>
      withStore({ ...NO_RETENTION, maxPerInbox: 2 }, async (store, events) => {
        const ids: number[] = [];
        for (const s of ['1', '2']) ids.push(...(await store.append(message(['capsrc'], s))));
        const [old] = await store.append(message(['capsrc/Trash'], 'already there'));
        const deleted: number[] = [];
        events.subscribe((e) => e.type === 'message.deleted' && deleted.push(e.id));
        const copied = await store.copy(ids, 'capsrc/Trash');
        assert.deepEqual(deleted, [old], 'the oldest of the receiving mailbox goes');
        assert.deepEqual((await store.mailbox('capsrc/Trash')).map((m) => m.id), copied.map((c) => c.id));
        assert.equal((await store.mailbox('capsrc')).length, 2);
      }));

    it('renameInbox: the messages move to new ascending ids in one commit, flags kept, deletions and arrivals announced', () =>
      withStore(NO_RETENTION, async (store, events) => {
        const ids: number[] = [];
        for (const s of ['x', 'y', 'z']) ids.push(...(await store.append(message(['ren/Old'], s))));
        await store.append(message(['ren'], 'stays in the inbox'));
        await store.setFlags([ids[1]!], 'add', ['answered']);
        const seen: string[] = [];
        events.subscribe((e) => seen.push(`${e.type} ${e.inbox}`));
        const moved = await store.renameInbox('ren/Old', 'ren/New');
        assert.deepEqual(moved.map((m) => m.source), ids);
        const box = await store.mailbox('ren/New');
        assert.deepEqual(box.map((m) => m.id), moved.map((m) => m.id));
        assert.ok(box[0]!.id > ids[2]!, 'new ids above every id so far');
        assert.deepEqual(box.map((m) => m.flags), [[], ['answered'], []]);
        assert.deepEqual((await store.list('ren/New', { limit: 10, offset: 0 })).messages.map((m) => m.subject), ['z', 'y', 'x']);
        assert.deepEqual(await store.list('ren/Old', { limit: 10, offset: 0 }), { inbox: 'ren/Old', total: 0, messages: [] });
        assert.equal(await store.raw(ids[0]!), null, 'the old ids are gone');
        assert.deepEqual(seen, [...ids.map(() => 'message.deleted ren/Old'), ...ids.map(() => 'message.stored ren/New')]);
        const stats = await store.stats();
        assert.deepEqual([stats.messages, stats.bodies], [4, 4], 'a rename adds no message and no body');
        assert.deepEqual(await store.renameInbox('ren/Nothing', 'ren/Else'), [], 'an empty mailbox has nothing to move');
        assert.equal((await store.list('ren', { limit: 10, offset: 0 })).total, 1);
      }));

    it('keeps everything across close and reopen, ids keep ascending', () =>
      withStore(NO_RETENTION, async (store, _events, reopen) => {
        const [before] = await store.append(message(['keep'], 'persisted'));
        const validity = store.uidValidity();
        await store.close();
        const again = await reopen();
        assert.equal(again.uidValidity(), validity);
        assert.deepEqual((await again.list('keep', { limit: 10, offset: 0 })).messages.map((m) => m.subject), ['persisted']);
        const [after] = await again.append(message(['keep'], 'later'));
        assert.ok(after! > before!);
      }));

    it('rejects calls after close', () =>
      withStore(NO_RETENTION, async (store, _events, reopen) => {
        await store.close();
        await assert.rejects(store.append(message(['x'], 'late')));
        await reopen();
      }));
  });
}
