/**
 * Handing a received message to the store (src/delivery/ingest.ts): our trace header followed by
 * the message exactly as received, the listing fields from its header, the envelope, each inbox
 * once, and the promise settles with the store's ids only once the store has committed.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ingest, type Incoming } from '../../src/delivery/ingest.js';
import type { AppendOptions, MessageId, NewMessage, Store } from '../../src/store/types.js';

/** A store that records appends and commits when the test says so. */
class RecordingStore {
  readonly appended: Array<{ message: NewMessage; options: AppendOptions | undefined }> = [];
  private commit: ((ids: MessageId[]) => void) | null = null;
  private fail: ((error: Error) => void) | null = null;

  append(message: NewMessage, options?: AppendOptions): Promise<MessageId[]> {
    this.appended.push({ message, options });
    return new Promise((resolve, reject) => {
      this.commit = resolve;
      this.fail = reject;
    });
  }

  commitWith(ids: MessageId[]): void {
    this.commit!(ids);
  }

  failWith(error: Error): void {
    this.fail!(error);
  }

  asStore(): Store {
    return this as unknown as Store;
  }
}

const ENVELOPE = { mailFrom: 'ann@example.test', rcptTo: ['joe@tidemail.test'], remoteAddress: '192.0.2.7', helo: 'client.test', tls: true };
const NOW = new Date(Date.UTC(2026, 10, 21, 3, 39, 3));

function incoming(overrides: Partial<Incoming> = {}): Incoming {
  return {
    trace: { helo: 'client.test', remoteAddress: '192.0.2.7', hostname: 'mx.tidemail.test', esmtp: true, tls: true, smtputf8: false, id: 'Q7' },
    envelope: ENVELOPE,
    inboxes: ['joe'],
    // The message as slices of what was received, split mid-header on purpose.
    segments: [Buffer.from('From: Ann <ann@example.test>\r\nSubj'), Buffer.from('ect: Hi\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n')],
    alone: false,
    ...overrides,
  };
}

it('stores the trace header followed by the message bytes, with listing fields and envelope', async () => {
  const store = new RecordingStore();
  const done = ingest(store.asStore(), incoming(), NOW);
  const [{ message, options }] = store.appended as [(typeof store.appended)[0]];
  const header =
    'Received: from client.test ([192.0.2.7])\r\n\tby mx.tidemail.test (Tidemail) with ESMTPS id Q7\r\n\tfor <joe@tidemail.test>;\r\n\tSat, 21 Nov 2026 03:39:03 +0000\r\n';
  assert.equal(message.raw.toString(), `${header}From: Ann <ann@example.test>\r\nSubject: Hi\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n`);
  assert.deepEqual(message.inboxes, ['joe']);
  assert.deepEqual(message.envelope, ENVELOPE);
  assert.equal(message.receivedAtMs, NOW.getTime());
  assert.deepEqual(message.from, { name: 'Ann', address: 'ann@example.test' });
  assert.equal(message.subject, 'Hi');
  assert.equal(message.dateMs, Date.UTC(2026, 10, 21, 10));
  assert.deepEqual(options, { alone: false });
  store.commitWith([41]);
  assert.deepEqual(await done, [41]);
});

it('appends once for all inboxes, each named once; the recipient list stays out of the header', async () => {
  const store = new RecordingStore();
  const done = ingest(
    store.asStore(),
    incoming({ inboxes: ['joe', 'ann', 'joe'], envelope: { ...ENVELOPE, mailFrom: '', rcptTo: ['joe@tidemail.test', 'ann@tidemail.test', 'Joe+x@tidemail.test'] }, alone: true }),
    NOW,
  );
  assert.equal(store.appended.length, 1);
  const { message, options } = store.appended[0]!;
  assert.deepEqual(message.inboxes, ['joe', 'ann']);
  assert.doesNotMatch(message.raw.toString(), /for </);
  assert.deepEqual(options, { alone: true });
  store.commitWith([5, 6]);
  assert.deepEqual(await done, [5, 6]);
});

it('settles only when the store commits, and a failed commit is the caller\'s failure', async () => {
  const store = new RecordingStore();
  let settled = false;
  const done = ingest(store.asStore(), incoming(), NOW).finally(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, 'no answer before the commit');
  store.failWith(new Error('disk full'));
  await assert.rejects(done, /disk full/);
});
