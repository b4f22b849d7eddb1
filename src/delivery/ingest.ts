/**
 * The delivery target for local inboxes (ARCHITECTURE.md, "The delivery contract"): a session
 * hands over a received message; this gives it a queue id, prepends our trace header, parses
 * the listing fields from the header block (cheap, while the client waits) and appends it once
 * for all its inboxes. The promise settles only when the store has committed: that is what lets
 * SMTP answer 250. Nothing is stored before that commit, and a rejection means nothing was.
 */
import type { Clock } from '../clock.js';
import { parseListingFields } from '../mail/headers.js';
import { receivedHeader, type TraceInfo } from '../mail/received.js';
import type { Envelope, MessageId, Store } from '../store/types.js';

export interface Incoming {
  /** What the trace header says of the session; the queue id and date are the target's. */
  trace: Omit<TraceInfo, 'recipients' | 'date' | 'id'>;
  envelope: Envelope;
  inboxes: readonly string[];
  /** The unstuffed message, as slices of what was received. */
  segments: readonly Buffer[];
}

export interface Delivered {
  /** The id in our trace header and in the 250 reply, for the sender's logs. */
  queueId: string;
  ids: MessageId[];
}

/** Where a session's message goes once DATA is complete: the store here, later the relay queue or an upstream. */
export interface DeliveryTarget {
  deliver(incoming: Incoming): Promise<Delivered>;
}

let queueCounter = 0;
/** Unique within the process and roughly time-ordered: milliseconds, then a wrapping counter. */
function nextQueueId(nowMs: number): string {
  queueCounter = (queueCounter + 1) % 0x1000000;
  return `${nowMs.toString(36).toUpperCase()}${queueCounter.toString(36).toUpperCase().padStart(5, '0')}`;
}

export class StoreDelivery implements DeliveryTarget {
  constructor(
    private readonly store: Pick<Store, 'append'>,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly isAlone: () => boolean = () => false,
  ) {}

  async deliver(incoming: Incoming): Promise<Delivered> {
    const now = new Date(this.clock.now());
    const queueId = nextQueueId(now.getTime());
    const header = receivedHeader({ ...incoming.trace, id: queueId, recipients: incoming.envelope.rcptTo, date: now });
    const raw = Buffer.concat([header, ...incoming.segments]);
    const fields = parseListingFields(raw);
    const ids = await this.store.append(
      {
        raw,
        inboxes: [...new Set(incoming.inboxes)],
        envelope: incoming.envelope,
        receivedAtMs: now.getTime(),
        ...fields,
      },
      { alone: this.isAlone() },
    );
    return { queueId, ids };
  }
}
