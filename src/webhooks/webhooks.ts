/**
 * Webhooks that never drop (issue 17 §2), put together: the queue in state.db, the dispatcher,
 * and the two ways events come in.
 *
 * - `message.received` is enqueued **at ingest**, by the rules' delivery wrapper
 *   (src/rules/delivery.ts), after the store's append resolved (the ids are known) and before
 *   the `250` is written, in the same group commit as the rules' tags. Not on the bus event:
 *   `message.stored` is published only once the message's parse has committed, moments after the
 *   `250`, and a crash in between would lose the event for a message the sender was told we
 *   have. The payload is built at the first attempt from the final summary (payload.ts).
 * - `message.deleted` is enqueued on the bus event, for each endpoint that was told of that
 *   message's arrival and asked for deletions too. A crash between a delete and this enqueue
 *   loses that event (a deletion is ours to announce, not a promise made to a sender).
 *
 * Delivered and failed deliveries are kept a week for the deliveries page, then pruned.
 */
import type { Clock, Timer } from '../clock.js';
import type { EventBus } from '../events/bus.js';
import type { TagsOf } from '../http/present.js';
import type { Logger } from '../log.js';
import type { StateDatabase } from '../store/sqlite/state-db.js';
import type { MessageId, Store } from '../store/types.js';
import { WebhookDispatcher, type AttemptOutcome } from './dispatcher.js';
import type { Endpoint } from './endpoints.js';
import { payloadBody } from './payload.js';
import type { Delivery, DeliveryState, NewDelivery, WebhookQueue } from './queue.js';
import { httpPost, type Post } from './sender.js';
import { SqliteWebhookQueue } from './sqlite-queue.js';
import type { TurnCommit } from './turn-commit.js';

const KEEP_FINISHED_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface WebhooksOptions {
  state: StateDatabase;
  commit: TurnCommit;
  store: Pick<Store, 'get' | 'nextId'>;
  events: EventBus;
  clock: Clock;
  log: Logger;
  /** --webhook: told of every message. */
  endpoints: readonly Endpoint[];
  secret: string;
  maxPerEndpoint: number;
  timeoutMs: number;
  publicUrl: () => string;
  tagsOf: TagsOf;
  /** The HTTP client (tests may inject one); node:http by default. */
  post?: Post;
  onAttempt?: (outcome: AttemptOutcome) => void;
}

export class Webhooks {
  readonly queue: WebhookQueue;
  private readonly dispatcher: WebhookDispatcher;
  private unsubscribe: (() => void) | null = null;
  private pruneTimer: Timer | null = null;

  constructor(private readonly options: WebhooksOptions) {
    this.queue = new SqliteWebhookQueue(options.state, options.commit);
    this.dispatcher = new WebhookDispatcher({
      queue: this.queue,
      clock: options.clock,
      post: options.post ?? httpPost(options.clock, options.timeoutMs),
      body: (delivery) => payloadBody(delivery, options, options.clock.now()),
      secret: options.secret,
      maxPerEndpoint: options.maxPerEndpoint,
      timeoutMs: options.timeoutMs,
      log: options.log,
      ...(options.onAttempt ? { onAttempt: options.onAttempt } : {}),
    });
  }

  /** Whether any endpoint is configured on the command line (rules may add their own). */
  get hasGlobalEndpoints(): boolean {
    return this.options.endpoints.length > 0;
  }

  start(): void {
    this.unsubscribe = this.options.events.subscribe((event) => {
      if (event.type === 'message.deleted') this.deleted(event.id, event.inbox);
    });
    this.dispatcher.start();
    this.prune();
  }

  stop(): void {
    this.unsubscribe?.();
    this.pruneTimer?.cancel();
    this.dispatcher.stop();
  }

  /**
   * Enqueue `message.received` for stored messages: to every --webhook endpoint and to `extra`
   * (the matching rules' webhooks). Resolves once committed; the caller answers 250 after it.
   */
  async received(messages: ReadonlyArray<{ id: MessageId; inbox: string }>, extra: readonly Endpoint[]): Promise<void> {
    const endpoints = mergeEndpoints([...this.options.endpoints, ...extra]);
    if (endpoints.length === 0 || messages.length === 0) return;
    const deliveries: NewDelivery[] = [];
    for (const m of messages) {
      for (const e of endpoints) deliveries.push({ url: e.url, event: 'message.received', messageId: m.id, inbox: m.inbox, wantsDeleted: e.wantsDeleted });
    }
    await this.queue.enqueue(deliveries, this.options.clock.now());
    this.dispatcher.kick();
  }

  list(options: { limit: number; state?: DeliveryState }): Delivery[] {
    return this.queue.list(options);
  }

  counts(): Record<DeliveryState, number> {
    return this.queue.counts();
  }

  private deleted(id: MessageId, inbox: string): void {
    try {
      const urls = this.queue.endpointsWantingDeleted(id);
      if (urls.length === 0) return;
      const deliveries = urls.map((url): NewDelivery => ({ url, event: 'message.deleted', messageId: id, inbox, wantsDeleted: false }));
      this.queue.enqueue(deliveries, this.options.clock.now()).then(
        () => this.dispatcher.kick(),
        (error: unknown) => this.options.log.error({ err: String(error), id }, 'webhook: cannot queue message.deleted'),
      );
    } catch (error) {
      this.options.log.error({ err: String(error), id }, 'webhook: cannot queue message.deleted');
    }
  }

  private prune(): void {
    try {
      this.queue.prune(this.options.clock.now() - KEEP_FINISHED_MS);
    } catch (error) {
      this.options.log.warn({ err: String(error) }, 'webhook: pruning finished deliveries failed');
    }
    this.pruneTimer = this.options.clock.after(PRUNE_EVERY_MS, () => this.prune());
  }
}

/** One delivery per URL; an endpoint wants deletions if any of its mentions does. */
function mergeEndpoints(endpoints: readonly Endpoint[]): Endpoint[] {
  const byUrl = new Map<string, Endpoint>();
  for (const e of endpoints) {
    const seen = byUrl.get(e.url);
    byUrl.set(e.url, { url: e.url, wantsDeleted: e.wantsDeleted || (seen?.wantsDeleted ?? false) });
  }
  return [...byUrl.values()];
}
