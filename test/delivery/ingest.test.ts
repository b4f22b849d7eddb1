/**
 * The store as a delivery target (src/delivery/ingest.ts, StoreDelivery): our trace header,
 * dated by the injected clock, followed by the message exactly as received, the listing fields
 * from its header, the envelope, each inbox once; the promise settles with the store's ids only
 * once the store has committed, and a failed commit is the caller's failure.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { StoreDelivery, type Incoming } from '../../src/delivery/ingest.js';
import type { MessageId, NewMessage, Store } from '../../src/store/types.js';
import { ManualClock } from '../helpers/clock.js';

/** A store that records appends and commits when the test says so. */
class RecordingStore {
  readonly appended: NewMessage[] = [];
  private commit: ((ids: MessageId[]) => void) | null = null;
  private fail: ((error: Error) => void) | null = null;

  append(message: NewMessage): Promise<MessageId[]> {
    this.appended.push(message);
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

  /** The delivery target on this store, its clock at NOW. */
  target(): StoreDelivery {
    return new StoreDelivery(this as Pick<Store, 'append'>, new ManualClock(NOW.getTime()));
  }
}

const ENVELOPE = { mailFrom: 'ann@example.test', rcptTo: ['joe@tidemail.test'], remoteAddress: '192.0.2.7', helo: 'client.test', tls: true };
const NOW = new Date(Date.UTC(2026, 10, 21, 3, 39, 3));

function incoming(overrides: Partial<Incoming> = {}): Incoming {
  return {
    trace: { helo: 'client.test', remoteAddress: '192.0.2.7', hostname: 'mx.tidemail.test', esmtp: true, tls: true, smtputf8: false, id: 'Q7' },
    envelope: ENVELOPE,
    inboxes: ['joe'],
    relayTo: [],
    // The message as slices of what was received, split mid-header on purpose.
    segments: [Buffer.from('From: Ann <ann@example.test>\r\nSubj'), Buffer.from('ect: Hi\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n')],
    transcript: { remoteAddress: '192.0.2.7', helo: 'client.test', tls: null, connectedAtMs: 0, lines: [], truncated: false },
    ...overrides,
  };
}

it('stores the trace header followed by the message bytes, with listing fields and envelope', async () => {
  const store = new RecordingStore();
  const done = store.target().deliver(incoming());
  const [message] = store.appended as [NewMessage];
  const header =
    'Received: from client.test ([192.0.2.7])\r\n\tby mx.tidemail.test (Tidemail) with ESMTPS id Q7\r\n\tfor <joe@tidemail.test>;\r\n\tSat, 21 Nov 2026 03:39:03 +0000\r\n';
  assert.equal(message.raw.toString(), `${header}From: Ann <ann@example.test>\r\nSubject: Hi\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\nbody\r\n`);
  assert.deepEqual(message.inboxes, ['joe']);
  assert.deepEqual(message.envelope, ENVELOPE);
  assert.equal(message.receivedAtMs, NOW.getTime());
  assert.deepEqual(message.from, { name: 'Ann', address: 'ann@example.test' });
  assert.equal(message.subject, 'Hi');
  assert.equal(message.dateMs, Date.UTC(2026, 10, 21, 10));
  store.commitWith([41]);
  assert.deepEqual(await done, { kind: 'stored', ids: [41] });
});

it('appends once for all inboxes, each named once; the recipient list stays out of the header', async () => {
  const store = new RecordingStore();
  const done = store.target().deliver(
    incoming({ inboxes: ['joe', 'ann', 'joe'], envelope: { ...ENVELOPE, mailFrom: '', rcptTo: ['joe@tidemail.test', 'ann@tidemail.test', 'Joe+x@tidemail.test'] } }),
  );
  assert.equal(store.appended.length, 1);
  const message = store.appended[0]!;
  assert.deepEqual(message.inboxes, ['joe', 'ann']);
  assert.doesNotMatch(message.raw.toString(), /for </);
  store.commitWith([5, 6]);
  assert.deepEqual(await done, { kind: 'stored', ids: [5, 6] });
});

it('settles only when the store commits, and a failed commit is the caller\'s failure', async () => {
  const store = new RecordingStore();
  let settled = false;
  const done = store.target().deliver(incoming()).finally(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled, false, 'no answer before the commit');
  store.failWith(new Error('disk full'));
  await assert.rejects(done, /disk full/);
});
