/**
 * The composition root: build the store, event bus and protocol servers from a Config, start
 * them, and stop them gracefully. The only file that knows every part; each server takes its
 * own narrow dependencies (SmtpDeps, Pop3Deps, ImapDeps, HttpDeps), and nothing imports this
 * file back.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type tls from 'node:tls';
import { PublicInboxes, type MailboxAuthenticator } from './auth/mailbox-auth.js';
import { systemClock, type Clock, type Timer } from './clock.js';
import type { Config } from './config.js';
import { StoreDelivery } from './delivery/ingest.js';
import { submissionWiring } from './delivery/wiring.js';
import type { Outbox } from './relay/types.js';
import type { OutboundMarks } from './delivery/outbound-capture.js';
import { MemoryEventBus, type EventBus } from './events/bus.js';
import { startHttpServer } from './http/server.js';
import { startImapServer } from './imap/server.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { DiskGuard } from './policy/disk.js';
import { Greylist } from './policy/greylist.js';
import { GreylistWhitelist } from './policy/greylist-whitelist.js';
import { NetworkList } from './policy/networks.js';
import { SmtpPolicy, type PolicySettings } from './policy/smtp-policy.js';
import { BlockedWords } from './policy/words.js';
import { startPop3Server } from './pop3/server.js';
import type { RunningServer } from './protocol/tcp-server.js';
import { loadTlsContext } from './protocol/tls.js';
import { startSmtpServer, startSubmissionServer } from './smtp/server.js';
import { Ballast } from './store/ballast.js';
import { SqliteStore } from './store/sqlite/store.js';
import { SqliteGreylistState } from './store/sqlite/greylist-state.js';
import { StateDatabase } from './store/sqlite/state-db.js';
import type { DurableRelayQueue } from './relay/relay-queue.js';
import { buildRelayQueue } from './relay/settings.js';
import type { Store } from './store/types.js';
// Proxy mode (issue 15 §2)
import type { ProxyOptions } from './proxy/options.js';
import { UpstreamPool } from './proxy/pool.js';
import { UpstreamConnection } from './proxy/upstream-connection.js';
import { UpstreamDelivery } from './proxy/upstream-delivery.js';
// Mail that acts (issue 17): webhooks and routing rules.
import type { AgentHandOff } from './agents/types.js';
import type { TagsOf } from './http/present.js';
import type { RuleBook } from './rules/book.js';
import { buildActing } from './rules/wiring.js';
import type { Webhooks } from './webhooks/webhooks.js';
import { AgentInboxes } from './agents/inboxes.js';
import { LocalFirstOutbox } from './delivery/outbox.js';

/** The parts shared by the servers, as built from the Config. */
export interface AppParts {
  config: Config;
  store: Store;
  events: EventBus;
  tls: tls.SecureContext;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Logins for POP3 and IMAP. */
  auth: MailboxAuthenticator;
  /** The SMTP policy, once the SMTP server is built (the HTTP policy API reads it). */
  policy?: SmtpPolicy;
  /** The full-disk guard, unless --min-free-disk is 0. */
  disk?: DiskGuard;
  /** --greylist: the greylist the policy asks at RCPT (openGreylist). */
  greylist?: Greylist;
  /**
   * The durable relay queue (src/relay/). Set it before the SMTP servers are built (startApp's
   * try block): relayed recipients, alias forwards and --capture-outbound use it; without one,
   * nothing is relayed (550 5.7.1 at RCPT).
   */
  relayQueue?: DurableRelayQueue;
  /** --capture-outbound's marks, for the HTTP API's Outbound tab. */
  outbound?: OutboundMarks;
  /** The one door for mail we generate (agent replies, rule forwards, DSNs): ours stored here, the rest relayed. */
  outbox?: Outbox;
  /** Agent inboxes for the rules' `agent` action, when --agents is given. */
  agents?: AgentHandOff;
  // Mail that acts (issue 17): webhooks and routing rules.
  /** Tags from rules, for the HTTP API's summaries. */
  tagsOf?: TagsOf;
  rules?: RuleBook;
  webhooks?: Webhooks;
}

