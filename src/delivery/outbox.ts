/**
 * The one door for mail Tidemail generates itself (agent replies, rule forwards, DSNs): each
 * recipient goes where the RecipientRouter would send it if it came in over SMTP. Recipients at
 * our domains (every domain when `--domains` is empty) are stored here, without the network, as
 * one body for all their inboxes; the rest go to the injected RelayQueue. `send` resolves only
 * when both are committed, so a caller that clears its own pending work afterwards loses nothing.
 *
 * A locally stored message gets a trace header of its own (RFC 5321 §4.4 allows a Received
 * field with only `by`, `id` and the date): it was generated here, no SMTP client sent it, so
 * there is no `from` clause to give and the transcript has no lines. Magic addresses script
 * what a *client* sees and do not apply to mail we send ourselves.
 *
 * An `OutboundMessage` is validated as a whole before anything is committed: a recipient that is
 * no address, or that names no usable inbox at our domains, fails the send and nothing is kept.
 */
import type { Clock } from '../clock.js';
import { parseMailbox } from '../mail/address.js';
import { parseListingFields } from '../mail/headers.js';
import { rfc5322Date } from '../mail/received.js';
import type { Outbox, OutboundMessage, RelayQueue } from '../relay/types.js';
import { nextQueueId } from '../smtp/queue-id.js';
import type { Envelope, MessageId, Store } from '../store/types.js';
import { RecipientRouter } from './router.js';

export interface OutboxDeps {
  store: Pick<Store, 'append'>;
  /** null when nothing relays (no relay queue is configured): mail for other domains is refused. */
  relay: RelayQueue | null;
  clock: Pick<Clock, 'now'>;
  /** Accepted domains, as --domains gives them (empty: every domain is ours). */
  domains: readonly string[];
  /** Our name in the trace header. */
  hostname: string;
  /**
   * Told of each local store once committed (before `send` resolves), as the delivery path's
   * wrappers are: agents see generated mail too, and their loop safety declines it. Recipient i
   * of the envelope went to inbox i; copies follow the recipients' inboxes.
   */
  afterLocalStore?: (stored: { envelope: Envelope; inboxes: readonly string[]; ids: readonly MessageId[] }) => void;
}

/** Extra for a generated message: inboxes that keep a copy of it, e.g. an agent's own inbox showing its reply. */
export interface SendOptions {
  copyToInboxes?: readonly string[];
}

export class OutboxError extends Error {}

/** What `send` does with each recipient, decided before anything is committed. */
interface Split {
  local: { recipients: string[]; inboxes: string[] };
  remote: string[];
}

export class LocalFirstOutbox implements Outbox {
  private readonly router: RecipientRouter;

  constructor(private readonly deps: OutboxDeps) {
    this.router = new RecipientRouter({ domains: deps.domains });
  }

  async send(message: OutboundMessage, options: SendOptions = {}): Promise<void> {
    const split = this.split(message.recipients);
    if (split.remote.length > 0 && !this.deps.relay) throw new OutboxError(`no relay queue is configured: cannot send to ${split.remote.join(', ')}`);
    const inboxes = [...split.local.inboxes, ...(options.copyToInboxes ?? [])];
    await Promise.all([
      inboxes.length > 0 ? this.storeLocally(message, split.local.recipients, inboxes) : null,
      split.remote.length > 0 ? this.deps.relay!.enqueue({ ...message, recipients: split.remote }) : null,
    ]);
  }

  /** Which recipients are ours (and their inboxes) and which are for the relay. */
  private split(recipients: readonly string[]): Split {
    const split: Split = { local: { recipients: [], inboxes: [] }, remote: [] };
    for (const recipient of recipients) {
      const parsed = parseMailbox(recipient);
      if (!parsed.ok) throw new OutboxError(`cannot send to "${recipient}": ${parsed.reason}`);
      const route = this.router.route(parsed.mailbox);
      if (route.kind === 'inbox') {
        split.local.recipients.push(parsed.mailbox.address);
        split.local.inboxes.push(route.inbox);
      } else if (route.kind === 'reject' && route.reason === 'not-our-domain') split.remote.push(parsed.mailbox.address);
      else throw new OutboxError(`cannot send to "${recipient}": it names no inbox`);
    }
    return split;
  }

  private async storeLocally(message: OutboundMessage, recipients: string[], inboxes: string[]): Promise<void> {
    const now = new Date(this.deps.clock.now());
    const raw = Buffer.concat([generatedTraceHeader(this.deps.hostname, message, recipients, now), message.raw]);
    const envelope: Envelope = { mailFrom: message.mailFrom, rcptTo: recipients, remoteAddress: '', helo: this.deps.hostname, tls: false };
    const ids = await this.deps.store.append({
      raw,
      inboxes: [...new Set(inboxes)],
      envelope,
      receivedAtMs: now.getTime(),
      ...parseListingFields(raw),
      transcript: { remoteAddress: '', helo: this.deps.hostname, tls: null, connectedAtMs: now.getTime(), lines: [], truncated: false },
    });
    this.deps.afterLocalStore?.({ envelope, inboxes, ids });
  }
}

/** `Received: by host (Tidemail generated agent) id …; date`, naming the recipient when there is one (as receivedHeader does). */
export function generatedTraceHeader(hostname: string, message: Pick<OutboundMessage, 'origin'>, recipients: readonly string[], date: Date): Buffer {
  const forClause = recipients.length === 1 ? `\r\n\tfor <${recipients[0]}>` : '';
  return Buffer.from(`Received: by ${hostname} (Tidemail generated ${message.origin}) id ${nextQueueId(date.getTime())}${forClause};\r\n\t${rfc5322Date(date)}\r\n`);
}
