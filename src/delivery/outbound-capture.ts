/**
 * --capture-outbound: a copy of relayed mail in the sender's inbox (the inbox its envelope
 * sender's local part names), as Mailpit and MailDev show what an app sent. The copy is an
 * ordinary stored message (same bytes as relayed, trace header included), so it reads like any
 * other in the web UI, POP3 and IMAP; what marks it outbound is kept beside the store, in
 * `OutboundMarks` (outbound-marks.ts), and the web UI's Outbound tab lists those.
 */
import type { Clock } from '../clock.js';
import { parseListingFields } from '../mail/headers.js';
import type { MessageId, Store } from '../store/types.js';
import type { Incoming } from './ingest.js';
import type { OutboundCapture } from './routed.js';

export interface OutboundMarks {
  mark(id: MessageId, inbox: string, atMs: number): void;
  /** The marked ids of `inbox`, newest first. */
  list(inbox: string, limit: number): MessageId[];
  forget(ids: readonly MessageId[]): void;
}

/** In-memory marks, bounded: for tests and when no state database is wired. */
export class MemoryOutboundMarks implements OutboundMarks {
  private readonly marks = new Map<MessageId, string>();

  constructor(private readonly maxMarks = 100_000) {}

  mark(id: MessageId, inbox: string): void {
    this.marks.set(id, inbox);
    if (this.marks.size > this.maxMarks) this.marks.delete(this.marks.keys().next().value as MessageId);
  }

  list(inbox: string, limit: number): MessageId[] {
    return [...this.marks].filter(([, i]) => i === inbox).map(([id]) => id).reverse().slice(0, limit);
  }

  forget(ids: readonly MessageId[]): void {
    for (const id of ids) this.marks.delete(id);
  }
}

export class StoreCapture implements OutboundCapture {
  constructor(
    private readonly store: Pick<Store, 'append'>,
    private readonly clock: Pick<Clock, 'now'>,
    readonly marks: OutboundMarks = new MemoryOutboundMarks(),
  ) {}

  async capture(inbox: string, incoming: Incoming, raw: Buffer): Promise<MessageId> {
    const now = this.clock.now();
    const [id] = await this.store.append({ raw, inboxes: [inbox], envelope: incoming.envelope, receivedAtMs: now, ...parseListingFields(raw), transcript: incoming.transcript });
    this.marks.mark(id!, inbox, now);
    return id!;
  }
}
