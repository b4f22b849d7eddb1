/**
 * Hand a received message to the store: prepend our trace header, parse the listing fields from
 * the header block (cheap, while the client waits) and append it once for all its inboxes.
 * The promise settles only when the store has committed: that is what lets SMTP answer 250.
 */
import { parseListingFields } from '../mail/headers.js';
import { receivedHeader, type TraceInfo } from '../mail/received.js';
import type { Envelope, MessageId, Store } from '../store/types.js';

export interface Incoming {
  trace: Omit<TraceInfo, 'recipients' | 'date'>;
  envelope: Envelope;
  inboxes: readonly string[];
  /** The unstuffed message, as slices of what was received. */
  segments: readonly Buffer[];
}

export async function ingest(store: Store, incoming: Incoming, now = new Date()): Promise<MessageId[]> {
  const header = receivedHeader({ ...incoming.trace, recipients: incoming.envelope.rcptTo, date: now });
  const raw = Buffer.concat([header, ...incoming.segments]);
  const fields = parseListingFields(raw);
  return store.append({
    raw,
    inboxes: [...new Set(incoming.inboxes)],
    envelope: incoming.envelope,
    receivedAtMs: now.getTime(),
    ...fields,
  });
}
