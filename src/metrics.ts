/**
 * Process metrics in Prometheus form (served by http/ at /metrics). One registry per app so
 * tests that start several servers in one process do not share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly messagesReceived = new Counter({
    name: 'tidemail_messages_received_total',
    help: 'Messages whose DATA was fully received over SMTP',
    registers: [this.registry],
  });
  readonly messagesStored = new Counter({
    name: 'tidemail_messages_stored_total',
    help: 'Inbox entries committed to the store (one message to three inboxes counts three)',
    registers: [this.registry],
  });
  readonly messagesRejected = new Counter({
    name: 'tidemail_messages_rejected_total',
    help: 'Messages refused after DATA, by reason (too-big, bare-newline, store-failed)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly policyRefusals = new Counter({
    name: 'tidemail_policy_refusals_total',
    help: 'SMTP commands or sessions refused by the policy (bans, rates, bounces, subject filters, pregreet, strict), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly diskEvicted = new Counter({
    name: 'tidemail_disk_evicted_total',
    help: 'Messages evicted, oldest first, because the data dir\'s filesystem fell below --min-free-disk',
    registers: [this.registry],
  });
  readonly diskFull = new Gauge({ name: 'tidemail_disk_full', help: '1 while new mail is refused because the disk is full', registers: [this.registry] });
  readonly sessionsOpen = new Gauge({
    name: 'tidemail_sessions_open',
    help: 'Protocol sessions open now',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });
  readonly ingestSeconds = new Histogram({
    name: 'tidemail_ingest_seconds',
    help: 'From the end of DATA to the 250 reply (parse, store commit)',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly storeMessages = new Gauge({ name: 'tidemail_store_messages', help: 'Messages in the store', registers: [this.registry] });
  readonly storeBytes = new Gauge({ name: 'tidemail_store_bytes', help: 'Raw message bytes held by the store', registers: [this.registry] });
  // §1 Greylisting (issue 15): each RCPT the greylist was asked about, by outcome.
  readonly greylistDeferred = new Counter({ name: 'tidemail_greylist_deferred_total', help: 'Recipients greylisted at RCPT (451 4.7.1)', registers: [this.registry] });
  readonly greylistPassed = new Counter({ name: 'tidemail_greylist_passed_total', help: 'Recipients let through by the greylist: a retry after the delay, or a triplet already passed', registers: [this.registry] });
  readonly greylistWhitelisted = new Counter({
    name: 'tidemail_greylist_whitelisted_total',
    help: 'Recipients never greylisted because whitelisted: by the file (file-client, file-domain, file-triplet, file-helo) or an auto-whitelisted client network (auto)',
    labelNames: ['by'] as const,
    registers: [this.registry],
  });
  // --- submission and aliases (issue 16, part "submit") ---
  readonly submissionLogins = new Counter({
    name: 'tidemail_submission_logins_total',
    help: 'AUTH attempts on the submission port, by outcome (ok, invalid, throttled, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly aliasDeliveries = new Counter({
    name: 'tidemail_alias_deliveries_total',
    help: 'Deliveries to file and program aliases, by kind and outcome (ok, refused, failed)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });
  // --- end submission ---

  // Mail that acts (issue 17): webhooks and routing rules.
  readonly webhookAttempts = new Counter({
    name: 'tidemail_webhook_attempts_total',
    help: 'Webhook requests made, by outcome (delivered, retry: failed and to be tried again, failed: given up)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  /** Set by the app to the webhook queue's counts by state; read at scrape time. */
  webhookCounts: () => Record<string, number> = () => ({});
  readonly webhookDeliveries = new Gauge({
    name: 'tidemail_webhook_deliveries',
    help: 'Webhook deliveries held, by state (pending, delivered, failed; finished ones are kept a week)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      for (const [state, count] of Object.entries(this.webhookCounts())) this.webhookDeliveries.set({ state }, count);
    },
  });
  readonly ruleActions = new Counter({
    name: 'tidemail_rule_actions_total',
    help: 'Routing rule actions applied at ingest, by action (drop, tag, webhook, forward, agent, discard-after)',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  // --- agents (issue 17) ---
  readonly agentOutcomes = new Counter({
    name: 'tidemail_agent_outcomes_total',
    help: 'Messages to agent inboxes by what became of them (replied, declined, limited, no-reply, failed, dropped) and why (the kind, the RFC 3834 rule, the limit)',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });
  // --- end agents ---

  // --- relay queue (issue 16, relay part) ---
  /** Set by the relay queue: its counts, read at scrape time by the gauges below. */
  relayCounts: (() => { openMessages: number; byState: Record<string, number>; oldestCreatedAtMs: number | null; nowMs: number }) | null = null;
  readonly relayAttempts = new Counter({
    name: 'tidemail_relay_attempts_total',
    help: 'Delivery attempts per recipient by reply class (2xx, 4xx, 5xx, none = no reply: refused, timed out, dropped, DNS)',
    labelNames: ['class'] as const,
    registers: [this.registry],
  });
  readonly relayOutcomes = new Counter({
    name: 'tidemail_relay_outcomes_total',
    help: 'Recipient outcomes of relay attempts: delivered, deferred (to be retried), bounced',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly relayRecipients = new Gauge({
    name: 'tidemail_relay_recipients',
    help: 'Recipients in the relay queue by state (pending, delivering, deferred, delivered, bounced)',
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const counts = this.relayCounts?.();
      if (counts) for (const [state, n] of Object.entries(counts.byState)) this.relayRecipients.set({ state }, n);
    },
  });
  readonly relayQueued = new Gauge({
    name: 'tidemail_relay_queued_messages',
    help: 'Messages in the relay queue with a recipient not yet delivered or bounced',
    registers: [this.registry],
    collect: () => {
      const counts = this.relayCounts?.();
      if (counts) this.relayQueued.set(counts.openMessages);
    },
  });
  readonly relayOldestAgeSeconds = new Gauge({
    name: 'tidemail_relay_oldest_message_age_seconds',
    help: 'Age of the oldest message in the relay queue not yet delivered or bounced (0 when none)',
    registers: [this.registry],
    collect: () => {
      const counts = this.relayCounts?.();
      if (counts) this.relayOldestAgeSeconds.set(counts.oldestCreatedAtMs === null ? 0 : Math.max(0, (counts.nowMs - counts.oldestCreatedAtMs) / 1000));
    },
  });
  // --- end relay queue ---

  // --- compact store (issue 18) ---
  /** Set by the app: the store's stats, read at scrape time by the gauge below. */
  storeStatsSource: (() => Promise<{ storedBytes: number }>) | null = null;
  readonly storeStoredBytes = new Gauge({
    name: 'tidemail_store_stored_bytes',
    help: 'Bytes the held messages take in the store: compacted bodies, transcripts, shared parts and dictionaries (what --max-store-size counts)',
    registers: [this.registry],
    collect: async () => {
      const stats = await this.storeStatsSource?.();
      if (stats) this.storeStoredBytes.set(stats.storedBytes);
    },
  });
  // --- end compact store ---

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
