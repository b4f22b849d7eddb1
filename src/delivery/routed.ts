/**
 * The delivery target of every SMTP listener (MX and submission): one received message, the
 * final targets its recipients were routed to at RCPT (router.ts: inboxes, relayed addresses,
 * mbox files, programs), each carried out once, all committed before the session answers 250.
 *
 * Order, and what a failure half-way means. SMTP has one reply for the whole transaction, so
 * a step that fails after others succeeded cannot take them back; the order makes the possible
 * harm the least, and a client that retries after a 4xx gets at least once, never "lost":
 * 1. programs first, because they are the only targets that may refuse (their exit status,
 *    sysexits(3): 451 or 550): when one does, nothing else has been kept, and the client sees
 *    that program's reply (a permanent failure wins over a temporary one, since a retry cannot
 *    fix it). Programs that succeeded alongside a refusing one have run: they run again on the
 *    client's retry;
 * 2. the local inboxes (one store commit; a duplicate after a retry is a harmless second copy in
 *    a disposable inbox);
 * 3. the mbox files (appended and fsynced);
 * 4. with --capture-outbound, the outbound copy in the sender's inbox, then the relayed
 *    recipients, in one `RelayQueue.enqueue` that resolves once durably committed. Last,
 *    because a duplicate sent to the outside world is the worst duplicate: the queue is only
 *    asked once everything local is kept, and if it fails the client is told 451 4.3.0 and
 *    retries: the local part is then stored twice, the world gets it once.
 * Any failure of steps 2–4 rejects, and the session answers 451 4.3.0 (ingest.ts's contract).
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { inboxFor, parseMailbox } from '../mail/address.js';
import { appendToMbox, mboxEntry } from '../aliases/mbox.js';
import { runProgram, type ProgramOutcome } from '../aliases/program.js';
import type { RelayQueue } from '../relay/types.js';
import type { MessageId } from '../store/types.js';
import { tracedRaw, type DeliveryOutcome, type DeliveryTarget, type Incoming } from './ingest.js';

/** --capture-outbound: keep a copy of relayed mail in the sender's inbox, marked outbound. */
export interface OutboundCapture {
  /** Store `raw` in `inbox` as an outbound copy; resolves with its id once committed. */
  capture(inbox: string, incoming: Incoming, raw: Buffer): Promise<MessageId>;
}

export interface RoutedDeliveryOptions {
  /** The local store's target (StoreDelivery). */
  local: DeliveryTarget;
  /** The relay queue; null: a relayed recipient fails the message (451 4.3.0). */
  relay: RelayQueue | null;
  capture: OutboundCapture | null;
  programTimeoutMs: number;
  clock: Pick<Clock, 'now'>;
  log: Logger;
  metrics: Pick<Metrics, 'aliasDeliveries'>;
}

export class RoutedDelivery implements DeliveryTarget {
  constructor(private readonly options: RoutedDeliveryOptions) {}

  async deliver(incoming: Incoming): Promise<DeliveryOutcome> {
    const { options } = this;
    const date = new Date(options.clock.now());
    const raw = tracedRaw(incoming, date);
    const refusal = await this.runPrograms(incoming, raw);
    if (refusal) return refusal;

    let ids: MessageId[] = [];
    if (incoming.inboxes.length > 0) {
      const stored = await options.local.deliver(incoming);
      if (stored.kind === 'refused') return stored;
      ids = stored.ids;
    }
    for (const path of incoming.files ?? []) {
      try {
        await appendToMbox(path, mboxEntry(raw, incoming.envelope.mailFrom, date));
        options.metrics.aliasDeliveries.inc({ kind: 'file', outcome: 'ok' });
      } catch (error) {
        options.metrics.aliasDeliveries.inc({ kind: 'file', outcome: 'failed' });
        throw new Error(`file alias ${path}: ${(error as Error).message}`);
      }
    }
    if (incoming.relayTo.length > 0) await this.relay(incoming, raw);
    return { kind: 'stored', ids };
  }

  private async relay(incoming: Incoming, raw: Buffer): Promise<void> {
    const { relay, capture } = this.options;
    if (!relay) throw new Error('relayed recipients but no relay queue');
    const sender = parseMailbox(incoming.envelope.mailFrom); // fails for the null sender: no copy of a bounce
    const senderInbox = sender.ok ? inboxFor(sender.mailbox.localPart) : null;
    const sourceId = capture && senderInbox ? await capture.capture(senderInbox, incoming, raw) : undefined;
    await relay.enqueue({
      mailFrom: incoming.envelope.mailFrom,
      recipients: incoming.relayTo,
      raw,
      origin: incoming.relayOrigin ?? 'alias',
      ...(sourceId !== undefined ? { sourceId } : {}),
    });
  }

  /** Every program alias, in parallel; the reply of the worst failure, or null when all succeeded. */
  private async runPrograms(incoming: Incoming, raw: Buffer): Promise<DeliveryOutcome | null> {
    const programs = incoming.programs ?? [];
    if (programs.length === 0) return null;
    const { envelope, trace } = incoming;
    const env = {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      SENDER: envelope.mailFrom,
      RECIPIENT: envelope.rcptTo.join(','),
      CLIENT_ADDRESS: envelope.remoteAddress,
      CLIENT_HELO: envelope.helo,
      QUEUE_ID: trace.id,
    };
    const outcomes = await Promise.all(programs.map((argv) => runProgram({ argv, input: raw, env, timeoutMs: this.options.programTimeoutMs })));
    const failures = outcomes.filter((o): o is Extract<ProgramOutcome, { ok: false }> => !o.ok);
    for (const outcome of outcomes) this.options.metrics.aliasDeliveries.inc({ kind: 'program', outcome: outcome.ok ? 'ok' : 'refused' });
    if (failures.length === 0) return null;
    const worst = failures.find((f) => !f.temporary) ?? failures[0]!;
    this.options.log.warn({ queueId: trace.id, reason: worst.text }, 'program alias refused the message');
    return { kind: 'refused', reply: { code: worst.temporary ? 451 : 550, enhanced: worst.enhanced, text: `Program alias: ${worst.text}` } };
  }
}
