/**
 * The agents' worker: takes pending work (agents/state.ts) in arrival order, one at a time, and
 * answers it. Why a durable row and a worker rather than reacting to `message.stored`: an event
 * is gone if we crash after the 250 and before the reply is committed; the row is not. The row
 * is written in the delivery path (intake.ts) once the store's append resolved; the worker runs
 * on the injected clock, and is woken by the row's arrival and by the store's `message.stored`
 * for its message (the store may show a message only once its parse has committed, moments
 * after the append: until then `get` answers null and the work waits, retried on the clock).
 *
 * For each piece of work, in this order, so every kind is equally safe:
 * 1. loop safety (loop-safety.ts, RFC 3834): declined work is done, silently;
 * 2. rate limits, checked and reserved at once: the kind's once-per-sender window (template's
 *    `days`), then the per-sender and the global cap (`--agent-sender-rate`, `--agent-global-rate`);
 * 3. the agent's answer; a failure (a program's exit, a service's 500) is tried again after
 *    FAILURE_RETRY_MS, then given up and logged;
 * 4. the reply, composed with the RFC 3834 marks (compose.ts), sent from the null reverse path
 *    (§3.3) to the original envelope sender through the Outbox, with a copy kept in the
 *    agent's own inbox, so that inbox shows the conversation: the message and its answer.
 *
 * One at a time keeps the limits exact and the order of replies the order of arrival; a slow
 * agent delays the others by at most its timeout.
 */
import type { Clock, Timer } from '../clock.js';
import type { Rate } from '../config.js';
import type { EventBus } from '../events/bus.js';
import { inboxFor } from '../mail/address.js';
import { OutboxError, type SendOptions } from '../delivery/outbox.js';
import type { OutboundMessage } from '../relay/types.js';
import type { MessageId, Store, StoredMessage } from '../store/types.js';
import { composeReply } from './compose.js';
import type { AgentDirectory, AgentEntry } from './directory.js';
import { declineReason } from './loop-safety.js';
import type { AgentState, PendingWork } from './state.js';

/** Waits for a message the store does not show yet: 20 ms doubling to 2 s, about a minute in all. */
const NOT_VISIBLE_FIRST_MS = 20;
const NOT_VISIBLE_MAX_MS = 2_000;
const NOT_VISIBLE_TRIES = 35;
/** A failing agent is tried again after each of these, then given up. */
export const FAILURE_RETRY_MS: readonly number[] = [5_000, 60_000, 600_000];
const BATCH = 20;

export type AgentOutcome = 'replied' | 'declined' | 'limited' | 'no-reply' | 'failed' | 'dropped';

/** What the worker logs through (pino's Logger is one). */
export interface AgentLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface AgentSender {
  send(message: OutboundMessage, options?: SendOptions): Promise<void>;
}

export interface WorkerDeps {
  state: AgentState;
  directory: AgentDirectory;
  store: Pick<Store, 'get' | 'raw' | 'transcript'>;
  events: Pick<EventBus, 'subscribe'>;
  outbox: AgentSender;
  clock: Clock;
  log: AgentLog;
  hostname: string;
  /** Accepted domains: the first names a hand-off's agent address when the message gives none. */
  domains: readonly string[];
  senderRate: Rate;
  globalRate: Rate;
  onOutcome?: (outcome: AgentOutcome, reason: string) => void;
}