/** The policy's settings from the Config; `--policy off` turns every defence off. */
function policySettings(config: Config, parts: Pick<AppParts, 'clock' | 'log' | 'greylist'>): PolicySettings {
  return {
    enabled: config.policy,
    trusted: new NetworkList(config.trustedNetworks),
    ipRate: config.ipRate,
    networkRate: config.networkRate,
    banMs: config.banMs,
    subjectFlood: config.subjectFlood,
    subjectBanMs: config.subjectBanMs,
    acceptBounces: config.acceptBounces,
    words: config.blockedSubjectWords ? new BlockedWords(config.blockedSubjectWords, () => parts.clock.now(), (message) => parts.log.warn(message)) : null,
    tarpitMs: config.tarpitMs,
    strict: config.strict,
    greetWaitMs: config.greetWaitMs,
    magicAddresses: config.magicAddresses,
    maxConnections: config.maxConnections,
    greylist: parts.greylist ?? null,
  };
}

// §1 Greylisting (issue 15): the greylist of `serve` and `proxy` alike, its state in state.db.
/**
 * The greylist from the Config, its state loaded from `state.db` in the data dir and swept on
 * the clock, its verdicts counted in /metrics; null without --greylist. `close` stops the sweeps,
 * writes what is pending and closes its handle on state.db.
 */
export function openGreylist(config: Config, parts: Pick<AppParts, 'clock' | 'log' | 'metrics'>): { greylist: Greylist; close(): void } | null {
  if (!config.greylist) return null;
  const { clock, log, metrics } = parts;
  const db = StateDatabase.inDataDir(config.dataDir);
  const whitelist = config.greylistWhitelist ? new GreylistWhitelist(config.greylistWhitelist, () => clock.now(), (message) => log.warn(message)) : null;
  void whitelist?.size; // read it now, so a bad line is logged at start, not at the first RCPT
  const settings = {
    delayMs: config.greylistDelayMs,
    retryWindowMs: config.greylistRetryWindowMs,
    lifetimeMs: config.greylistLifetimeMs,
    hammerMs: config.greylistHammerMs,
    autoWhitelistPasses: config.greylistAutoWhitelist,
    maxEntries: config.greylistMaxEntries,
  };
  let greylist: Greylist;
  try {
    const state = new SqliteGreylistState(db, clock, (message) => log.error(message));
    greylist = new Greylist(settings, state, clock, {
      deferred: () => metrics.greylistDeferred.inc(),
      passed: () => metrics.greylistPassed.inc(),
      whitelisted: (by) => metrics.greylistWhitelisted.inc({ by }),
    }, whitelist);
  } catch (error) {
    db.close();
    throw error;
  }
  greylist.start();
  return {
    greylist,
    close() {
      greylist.stop();
      db.close();
    },
  };
}

export interface App {
  parts: AppParts;
  servers: RunningServer[];
  stop(): Promise<void>;
}

/** How often retention runs when there is nothing to catch up on. */
const RETENTION_INTERVAL_MS = 5_000;

/** The embedded store in the data dir, with its disk ballast (store/ballast.ts); serve's and the proxy's copy alike. */
async function openStore(config: Config, events: EventBus, log: Logger): Promise<{ store: SqliteStore; ballast: Ballast }> {
  mkdirSync(config.dataDir, { recursive: true });
  const ballast = new Ballast(config.dataDir);
  ballast.ensure();
  const store = await SqliteStore.open({
    ballast,
    path: join(config.dataDir, 'tidemail.db'),
    retention: { maxAgeMs: config.retentionMs, maxPerInbox: config.maxPerInbox, maxTotalBytes: config.maxStoreBytes },
    compactBodies: config.compactBodies,
    events,
    onError: (message) => log.error({ err: message }, 'store'),
  });
  return { store, ballast };
}

