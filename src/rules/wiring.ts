/**
 * Building the mail-that-acts parts from the Config (for app.ts, which stays a list of parts):
 * the webhook queue and dispatcher, the rule book (--rules file and API rules), the marks
 * (tags, discard-after) and their sweeper, and the delivery wrapper that applies rules at ingest.
 *
 * The public URL in webhook payloads: --public-url if given; otherwise the HTTP listener's own
 * address, with --hostname in place of a wildcard bind (0.0.0.0, ::), read when a payload is
 * built (the port is known only once the listener is up: port 0 picks one).
 */
import type { AgentHandOff } from '../agents/types.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { DeliveryTarget } from '../delivery/ingest.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { RunningServer } from '../protocol/tcp-server.js';
import type { Outbox } from '../relay/types.js';
import { StateDatabase } from '../store/sqlite/state-db.js';
import type { Store } from '../store/types.js';
import { parseEndpoint } from '../webhooks/endpoints.js';
import { TurnCommit } from '../webhooks/turn-commit.js';
import { Webhooks } from '../webhooks/webhooks.js';
import { RuleBook } from './book.js';
import { RuleDelivery } from './delivery.js';
import { ExpirySweeper } from './expiry.js';
import { RulesFile } from './file.js';
import { RuleMarks } from './marks.js';
import { SqliteRuleRepository } from './sqlite-rules.js';

export interface ActingDeps {
  config: Pick<Config, 'dataDir' | 'webhooks' | 'webhookSecret' | 'webhookConcurrency' | 'webhookTimeoutMs' | 'publicUrl' | 'rulesFile' | 'hostname'>;
  store: Store;
  events: EventBus;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  /** The running servers, for the HTTP listener's address (the default public URL). */
  servers: readonly RunningServer[];
  outbox?: Outbox;
  agents?: AgentHandOff;
}

export interface Acting {
  webhooks: Webhooks;
  rules: RuleBook;
  marks: RuleMarks;
  /** The store's delivery target with the rules and webhook enqueue around it. */
  wrap(inner: DeliveryTarget): DeliveryTarget;
  start(): void;
  stop(): Promise<void>;
}

export function buildActing(deps: ActingDeps): Acting {
  const { config, store, events, clock, log, metrics } = deps;
  const state = StateDatabase.inDataDir(config.dataDir);
  const commit = new TurnCommit(state);
  const marks = new RuleMarks(state, commit);
  const warn = (message: string): void => log.warn({}, message);
  const file = config.rulesFile ? new RulesFile(config.rulesFile, () => clock.now(), warn) : null;
  const rules = new RuleBook(file, new SqliteRuleRepository(state), () => clock.now(), warn);
  if (!config.webhookSecret && config.webhooks.length > 0) log.warn({}, 'webhooks are sent unsigned: set --webhook-secret so receivers can check them');
  const webhooks = new Webhooks({
    state,
    commit,
    store,
    events,
    clock,
    log,
    endpoints: config.webhooks.map((url) => parseEndpoint(url)),
    secret: config.webhookSecret,
    maxPerEndpoint: config.webhookConcurrency,
    timeoutMs: config.webhookTimeoutMs,
    publicUrl: () => config.publicUrl || listenerUrl(deps.servers, config.hostname),
    tagsOf: marks.tagsOf,
    onAttempt: (outcome) => metrics.webhookAttempts.inc({ outcome }),
  });
  metrics.webhookCounts = () => webhooks.counts();
  const sweeper = new ExpirySweeper(marks, store, clock, log);
  const forget = events.subscribe((event) => {
    if (event.type === 'message.deleted') marks.forget(event.id).catch((error: unknown) => log.warn({ err: String(error) }, 'rules: cannot forget the tags of a deleted message'));
  });
  return {
    webhooks,
    rules,
    marks,
    wrap: (inner) =>
      new RuleDelivery({
        inner,
        rules,
        marks,
        webhooks,
        store,
        clock,
        log,
        ...(deps.outbox ? { outbox: deps.outbox } : {}),
        ...(deps.agents ? { agents: deps.agents } : {}),
        onAction: (kind) => metrics.ruleActions.inc({ action: kind }),
      }),
    start() {
      webhooks.start();
      sweeper.start();
    },
    async stop() {
      forget();
      webhooks.stop();
      await sweeper.stop();
      state.close();
    },
  };
}

function listenerUrl(servers: readonly RunningServer[], hostname: string): string {
  const http = servers.find((s) => s.name === 'http');
  if (!http) return `http://${hostname}`;
  const { host, port } = http.address;
  const name = host === '0.0.0.0' || host === '::' ? hostname : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}
