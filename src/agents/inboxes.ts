/**
 * Agent inboxes as one part for the composition root: the agents file (directory.ts), their
 * state in `state.db` (state.ts), the worker (worker.ts), the delivery wrapper (intake.ts) and
 * the rules' hand-off (hand-off.ts). app.ts builds it when `--agents` is given.
 */
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { DeliveryTarget } from '../delivery/ingest.js';
import type { EventBus } from '../events/bus.js';
import type { Metrics } from '../metrics.js';
import { StateDatabase } from '../store/sqlite/state-db.js';
import type { Envelope, MessageId, Store } from '../store/types.js';
import { AgentDirectory } from './directory.js';
import { AgentInboxHandOff } from './hand-off.js';
import { agentArrivals, AgentIntake } from './intake.js';
import { SqliteAgentState } from './state.js';
import type { AgentHandOff } from './types.js';
import { AgentWorker, type AgentLog, type AgentSender } from './worker.js';

export interface AgentInboxesDeps {
  config: Pick<Config, 'agents' | 'agentProgramDir' | 'agentSenderRate' | 'agentGlobalRate' | 'dataDir' | 'hostname' | 'domains'>;
  /** --webhook-secret, the http kind's default secret ('' for none). */
  webhookSecret: string;
  store: Pick<Store, 'get' | 'raw' | 'transcript'>;
  events: Pick<EventBus, 'subscribe'>;
  outbox: AgentSender;
  clock: Clock;
  log: AgentLog & { warn(message: string): void };
  metrics?: Pick<Metrics, 'agentOutcomes'>;
}

export class AgentInboxes {
  readonly directory: AgentDirectory;
  readonly worker: AgentWorker;
  readonly handOff: AgentHandOff;
  private readonly stateDb: StateDatabase;

  constructor(deps: AgentInboxesDeps) {
    const { config, clock, log } = deps;
    this.directory = new AgentDirectory(config.agents, { programDir: config.agentProgramDir, webhookSecret: deps.webhookSecret, clock, hostname: config.hostname }, (problem) => log.warn(problem));
    this.stateDb = StateDatabase.inDataDir(config.dataDir);
    this.worker = new AgentWorker({
      state: new SqliteAgentState(this.stateDb),
      directory: this.directory,
      store: deps.store,
      events: deps.events,
      outbox: deps.outbox,
      clock,
      log,
      hostname: config.hostname,
      domains: config.domains,
      senderRate: config.agentSenderRate,
      globalRate: config.agentGlobalRate,
      onOutcome: (outcome, reason) => deps.metrics?.agentOutcomes.inc({ outcome, reason }),
    });
    this.handOff = new AgentInboxHandOff(this.directory, this.worker);
  }

  /** The delivery target that records agent work once `inner` has stored a message. */
  intake(inner: DeliveryTarget): DeliveryTarget {
    return new AgentIntake(inner, this.directory, (work) => this.worker.record(work));
  }

  /** Mail the Outbox stored here (another agent's reply, a forward): offered to agents too. */
  storedLocally(stored: { envelope: Envelope; inboxes: readonly string[]; ids: readonly MessageId[] }): void {
    this.worker.record(agentArrivals(this.directory, stored.envelope, stored.inboxes, stored.ids));
  }

  start(): void {
    this.directory.current();
    this.worker.start();
  }

  async stop(): Promise<void> {
    await this.worker.stop();
    this.stateDb.close();
  }
}