export async function startApp(config: Config, log: Logger): Promise<App> {
  const events = new MemoryEventBus();
  const { store, ballast } = await openStore(config, events, log);
  const tlsFiles = config.tlsCert ? { certPath: config.tlsCert, keyPath: config.tlsKey } : null;
  const parts: AppParts = {
    config,
    store,
    events,
    tls: await loadTlsContext(tlsFiles, config.dataDir, config.hostname),
    log,
    metrics: new Metrics(),
    clock: systemClock,
    auth: new PublicInboxes(),
  };

  const minFree = config.minFreeDisk;
  const disk =
    minFree.percent === null && minFree.bytes === null
      ? null
      : new DiskGuard({ dataDir: config.dataDir, minFree, store, ballast, clock: parts.clock, log, onEvicted: (n) => parts.metrics.diskEvicted.inc(n) });
  parts.disk = disk ?? undefined;
  parts.metrics.storeStatsSource = () => store.stats(); // compact store (issue 18): tidemail_store_stored_bytes at scrape time
  let greylist: ReturnType<typeof openGreylist> = null; // §1 Greylisting
  // --- relay queue (issue 16, relay part): built before the servers so they can enqueue; DSNs go through parts.outbox once it exists ---
  const relay = buildRelayQueue(config, { clock: parts.clock, log, metrics: parts.metrics, outbox: () => parts.outbox });
  parts.relayQueue = relay.queue;
  // --- end relay queue ---
  // --- agents (issue 17): the Outbox, and agent inboxes wrapped around the store's delivery ---
  let agentInboxes: AgentInboxes | null = null;
  const outbox = new LocalFirstOutbox({
    store,
    relay: relay.queue,
    clock: parts.clock,
    domains: config.domains,
    hostname: config.hostname,
    afterLocalStore: (stored) => agentInboxes?.storedLocally(stored),
  });
  parts.outbox = outbox;
  if (config.agents) {
    const webhookSecret = 'webhookSecret' in config && typeof config.webhookSecret === 'string' ? config.webhookSecret : '';
    agentInboxes = new AgentInboxes({ config, webhookSecret, store, events, outbox, clock: parts.clock, log, metrics: parts.metrics });
    parts.agents = agentInboxes.handOff;
  }
  // --- end agents ---
  const servers: RunningServer[] = [];
  // Mail that acts (issue 17): webhooks and routing rules, around the store's delivery target.
  const acting = buildActing({ ...parts, servers });
  parts.tagsOf = acting.marks.tagsOf;
  parts.rules = acting.rules;
  parts.webhooks = acting.webhooks;
  try {
    greylist = openGreylist(config, parts);
    parts.greylist = greylist?.greylist;
    let smtp: RunningServer | null = null;
    const policy = new SmtpPolicy(policySettings(config, parts), parts.clock, { refused: (reason) => parts.metrics.policyRefusals.inc({ reason }) }, () => smtp?.connections ?? 0);
    parts.policy = policy;
    // --- submission, relay rules and aliases (issue 16, part "submit"): parts.relayQueue must be set above this line ---
    const submit = submissionWiring(parts, new StoreDelivery(store, parts.clock));
    if (submit.outbound) parts.outbound = submit.outbound;
    // Rules see every message the SMTP listeners take, before it is stored, queued or piped.
    // Agents see what was stored (after the rules): a dropped message never gets a reply.
    const ruled = acting.wrap(submit.smtp.delivery);
    const smtpDeps = { ...submit.smtp, delivery: agentInboxes ? agentInboxes.intake(ruled) : ruled };
    smtp = await startSmtpServer({ ...parts, ...smtpDeps, policy, storageFull: () => disk?.full ?? false });
    servers.push(smtp);
    servers.push(await startSubmissionServer({ ...parts, ...smtpDeps, policy, storageFull: () => disk?.full ?? false }, submit.submission));
    // --- end submission ---
    servers.push(await startPop3Server(parts));
    servers.push(await startImapServer(parts));
    servers.push(await startHttpServer(parts));
  } catch (error) {
    await Promise.all(servers.map((s) => s.close(0)));
    greylist?.close();
    await acting.stop();
    await agentInboxes?.stop();
    relay.state.close(); // relay queue
    await store.close();
    throw error;
  }

  disk?.start();
  acting.start();
  agentInboxes?.start();
  relay.queue.start(); // relay queue: recover what a crash left in flight, then deliver
  const retention = startRetention(parts);
  let stopping: Promise<void> | null = null;
  return {
    parts,
    servers,
    stop() {
      stopping ??= (async () => {
        retention.stop();
        await Promise.all(servers.map((s) => s.close(config.shutdownGraceMs)));
        await retention.idle();
        await agentInboxes?.stop();
        await relay.queue.stop(config.shutdownGraceMs); // relay queue: let open transactions finish
        relay.state.close();
        await disk?.stop();
        greylist?.close();
        await acting.stop();
        await store.close();
      })();
      return stopping;
    },
  };
}

