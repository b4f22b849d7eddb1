/**
 * Sending what the queue holds. Implementation summary:
 *
 * - A pump asks the queue which endpoints have deliveries due, and starts up to
 *   `maxPerEndpoint` requests per endpoint (one slow receiver cannot take every socket, and
 *   none is flooded). Nothing is ever dropped for rate: what does not fit waits in the queue.
 * - Before a request leaves, the delivery is leased: its attempt is counted and its next
 *   attempt set as if this one failed. A crash mid-request therefore retries it later rather
 *   than losing it (at-least-once; receivers dedupe on `webhook-id`, README "Webhooks").
 *   These writes are group-committed at the end of the turn; until a delivery's last write has
 *   committed it stays in `busy`, and no pump picks it again.
 * - Retries follow Svix's schedule (BACKGROUND.md): the first attempt at once, then 5 s, 5 min,
 *   30 min, 2 h, 5 h, 10 h and 10 h after each failure; the eighth failure marks it failed.
 * - The pump runs when something is enqueued (`kick`), when a request ends, and on a clock timer
 *   set for the next due delivery, so an injected clock drives every retry in tests.
 */
import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../log.js';
import { signedHeaders } from './sign.js';
import type { Post } from './sender.js';
import type { Delivery, WebhookQueue } from './queue.js';

export const RETRY_DELAYS_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
/** The first attempt plus one per retry delay. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/** How soon to look again while the earliest due delivery waits for its endpoint's slot. */
const BUSY_RECHECK_MS = 1_000;

export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

export interface DispatcherOptions {
  queue: WebhookQueue;
  clock: Clock;
  post: Post;
  /** The body of a delivery's first attempt (later attempts resend the stored one). */
  body: (delivery: Delivery) => Promise<string>;
  /** '' sends unsigned requests. */
  secret: string;
  maxPerEndpoint: number;
  timeoutMs: number;
  log: Logger;
  onAttempt?: (outcome: AttemptOutcome) => void;
}

export class WebhookDispatcher {
  private readonly inFlight = new Map<string, number>();
  /** Deliveries being attempted, or whose last write has not committed yet. */
  private readonly busy = new Set<number>();
  private timer: Timer | null = null;
  private timerDueMs = Infinity;
  private pumpQueued = false;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {}

  start(): void {
    this.kick();
  }

  /** Something new may be due: pump once the current turn's writes are done. */
  kick(): void {
    if (this.pumpQueued || this.stopped) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /**
   * Stop starting requests. Those in flight are not waited for (a slow receiver must not hold
   * up a shutdown) and their results are not recorded: their leases retry them after a restart.
   */
  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private pump(): void {
    if (this.stopped) return;
    const { queue, clock, maxPerEndpoint } = this.options;
    const now = clock.now();
    try {
      for (const url of queue.dueEndpoints(now)) {
        const running = this.inFlight.get(url) ?? 0;
        let free = maxPerEndpoint - running;
        if (free <= 0) continue;
        for (const delivery of queue.due(url, now, maxPerEndpoint + running)) {
          if (free === 0) break;
          if (this.busy.has(delivery.id)) continue;
          free--;
          this.launch(delivery);
        }
      }
      this.schedule(queue.nextDueMs());
    } catch (error) {
      this.options.log.error({ err: String(error) }, 'webhook queue failed; retrying in 5 s');
      this.schedule(now + 5_000);
    }
  }

  /** One clock timer, for the earliest due delivery not yet started. */
  private schedule(dueMs: number | null): void {
    if (dueMs === null) return;
    const now = this.options.clock.now();
    // Due now but not started: its endpoint is at its limit, and a finishing request pumps
    // again; the fallback timer covers other endpoints' deliveries due meanwhile.
    if (dueMs <= now) dueMs = now + BUSY_RECHECK_MS;
    if (this.timer && dueMs >= this.timerDueMs) return;
    this.timer?.cancel();
    this.timerDueMs = dueMs;
    this.timer = this.options.clock.after(dueMs - now, () => {
      this.timer = null;
      this.timerDueMs = Infinity;
      this.pump();
    });
  }

  private launch(delivery: Delivery): void {
    const { queue, clock, timeoutMs } = this.options;
    const attempt = delivery.attempts + 1;
    const nowMs = clock.now();
    this.busy.add(delivery.id);
    if (attempt > MAX_ATTEMPTS) {
      // Leased for an attempt past the last (we stopped during it): it has had its tries.
      void queue
        .finishAttempt(delivery.id, { atMs: nowMs, status: delivery.lastStatus, error: delivery.lastError, latencyMs: delivery.lastLatencyMs ?? 0 }, { state: 'failed', nextAttemptMs: 0 })
        .catch((error: unknown) => this.options.log.error({ err: String(error) }, 'webhook queue write failed'))
        .finally(() => this.busy.delete(delivery.id));
      return;
    }
    const leased = queue.startAttempt(delivery.id, nowMs, nowMs + timeoutMs + (RETRY_DELAYS_MS[attempt - 1] ?? 0));
    this.inFlight.set(delivery.url, (this.inFlight.get(delivery.url) ?? 0) + 1);
    void this.attempt(delivery, attempt, leased)
      .catch((error: unknown) => this.options.log.error({ err: String(error), url: delivery.url }, 'webhook attempt failed unexpectedly'))
      .finally(() => {
        const left = (this.inFlight.get(delivery.url) ?? 1) - 1;
        if (left === 0) this.inFlight.delete(delivery.url);
        else this.inFlight.set(delivery.url, left);
        this.busy.delete(delivery.id);
        this.kick();
      });
  }

  private async attempt(delivery: Delivery, attempt: number, leased: Promise<void>): Promise<void> {
    const { queue, clock, post, secret } = this.options;
    // The lease is on disk before the request leaves: a crash during it retries, never loses it.
    await leased;
    let body = delivery.body;
    if (body === null) {
      body = await this.options.body(delivery);
      if (this.stopped) return;
      await queue.setBody(delivery.id, body);
    }
    const startedMs = clock.now();
    const retryDelayMs = RETRY_DELAYS_MS[attempt - 1] ?? 0;
    const headers: Record<string, string> = secret
      ? { ...signedHeaders(secret, delivery.webhookId, Math.floor(startedMs / 1000), body) }
      : { 'webhook-id': delivery.webhookId, 'webhook-timestamp': String(Math.floor(startedMs / 1000)) };
    const result = await post(delivery.url, headers, body);
    if (this.stopped) return;
    const endedMs = clock.now();
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const outcome: AttemptOutcome = ok ? 'delivered' : attempt >= MAX_ATTEMPTS ? 'failed' : 'retry';
    const nextAttemptMs = outcome === 'retry' ? endedMs + retryDelayMs : 0;
    const error = ok ? null : result.error ?? `HTTP ${result.status}`;
    await queue.finishAttempt(delivery.id, { atMs: endedMs, status: result.status, error, latencyMs: result.latencyMs }, { state: outcome === 'retry' ? 'pending' : outcome, nextAttemptMs });
    this.options.onAttempt?.(outcome);
    if (outcome === 'failed') this.options.log.warn({ url: delivery.url, webhookId: delivery.webhookId, error }, 'webhook given up after its last attempt');
  }
}
