/**
 * The relay's part of the Config turned into what the queue is built from, with every
 * malformed value reported by its flag: the retry schedule, the smart host and its credentials
 * file (`--smart-host-auth FILE`, one `user:password` line, so no password appears on a command
 * line or in `ps`), the TLS level, the resolvers and the DKIM key.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Clock } from '../clock.js';
import { ConfigError, type Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { StateDatabase } from '../store/sqlite/state-db.js';
import { DkimSigner } from './dkim.js';
import { NextHopResolver, type HopHost } from './next-hop.js';
import { DurableRelayQueue } from './relay-queue.js';
import { parseRetrySchedule } from './retry-policy.js';
import { SqliteQueueStore } from './sqlite-queue-store.js';
import type { Outbox } from './types.js';

export type RelayConfig = Pick<
  Config,
  | 'dataDir' | 'hostname' | 'relayConcurrency' | 'relayPerDomain' | 'retrySchedule' | 'queueLifetimeMs' | 'dnsServers' | 'smartHost'
  | 'smartHostAuth' | 'relayTls' | 'relayTimeoutMs' | 'relayConnectTimeoutMs' | 'dkimKey' | 'dkimSelector' | 'dkimDomain'
>;

function hostPort(text: string, flag: string): HopHost {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(text);
  if (!match || Number(match[3]) > 65535) throw new ConfigError(`invalid value "${text}" for --${flag}: expected host:port`);
  return { name: (match[1] ?? match[2]!).toLowerCase(), port: Number(match[3]) };
}

function dnsServer(text: string): string {
  if (isIP(text)) return text;
  const { name, port } = hostPort(text, 'dns-servers');
  if (!isIP(name)) throw new ConfigError(`invalid value "${text}" for --dns-servers: expected an IP address, optionally with :port`);
  return name.includes(':') ? `[${name}]:${port}` : `${name}:${port}`;
}

function credentials(path: string): { user: string; pass: string } | null {
  if (path === '') return null;
  const line = readFileSync(path, 'utf8').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const colon = line.indexOf(':');
  if (colon <= 0) throw new ConfigError(`--smart-host-auth ${path}: expected one line "user:password"`);
  return { user: line.slice(0, colon), pass: line.slice(colon + 1) };
}

export interface RelayParts {
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** The Outbox for DSNs, read when one is sent. */
  outbox: () => Outbox | undefined;
}

/** Build the queue on the data dir's state.db; `start()` it once the app is up. */
export function buildRelayQueue(config: RelayConfig, parts: RelayParts): { queue: DurableRelayQueue; state: StateDatabase } {
  let scheduleMs: number[];
  try {
    scheduleMs = parseRetrySchedule(config.retrySchedule);
  } catch (error) {
    throw new ConfigError(`invalid value "${config.retrySchedule}" for --retry-schedule: ${(error as Error).message}`);
  }
  if (config.relayTls !== 'opportunistic' && config.relayTls !== 'require') throw new ConfigError(`invalid value "${config.relayTls}" for --relay-tls: expected opportunistic or require`);
  if ((config.dkimKey === '') !== (config.dkimSelector === '')) throw new ConfigError('--dkim-key and --dkim-selector must be given together');
  if (config.relayConcurrency < 1 || config.relayPerDomain < 1) throw new ConfigError('--relay-concurrency and --relay-per-domain must be at least 1');
  const smartHost = config.smartHost ? hostPort(config.smartHost, 'smart-host') : null;
  const auth = credentials(config.smartHostAuth);
  if (auth && !smartHost) throw new ConfigError('--smart-host-auth needs --smart-host');
  const dnsServers = config.dnsServers.split(',').map((s) => s.trim()).filter(Boolean).map(dnsServer);
  const dkim = config.dkimKey ? new DkimSigner({ keyPath: config.dkimKey, selector: config.dkimSelector, domain: config.dkimDomain.toLowerCase() }) : null;

  const state = StateDatabase.inDataDir(config.dataDir);
  const queue = new DurableRelayQueue({
    store: new SqliteQueueStore(state),
    clock: parts.clock,
    hops: new NextHopResolver({ clock: parts.clock, dnsServers, smartHost }),
    connection: {
      ehloName: config.hostname,
      tls: config.relayTls,
      auth,
      connectTimeoutMs: config.relayConnectTimeoutMs,
      socketTimeoutMs: config.relayTimeoutMs,
    },
    retry: { scheduleMs, lifetimeMs: config.queueLifetimeMs },
    concurrency: config.relayConcurrency,
    perDestination: config.relayPerDomain,
    prepare: dkim ? (raw) => dkim.sign(raw) : undefined,
    hostname: config.hostname,
    outbox: parts.outbox,
    log: parts.log,
    metrics: parts.metrics,
  });
  return { queue, state };
}
