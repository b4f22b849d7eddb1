/**
 * What the HTTP server is built from: the store it reads and deletes through, the event bus for
 * live updates and `wait`, the metrics it serves and the few settings it needs. The composition
 * root (app.ts) hands these over; nothing here imports it back.
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { DiskStatus } from '../policy/disk.js';
import type { SmtpPolicy } from '../policy/smtp-policy.js';
import type { Store } from '../store/types.js';
import type { TagsOf } from './present.js';
import type { RuleBook } from '../rules/book.js';
import type { Webhooks } from '../webhooks/webhooks.js';

export interface HttpDeps {
  config: Pick<Config, 'http' | 'hostname' | 'domains' | 'maxConnections' | 'maxConnectionsPerIp' | 'adminToken'>;
  store: Store;
  events: EventBus;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  /** The SMTP policy the policy API shows and changes; absent: no SMTP listener. */
  policy?: SmtpPolicy;
  /** The full-disk guard, shown on the policy API. */
  disk?: { readonly current: DiskStatus };
  /** --capture-outbound's marks (delivery/outbound-capture.ts); absent without the flag. */
  outbound?: { list(inbox: string, limit: number): number[] };
  // Mail that acts (issue 17: webhooks and rules).
  /** Labels of messages from `tag` rules; absent: none. */
  tagsOf?: TagsOf;
  /** The routing rules the rules API shows and changes. */
  rules?: RuleBook;
  /** The webhook queue the deliveries API shows. */
  webhooks?: Pick<Webhooks, 'list' | 'counts'>;
}