export class AgentWorker {
  private timer: Timer | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly waiting = new Set<MessageId>();
  private readonly finished = new Map<number, () => void>();
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: WorkerDeps) {
    this.unsubscribe = deps.events.subscribe((event) => {
      if (event.type !== 'message.stored' || !this.waiting.has(event.id)) return;
      this.deps.state.wake(event.id, this.deps.clock.now());
      this.kick();
    });
  }

  /** Start: work left from before a restart is done first. */
  start(): void {
    this.kick();
  }

  /** Record work durably (before the client's 250) and wake the worker. */
  record(work: ReadonlyArray<Pick<PendingWork, 'messageId' | 'agent' | 'address'>>): number[] {
    if (work.length === 0) return [];
    const ids = this.deps.state.addPending(work, this.deps.clock.now());
    this.kick();
    return ids;
  }

  /** Record work and resolve when it is done (replied, declined or given up). */
  recordAndWait(work: Pick<PendingWork, 'messageId' | 'agent' | 'address'>): Promise<void> {
    return new Promise((resolve) => {
      const [id] = this.deps.state.addPending([work], this.deps.clock.now());
      this.finished.set(id!, resolve);
      this.kick();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    this.unsubscribe();
    await this.running;
    for (const resolve of this.finished.values()) resolve();
    this.finished.clear();
  }

  /** Whether the worker has nothing in hand (tests). */
  get idle(): boolean {
    return this.running === null;
  }

  private kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.timer?.cancel();
    this.timer = this.deps.clock.after(0, () => this.run());
  }

  private run(): void {
    if (this.stopped || this.running) return;
    this.running = (async () => {
      do {
        this.again = false;
        this.prune();
        for (;;) {
          const due = this.deps.state.due(this.deps.clock.now(), BATCH);
          if (due.length === 0 || this.stopped) break;
          for (const work of due) if (!this.stopped) await this.safely(work);
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
      this.scheduleNext();
    });
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    const next = this.deps.state.nextDueMs();
    if (next === null) return;
    this.timer?.cancel();
    this.timer = this.deps.clock.after(Math.max(0, next - this.deps.clock.now()), () => this.run());
  }

  private prune(): void {
    const entries = this.deps.directory.current();
    const keepMs = Math.max(this.deps.senderRate.windowMs, this.deps.globalRate.windowMs, ...entries.map((e) => e.agent.oncePerSenderMs));
    this.deps.state.prune(this.deps.clock.now() - keepMs);
  }

  private async safely(work: PendingWork): Promise<void> {
    try {
      await this.process(work);
    } catch (error) {
      // A fault of ours (the state database, a bug): give the work up rather than spin on it.
      this.deps.log.error({ err: String(error), agent: work.agent, id: work.messageId }, 'agent work failed');
      this.done(work, 'failed', 'internal');
    }
  }

  private done(work: PendingWork, outcome: AgentOutcome, reason: string): void {
    this.deps.state.finish(work.id);
    this.waiting.delete(work.messageId);
    this.deps.onOutcome?.(outcome, reason);
    this.finished.get(work.id)?.();
    this.finished.delete(work.id);
  }

  private async process(work: PendingWork): Promise<void> {
    const { deps } = this;
    const entry = deps.directory.byName(work.agent);
    if (!entry) {
      deps.log.warn({ agent: work.agent, id: work.messageId }, 'agent no longer configured; message not answered');
      return this.done(work, 'dropped', 'unknown-agent');
    }
    const message = await deps.store.get(work.messageId);
    if (!message) return this.notVisibleYet(work);
    const { address, wildcard } = this.addressFor(entry, work, message);
    const sender = message.envelope.mailFrom;
    const declined = declineReason({ envelope: message.envelope, headers: message.parsed.headers }, address);
    if (declined) return this.done(work, 'declined', declined);
    const now = deps.clock.now();
    const reservation = deps.state.reserve(work, sender, now, { oncePerSenderMs: entry.agent.oncePerSenderMs, perSender: deps.senderRate, global: deps.globalRate });
    if (reservation !== 'ok') {
      deps.log.info({ agent: entry.name, sender, id: message.id, limit: reservation }, 'agent reply held back by its limit');
      return this.done(work, 'limited', reservation);
    }
    try {
      const context = { message, address, wildcard, agentName: entry.name, now: new Date(now), raw: async () => (await deps.store.raw(message.id)) ?? Buffer.alloc(0), transcript: () => deps.store.transcript(message.id) };
      const reply = await entry.agent.answer(context);
      if (!reply) {
        deps.state.release(work.id);
        return this.done(work, 'no-reply', entry.kind);
      }
      const raw = composeReply(reply, { from: address, to: sender, original: message.parsed.headers, originalSubject: message.subject, hostname: deps.hostname, date: new Date(deps.clock.now()) });
      // RFC 3834 §3.3: a response goes from the null reverse path, so nothing ever answers it back.
      await deps.outbox.send({ mailFrom: '', recipients: [sender], raw, origin: 'agent', sourceId: message.id }, { copyToInboxes: [message.inbox] });
      return this.done(work, 'replied', entry.kind);
    } catch (error) {
      deps.state.release(work.id);
      return this.failed(work, entry, error as Error);
    }
  }

  private failed(work: PendingWork, entry: AgentEntry, error: Error): void {
    const delayMs = FAILURE_RETRY_MS[work.attempts];
    const permanent = error instanceof OutboxError || delayMs === undefined;
    this.deps.log.warn({ agent: entry.name, id: work.messageId, err: error.message, attempt: work.attempts + 1, retry: !permanent }, permanent ? 'agent failed; given up' : 'agent failed; will try again');
    if (permanent) return this.done(work, 'failed', entry.kind);
    this.deps.state.postpone(work.id, work.attempts + 1, this.deps.clock.now() + delayMs);
  }

  private notVisibleYet(work: PendingWork): void {
    if (work.attempts >= NOT_VISIBLE_TRIES) {
      this.deps.log.warn({ agent: work.agent, id: work.messageId }, 'message to an agent is gone; not answered');
      return this.done(work, 'dropped', 'message-gone');
    }
    this.waiting.add(work.messageId);
    const delayMs = Math.min(NOT_VISIBLE_FIRST_MS * 2 ** work.attempts, NOT_VISIBLE_MAX_MS);
    this.deps.state.postpone(work.id, work.attempts + 1, this.deps.clock.now() + delayMs);
  }

  /**
   * The agent's address (From of the reply) and the pattern's wildcard: the recipient that named
   * the agent; for a rule's hand-off, the first recipient the pattern matches, else the pattern
   * itself with `*` as `agent` at the pattern's domain, the recipient's, or ours.
   */
  private addressFor(entry: AgentEntry, work: PendingWork, message: StoredMessage): { address: string; wildcard: string } {
    const candidates = work.address ? [work.address] : message.envelope.rcptTo;
    for (const candidate of candidates) {
      const at = candidate.lastIndexOf('@');
      const inbox = inboxFor(candidate.slice(0, at));
      const wildcard = inbox === null ? null : entry.match(inbox, candidate.slice(at + 1).toLowerCase());
      if (wildcard !== null) return { address: candidate, wildcard };
    }
    const at = entry.pattern.lastIndexOf('@');
    const firstRecipient = message.envelope.rcptTo[0] ?? '';
    const domain = entry.pattern.slice(at + 1) || firstRecipient.slice(firstRecipient.lastIndexOf('@') + 1) || this.deps.domains[0] || this.deps.hostname;
    return { address: `${entry.pattern.slice(0, at).replace('*', 'agent')}@${domain}`, wildcard: 'agent' };
  }
}