/** Age and total-size retention, run continuously; the per-inbox cap is applied at append. */
function startRetention(parts: AppParts): { stop(): void; idle(): Promise<void> } {
  const { store, log, metrics, clock } = parts;
  let timer: Timer | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = (): void => {
    running = (async () => {
      let again = false;
      try {
        const removed = await store.expire(clock.now());
        again = removed.length >= 1000;
        const stats = await store.stats();
        metrics.storeMessages.set(stats.messages);
        metrics.storeBytes.set(stats.bytes);
        metrics.diskFull.set(parts.disk?.full ? 1 : 0);
      } catch (error) {
        if (!stopped) log.error({ err: String(error) }, 'retention pass failed');
      }
      if (!stopped) timer = clock.after(again ? 0 : RETENTION_INTERVAL_MS, run);
    })();
  };
  timer = clock.after(0, run);
  return {
    stop() {
      stopped = true;
      timer?.cancel();
    },
    idle: () => running,
  };
}

// ── Proxy mode (issue 15 §2): `tidemail proxy`, the SMTP front end in front of an upstream MTA ──

/** What `tidemail proxy` runs: the SMTP listener; with --keep-copy also the store, HTTP and retention. */
export interface ProxyApp {
  servers: RunningServer[];
  pool: UpstreamPool;
  stop(): Promise<void>;
}

export async function startProxy(config: Config, proxy: ProxyOptions, log: Logger): Promise<ProxyApp> {
  const clock = systemClock;
  const metrics = new Metrics();
  mkdirSync(config.dataDir, { recursive: true }); // the self-signed certificate lives there, copy or not
  const tlsFiles = config.tlsCert ? { certPath: config.tlsCert, keyPath: config.tlsKey } : null;
  const tls = await loadTlsContext(tlsFiles, config.dataDir, config.hostname);
  const upstream = { ...proxy.upstream, heloName: config.hostname, tls: proxy.upstreamTls, timeoutMs: proxy.upstreamTimeoutMs };
  const pool = new UpstreamPool({
    open: () => UpstreamConnection.open(upstream, clock),
    maxConnections: proxy.upstreamConnections,
    idleMs: proxy.upstreamIdleMs,
    waitMs: proxy.upstreamTimeoutMs,
    clock,
  });
  let store: Store | null = null;
  let events: EventBus | null = null;
  if (proxy.keepCopy) {
    events = new MemoryEventBus();
    ({ store } = await openStore(config, events, log));
  }
  const delivery = new UpstreamDelivery({ pool, copy: store ? new StoreDelivery(store, clock) : null, clock, log });
  const servers: RunningServer[] = [];
  let smtp: RunningServer | null = null;
  const policy = new SmtpPolicy(policySettings(config, { clock, log }), clock, { refused: (reason) => metrics.policyRefusals.inc({ reason }) }, () => smtp?.connections ?? 0);
  let retention: ReturnType<typeof startRetention> | null = null;
  try {
    smtp = await startSmtpServer({ config, delivery, policy, tls, log, metrics, clock });
    servers.push(smtp);
    if (store && events) {
      const parts: AppParts = { config, store, events, tls, log, metrics, clock, auth: new PublicInboxes(), policy };
      servers.push(await startHttpServer(parts));
      retention = startRetention(parts);
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.close(0)));
    pool.close();
    await store?.close();
    throw error;
  }
  // Meet the upstream now: its EHLO SIZE bounds ours from the first client on. If it is down, the
  // proxy starts anyway and clients get 451 4.4.1 until it answers.
  pool.acquire().then(
    (connection) => pool.release(connection, false),
    (error: unknown) => log.warn({ err: String(error) }, `upstream ${proxy.upstream.host}:${proxy.upstream.port} is not answering yet; clients get 451 4.4.1 until it does`),
  );
  let stopping: Promise<void> | null = null;
  return {
    servers,
    pool,
    stop() {
      stopping ??= (async () => {
        retention?.stop();
        await Promise.all(servers.map((s) => s.close(config.shutdownGraceMs)));
        pool.close();
        await retention?.idle();
        await store?.close();
      })();
      return stopping;
    },
  };
}
