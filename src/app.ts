/**
 * The composition root: build the store, event bus and protocol servers from a Config, start
 * them, and stop them gracefully. The only file that knows every part.
 */
import { join } from 'node:path';
import type tls from 'node:tls';
import { PublicInboxes, type MailboxAuthenticator } from './auth/mailbox-auth.js';
import type { Config } from './config.js';
import { MemoryEventBus, type EventBus } from './events/bus.js';
import { startImapServer } from './imap/server.js';
import type { Logger } from './log.js';
import { Metrics } from './metrics.js';
import type { RunningServer } from './protocol/tcp-server.js';
import { startPop3Server } from './pop3/server.js';
import { startHttpServer } from './http/server.js';
import { loadTlsContext } from './protocol/tls.js';
import { startSmtpServer } from './smtp/server.js';
import { SqliteStore } from './store/sqlite/store.js';
import type { Store } from './store/types.js';

/** What every protocol server is built from. */
export interface ServerContext {
  config: Config;
  store: Store;
  events: EventBus;
  tls: tls.SecureContext;
  log: Logger;
  metrics: Metrics;
  /** Logins for POP3 and IMAP. */
  auth: MailboxAuthenticator;
}

export interface App {
  context: ServerContext;
  servers: RunningServer[];
  stop(): Promise<void>;
}

/** How often retention runs when there is nothing to catch up on. */
const RETENTION_INTERVAL_MS = 5_000;

export async function startApp(config: Config, log: Logger): Promise<App> {
  const events = new MemoryEventBus();
  const store = await SqliteStore.open({
    path: join(config.dataDir, 'tidemail.db'),
    retention: { maxAgeMs: config.retentionMs, maxPerInbox: config.maxPerInbox, maxTotalBytes: config.maxStoreBytes },
    events,
    onError: (message) => log.error({ err: message }, 'store'),
  });
  const tlsFiles = config.tlsCert ? { certPath: config.tlsCert, keyPath: config.tlsKey } : null;
  const context: ServerContext = {
    config,
    store,
    events,
    tls: await loadTlsContext(tlsFiles, config.dataDir, config.hostname),
    log,
    metrics: new Metrics(),
    auth: new PublicInboxes(),
  };

  const servers: RunningServer[] = [];
  try {
    servers.push(await startSmtpServer(context));
    servers.push(await startPop3Server(context));
    servers.push(await startImapServer(context));
    servers.push(await startHttpServer(context));
  } catch (error) {
    await Promise.all(servers.map((s) => s.close(0)));
    await store.close();
    throw error;
  }

  const retention = startRetention(context);
  let stopping: Promise<void> | null = null;
  return {
    context,
    servers,
    stop() {
      stopping ??= (async () => {
        retention.stop();
        await Promise.all(servers.map((s) => s.close(config.shutdownGraceMs)));
        await retention.idle();
        await store.close();
      })();
      return stopping;
    },
  };
}

/** Age and total-size retention, run continuously; the per-inbox cap is applied at append. */
function startRetention({ store, log, metrics }: ServerContext): { stop(): void; idle(): Promise<void> } {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = (): void => {
    running = (async () => {
      let again = false;
      try {
        const removed = await store.expire(Date.now());
        again = removed.length >= 1000;
        const stats = await store.stats();
        metrics.storeMessages.set(stats.messages);
        metrics.storeBytes.set(stats.bytes);
      } catch (error) {
        if (!stopped) log.error({ err: String(error) }, 'retention pass failed');
      }
      if (!stopped) timer = setTimeout(run, again ? 0 : RETENTION_INTERVAL_MS);
    })();
  };
  timer = setTimeout(run, 0);
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
    idle: () => running,
  };
}
