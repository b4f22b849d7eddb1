/**
 * How the composition root (app.ts) builds the submission, relay-rule and alias parts from the
 * Config: the users file and the brute-force throttle for the submission listener; the aliases
 * file, --relay-networks and the routed delivery target (store + mbox files + programs + relay
 * queue) for both SMTP listeners. Kept out of app.ts so that file stays one line per part.
 */
import { join } from 'node:path';
import { AliasesFile } from '../aliases/file.js';
import { UsersFile } from '../auth/users.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { AuthThrottle } from '../policy/auth-throttle.js';
import { NetworkList } from '../policy/networks.js';
import type { RelayQueue } from '../relay/types.js';
import type { SmtpDeps, SubmissionDeps } from '../smtp/server.js';
import type { Store } from '../store/types.js';
import type { DeliveryTarget } from './ingest.js';
import type { EventBus } from '../events/bus.js';
import type { StateDatabase } from '../store/sqlite/state-db.js';
import { MemoryOutboundMarks, StateOutboundMarks, StoreCapture, forgetDeleted, type OutboundMarks } from './outbound-capture.js';
import { RoutedDelivery } from './routed.js';

export interface WiringParts {
  config: Config;
  store: Store;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  events: EventBus;
  relayQueue?: RelayQueue;
  /** The shared state database, if the app opened one: outbound marks then survive a restart. */
  stateDb?: StateDatabase;
}

export interface SubmissionWiring {
  smtp: Pick<SmtpDeps, 'delivery' | 'aliases' | 'relayNetworks' | 'relayAvailable'>;
  submission: SubmissionDeps;
  /** --capture-outbound's marks, for the HTTP API; null without the flag. */
  outbound: OutboundMarks | null;
}

/** The users file when --users is not given: `users` in the data dir (where `tidemail user add` writes by default). */
export function usersPath(config: Pick<Config, 'users' | 'dataDir'>): string {
  return config.users || join(config.dataDir, 'users');
}

export function submissionWiring(parts: WiringParts, local: DeliveryTarget): SubmissionWiring {
  const { config, clock, log } = parts;
  const now = (): number => clock.now();
  const warn = (message: string): void => log.warn(message);
  const aliases = config.aliases ? new AliasesFile(config.aliases, { fileDir: config.aliasFileDir, programDir: config.aliasProgramDir }, now, warn) : undefined;
  const relay = parts.relayQueue ?? null;
  const marks = config.captureOutbound ? (parts.stateDb ? new StateOutboundMarks(parts.stateDb) : new MemoryOutboundMarks()) : null;
  if (marks) forgetDeleted(parts.events, marks);
  const delivery = new RoutedDelivery({
    local,
    relay,
    capture: marks ? new StoreCapture(parts.store, clock, marks) : null,
    programTimeoutMs: config.aliasProgramTimeoutMs,
    clock,
    log,
    metrics: parts.metrics,
  });
  return {
    smtp: { delivery, ...(aliases ? { aliases } : {}), relayNetworks: new NetworkList(config.relayNetworks), relayAvailable: relay !== null },
    submission: { users: new UsersFile(usersPath(config), now, warn), throttle: new AuthThrottle(config.authFailures, clock) },
    outbound: marks,
  };
}
