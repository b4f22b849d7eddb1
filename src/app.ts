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
import { MemoryEventBus, type EventBus } from './events/bus.js';
import { startHttpServer } from './http/server.js';
import { startImapServer } from './imap/server.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import { DiskGuard } from './policy/disk.js';
import { NetworkList } from './policy/networks.js';
import { SmtpPolicy, type PolicySettings } from './policy/smtp-policy.js';
import { BlockedWords } from './policy/words.js';
import { startPop3Server } from './pop3/server.js';
import type { RunningServer } from './protocol/tcp-server.js';
import { loadTlsContext } from './protocol/tls.js';
import { startSmtpServer } from './smtp/server.js';
import { Ballast } from './store/ballast.js';
import { SqliteStore } from './store/sqlite/store.js';
import type { DurableRelayQueue } from './relay/relay-queue.js';
import { buildRelayQueue } from './relay/settings.js';
import type { Outbox } from './relay/types.js';
import type { Store } from './store/types.js';

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
  /** The durable relay queue (src/relay/): outbound mail is enqueued here (issue 16, relay part). */
  relayQueue?: DurableRelayQueue;
}

/** The policy's settings from the Config; `--policy off` turns every defence off. */
function policySettings(config: Config, parts: Pick<AppParts, 'clock' | 'log'>): PolicySettings {
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
  };
}

export interface App {
  parts: AppParts;
  servers: RunningServer[];
  stop(): Promise<void>;
}

/** How often retention runs when there is nothing to catch up on. */
const RETENTION_INTERVAL_MS = 5_000;

export async function startApp(config: Config, log: Logger): Promise<App> {
  const events = new MemoryEventBus();
  mkdirSync(config.dataDir, { recursive: true });
  const ballast = new Ballast(config.dataDir);
  ballast.ensure();
  const store = await SqliteStore.open({
    ballast,
    path: join(config.dataDir, 'tidemail.db'),
    retention: { maxAgeMs: config.retentionMs, maxPerInbox: config.maxPerInbox, maxTotalBytes: config.maxStoreBytes },
    events,
    onError: (message) => log.error({ err: message }, 'store'),
  });
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
  // --- relay queue (issue 16, relay part): built before the servers so they can enqueue; DSNs go through parts.outbox once it exists ---
  const relay = buildRelayQueue(config, { clock: parts.clock, log, metrics: parts.metrics, outbox: () => (parts as AppParts & { outbox?: Outbox }).outbox });
  parts.relayQueue = relay.queue;
  // --- end relay queue ---
  const servers: RunningServer[] = [];
  try {
    let smtp: RunningServer | null = null;
    const policy = new SmtpPolicy(policySettings(config, parts), parts.clock, { refused: (reason) => parts.metrics.policyRefusals.inc({ reason }) }, () => smtp?.connections ?? 0);
    parts.policy = policy;
    smtp = await startSmtpServer({ ...parts, policy, storageFull: () => disk?.full ?? false, delivery: new StoreDelivery(store, parts.clock) });
    servers.push(smtp);
    servers.push(await startPop3Server(parts));
    servers.push(await startImapServer(parts));
    servers.push(await startHttpServer(parts));
  } catch (error) {
    await Promise.all(servers.map((s) => s.close(0)));
    relay.state.close(); // relay queue
    await store.close();
    throw error;
  }

  disk?.start();
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
        await relay.queue.stop(config.shutdownGraceMs); // relay queue: let open transactions finish
        relay.state.close();
        await disk?.stop();
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
