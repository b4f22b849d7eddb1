/**
 * The relay queue as the rest of Tidemail sees it: `enqueue` (the RelayQueue contract of
 * types.ts: resolves once the message and its recipients are durably committed), the operator's
 * view and controls (list, get, retry now, delete) and the lifecycle (start recovers what a
 * crash left in flight, stop lets connections finish their transaction).
 *
 * At least once: a recipient is marked delivered only after the remote 250 *and* our commit of
 * it; a kill -9 between the two leaves it `delivering`, and `start` makes it due again, so that
 * recipient may receive the message twice. Nothing is lost.
 *
 * Bounces: each batch of recipients that failed for good becomes one RFC 3464 DSN to the
 * original envelope sender, handed to the Outbox (which stores it locally when the sender is
 * one of our own inboxes); never for a message with a null sender or for a bounce.
 */
import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { buildDsn, type FailedRecipient } from './dsn.js';
import type { QueueStore, RecipientUpdate } from './queue-store.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import type { Outbox, OutboundMessage, QueueId, RelayQueue } from './types.js';

export interface RelayQueueOptions extends Omit<SchedulerOptions, 'onRecorded' | 'onError'> {
  /** Our hostname: EHLO, Reporting-MTA of DSNs. */
  hostname: string;
  /** The door for DSNs; read when a bounce is sent (the Outbox may be built after the queue). Absent: DSNs go into this queue. */
  outbox: () => Outbox | undefined;
  log: Logger;
  metrics?: Metrics;
  /** Finished messages (every recipient delivered or bounced) stay visible this long. */
  keepFinishedMs?: number;
  /** Told of every committed batch of outcomes (tests synchronise on it). */
  onRecorded?: (updates: readonly RecipientUpdate[]) => void;
}

const PURGE_INTERVAL_MS = 10 * 60_000;

export class DurableRelayQueue implements RelayQueue {
  private readonly scheduler: Scheduler;
  private purgeTimer: Timer | null = null;
  private readonly store: QueueStore;
  private readonly clock: Clock;

  constructor(private readonly options: RelayQueueOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.scheduler = new Scheduler({
      ...options,
      onRecorded: (updates, classes) => this.recorded(updates, classes),
      onError: (message, error) => options.log.error({ err: String(error) }, message),
    });
    if (options.metrics) options.metrics.relayCounts = () => ({ ...this.store.counts(), nowMs: this.clock.now() });
  }

  async enqueue(message: OutboundMessage): Promise<QueueId> {
    if (message.recipients.length === 0) throw new Error('an outbound message needs at least one recipient');
    const id = await this.store.add(message, this.clock.now());
    this.scheduler.wake();
    return id;
  }

  /** Recover recipients a crash left in flight, then start delivering. */
  start(): void {
    const recovered = this.store.recoverDelivering(this.clock.now());
    if (recovered) this.options.log.warn({ recovered }, 'relay: recipients left in flight by the last run are due again (at-least-once: a duplicate is possible)');
    this.scheduler.start();
    this.schedulePurge();
  }

  async stop(graceMs: number): Promise<void> {
    this.purgeTimer?.cancel();
    await this.scheduler.stop(graceMs);
    await this.store.close();
  }

  list(limit: number, offset: number): ReturnType<QueueStore['list']> {
    return this.store.list(limit, offset);
  }

  get(id: QueueId): ReturnType<QueueStore['get']> {
    return this.store.get(id);
  }

  /** Make a message's waiting recipients due now. */
  retry(id: QueueId): boolean {
    const found = this.store.retryNow(id, this.clock.now());
    if (found) this.scheduler.wake();
    return found;
  }

  remove(id: QueueId): boolean {
    return this.store.remove(id);
  }

  counts(): ReturnType<QueueStore['counts']> {
    return this.store.counts();
  }

  get active(): { connections: number; inFlight: number } {
    return this.scheduler.active;
  }

  private recorded(updates: readonly RecipientUpdate[], classes: readonly string[]): void {
    const metrics = this.options.metrics;
    if (metrics) {
      for (const cls of classes) metrics.relayAttempts.inc({ class: cls });
      for (const u of updates) metrics.relayOutcomes.inc({ outcome: u.state });
    }
    this.options.onRecorded?.(updates);
    const bounced = updates.filter((u) => u.state === 'bounced');
    if (bounced.length) void this.bounce(bounced[0]!.messageId, bounced).catch((error) => this.options.log.error({ err: String(error) }, 'relay: sending a bounce failed'));
  }

  private async bounce(messageId: QueueId, bounced: readonly RecipientUpdate[]): Promise<void> {
    const message = this.store.get(messageId);
    const raw = this.store.raw(messageId);
    if (!message || !raw || message.origin === 'bounce') return;
    const byId = new Map(message.recipients.map((r) => [r.id, r]));
    const recipients: FailedRecipient[] = bounced.map((u) => ({
      address: byId.get(u.recipientId)?.address ?? '',
      action: 'failed',
      reply: u.attempt.reply,
      remoteMta: u.attempt.host,
      lastAttemptAtMs: u.attempt.atMs,
    }));
    const dsn = buildDsn({ reportingMta: this.options.hostname, originalMailFrom: message.mailFrom, originalRaw: raw, arrivalAtMs: message.createdAtMs, recipients, nowMs: this.clock.now() });
    if (!dsn) return;
    dsn.sourceId = message.sourceId ?? undefined;
    const outbox = this.options.outbox();
    if (outbox) await outbox.send(dsn);
    else await this.enqueue(dsn);
  }

  private schedulePurge(): void {
    const keep = this.options.keepFinishedMs ?? 24 * 3_600_000;
    this.purgeTimer = this.clock.after(PURGE_INTERVAL_MS, () => {
      try {
        this.store.purgeFinished(this.clock.now() - keep);
      } catch (error) {
        this.options.log.error({ err: String(error) }, 'relay: purging finished messages failed');
      }
      this.schedulePurge();
    });
  }
}
