/**
 * The delivery contract (ARCHITECTURE.md, "The delivery contract") and the target for local
 * inboxes.
 *
 * A target is handed a transaction in one step (`deliver`: the whole message once DATA is
 * complete) or, if it decides per recipient, in steps as maddy's DeliveryTarget does:
 * `transaction()` at MAIL (start) → `recipient()` for each RCPT the session itself accepted (a
 * verdict, possibly asynchronous: the proxy asks its upstream) → `commit()` with the body, or
 * `abort()` (RSET, EHLO, QUIT, a new MAIL, the connection gone). Nothing is persistent before
 * commit, and the reply to the client after DATA is the commit's outcome. A target without
 * `transaction` answers every recipient at once: the store's RCPT path stays synchronous and
 * costs `serve` nothing.
 *
 * StoreDelivery, the store's target: a session hands over a received message with its queue id;
 * this prepends our trace header, parses the listing fields from the header block (cheap, while
 * the client waits) and appends it once for all its inboxes. The promise settles only when the
 * store has committed: that is what lets SMTP answer 250. Nothing is stored before that commit,
 * and a rejection means nothing was.
 */
import type { Clock } from '../clock.js';
import { parseListingFields } from '../mail/headers.js';
import type { SmtpTranscript } from '../mail/model.js';
import { receivedHeader, type TraceInfo } from '../mail/received.js';
import type { OutboundOrigin } from '../relay/types.js';
import type { Envelope, MessageId, Store } from '../store/types.js';

export interface Incoming {
  /** What the trace header says of the session (the date is the target's: when it accepted). */
  trace: Omit<TraceInfo, 'recipients' | 'date'>;
  envelope: Envelope;
  inboxes: readonly string[];
  /**
   * Recipients that are not ours and that this client may relay to (submission, --relay-networks):
   * queued for the relay (src/relay/) in the same hand-over; [] on a plain MX session.
   */
  relayTo: readonly string[];
  /** Why the relayed part goes out (the queue page shows it): submission, relay network, or an alias's forward. */
  relayOrigin?: OutboundOrigin;
  /** The submission user who sent it (RFC 4954), if any. */
  user?: string;
  /** mbox files under --alias-file-dir to append it to (file aliases). */
  files?: readonly string[];
  /** Programs under --alias-program-dir to pipe it to, as argv (program aliases). */
  programs?: ReadonlyArray<readonly string[]>;
  /** The unstuffed message, as slices of what was received. */
  segments: readonly Buffer[];
  /** The session as it delivered this message, up to its 250. */
  transcript: SmtpTranscript;
}

/** A reply a delivery target gives for the client to see (an upstream's verdict, a rule's drop). */
export interface TargetReply {
  code: number;
  /** RFC 3463 enhanced status code, '' when the target gave none. */
  enhanced: string;
  text: string;
}

/**
 * What a target did with a message: stored (the session answers 250), or refused with a reply
 * the client sees (4xx or 5xx; nothing was kept). A rejected promise is a failure of ours:
 * nothing was kept and the session answers 451 4.3.0.
 */
export type DeliveryOutcome =
  /** `reply`: the target's own words for its acceptance (an upstream's 250), told to the client after ours. */
  | { kind: 'stored'; ids: MessageId[]; reply?: TargetReply }
  | { kind: 'refused'; reply: TargetReply };

/** Where a session's message goes once DATA is complete: the store here, the relay queue, an upstream. */
export interface DeliveryTarget {
  deliver(incoming: Incoming): Promise<DeliveryOutcome>;
  /**
   * Targets that decide per recipient (the proxy's upstream) open a transaction at MAIL; the
   * session then waits for `recipient()`'s verdict before it answers each RCPT. Absent: every
   * recipient the session accepts is the target's, answered at once.
   */
  transaction?(start: TransactionStart): TargetTransaction;
  /** The largest message the target takes now (an upstream's EHLO SIZE), null when it states none: our SIZE is never more. */
  maxMessageBytes?(): number | null;
}

/** What MAIL FROM said (RFC 5321 §4.1.1.2, with the RFC 1870, 6152 and 6531 parameters). */
export interface TransactionStart {
  /** '' for the null reverse path. */
  mailFrom: string;
  smtputf8: boolean;
  /** SIZE=, or null when the client declared none. */
  declaredBytes: number | null;
  /** BODY=, upper-case, or null. */
  body: '7BIT' | '8BITMIME' | null;
}

/** A target's verdict on one recipient: the reply the client sees, and whether the recipient is in. */
export interface RecipientVerdict {
  accepted: boolean;
  reply: TargetReply;
}

/** One transaction with a per-recipient target (see the head comment for the order of calls). */
export interface TargetTransaction {
  /** Settles with the verdict; a rejected promise is a failure of ours (the session answers 451 4.3.0). */
  recipient(address: string): Promise<RecipientVerdict>;
  /**
   * The session answered DATA with 354: the body is coming. A target may get ready for it now
   * (the proxy sends its own DATA, so the upstream's 354 is in before the client's data ends).
   */
  expectBody?(): void;
  /** The body, once DATA is complete, for the recipients accepted so far: the target's final word. */
  commit(incoming: Incoming): Promise<DeliveryOutcome>;
  /** The transaction is over without a commit; idempotent, and a no-op after commit. */
  abort(): void;
}

/** The message as we keep and pass it on: our trace header, then the message as received. */
export function tracedRaw(incoming: Incoming, date: Date): Buffer {
  const header = receivedHeader({ ...incoming.trace, recipients: incoming.envelope.rcptTo, date });
  return Buffer.concat([header, ...incoming.segments]);
}

export class StoreDelivery implements DeliveryTarget {
  constructor(
    private readonly store: Pick<Store, 'append'>,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  async deliver(incoming: Incoming): Promise<DeliveryOutcome> {
    const now = new Date(this.clock.now());
    const raw = tracedRaw(incoming, now);
    const fields = parseListingFields(raw);
    const ids = await this.store.append({
      raw,
      inboxes: [...new Set(incoming.inboxes)],
      envelope: incoming.envelope,
      receivedAtMs: now.getTime(),
      ...fields,
      transcript: incoming.transcript,
    });
    return { kind: 'stored', ids };
  }
}
