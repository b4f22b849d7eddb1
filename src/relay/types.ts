/**
 * The outbound contracts (ARCHITECTURE.md: relay/). Everything that sends mail of ours — relayed
 * submissions, released messages, alias forwards, agent replies, rule forwards, DSN bounces —
 * hands it over as an `OutboundMessage`:
 *
 * - `RelayQueue.enqueue` is the durable queue (src/relay/): it resolves only when the message and
 *   its per-recipient state are committed and synced, so an SMTP `250` after it is a promise
 *   kept across a `kill -9`. Recipients are delivered (or bounced) at least once.
 * - `Outbox.send` is the one door for mail we generate ourselves: recipients at our own domains
 *   are stored locally (no network), the rest go to the relay queue.
 */
import type { MessageId } from '../store/types.js';

/** Why a message is going out: shown on the queue page, and bounces are never sent for a bounce. */
export type OutboundOrigin = 'submission' | 'relay-network' | 'release' | 'alias' | 'agent' | 'rule' | 'bounce';

export interface OutboundMessage {
  /** The envelope sender; '' is the null reverse path (bounces and auto-replies, RFC 3834 §3.3). */
  mailFrom: string;
  /** Envelope recipients, each a full address. */
  recipients: readonly string[];
  /** The whole message as it is to be sent (header block and body, CRLF line ends, not dot-stuffed). */
  raw: Buffer;
  origin: OutboundOrigin;
  /** The stored message this one came from (a release, a captured copy), for the UI's links. */
  sourceId?: MessageId;
}

export type QueueId = number;

export interface RelayQueue {
  /** Commit durably (message and every recipient's state), then schedule delivery. */
  enqueue(message: OutboundMessage): Promise<QueueId>;
}

export interface Outbox {
  /** Deliver locally what is ours, queue the rest; resolves when all of it is committed. */
  send(message: OutboundMessage): Promise<void>;
}
