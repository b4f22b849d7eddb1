/**
 * Routing rules at ingest (issue 17 §3), as a delivery target around the store's: the session
 * hands the message here at the end of DATA, and what it answers is decided here.
 *
 * 1. The rules in force are tested in order (ascending priority). The actions of every
 *    matching rule apply, in rule order.
 * 2. A `drop` among them refuses the message with `550 5.7.1` and nothing is stored and no other
 *    action runs: the sender is told, never accept-and-lose.
 * 3. Otherwise the inner target stores it. Before the `250` (one group commit, turn-commit.ts):
 *    the tags and the earliest `discard-after` deadline (marks.ts), and the `message.received`
 *    webhook deliveries for --webhook and the matching rules' endpoints (webhooks.ts says why
 *    at ingest, not on the bus). Then `forward` copies are handed to the Outbox, which commits
 *    them to the relay queue (or stores them locally), also before the `250`.
 * 4. After the `250`: `agent` hand-offs (an agent may take a while to answer; its reply goes
 *    through the Outbox itself). Not durable: a crash right after the `250` loses the hand-off.
 *
 * The message is stored first and the marks written second; a failure writing them is logged
 * and the message still answered `250` (it is stored: a `451` would make the sender send a
 * duplicate). Forwards use the null reverse path (RFC 5321 §4.5.5), so a failing forward
 * bounces to no one: a forged sender of the original must not receive our bounces.
 */
import type { AgentHandOff } from '../agents/types.js';
import type { Clock } from '../clock.js';
import type { DeliveryOutcome, DeliveryTarget, Incoming, TargetReply } from '../delivery/ingest.js';
import type { Logger } from '../log.js';
import type { Outbox } from '../relay/types.js';
import type { MessageId, Store } from '../store/types.js';
import type { Endpoint } from '../webhooks/endpoints.js';
import type { Webhooks } from '../webhooks/webhooks.js';
import type { RuleBook } from './book.js';
import { MessageFacts } from './facts.js';
import type { RuleMarks } from './marks.js';
import type { Action } from './types.js';

export interface RuleDeliveryDeps {
  inner: DeliveryTarget;
  rules: Pick<RuleBook, 'inForce'>;
  marks: Pick<RuleMarks, 'record'>;
  webhooks: Pick<Webhooks, 'received'>;
  store: Pick<Store, 'raw'>;
  clock: Pick<Clock, 'now'>;
  log: Logger;
  /** Absent until the outbound work is wired: a `forward` then logs and does nothing. */
  outbox?: Outbox;
  /** Absent until agent inboxes are wired: an `agent` action then logs and does nothing. */
  agents?: AgentHandOff;
  /** Counts each rule action applied, by kind. */
  onAction?: (kind: Action['kind']) => void;
}

/** The actions of the matching rules, gathered by kind. */
interface Verdict {
  drop: { rule: string; text: string } | null;
  tags: string[];
  deleteAfterMs: number | null;
  endpoints: Endpoint[];
  forwards: string[];
  agents: string[];
}

export function dropReply(rule: string, text: string): TargetReply {
  // X.7.1: delivery not authorized, message refused (RFC 3463 §3.8).
  return { code: 550, enhanced: '5.7.1', text: text || `Message refused by routing rule ${rule}` };
}

export class RuleDelivery implements DeliveryTarget {
  constructor(private readonly deps: RuleDeliveryDeps) {}

  async deliver(incoming: Incoming): Promise<DeliveryOutcome> {
    const verdict = this.verdict(incoming);
    if (verdict.drop) return { kind: 'refused', reply: dropReply(verdict.drop.rule, verdict.drop.text) };
    const outcome = await this.deps.inner.deliver(incoming);
    if (outcome.kind !== 'stored') return outcome;
    const { ids } = outcome;
    const messages = ids.map((id, i) => ({ id, inbox: incoming.inboxes[i] ?? '' }));
    const receivedAtMs = this.deps.clock.now();
    const deleteAtMs = verdict.deleteAfterMs === null ? null : receivedAtMs + verdict.deleteAfterMs;
    const writes = await Promise.allSettled([
      this.deps.marks.record(ids, { tags: verdict.tags, deleteAtMs }),
      this.deps.webhooks.received(messages, verdict.endpoints),
      this.forward(ids[0], verdict.forwards),
    ]);
    for (const w of writes) if (w.status === 'rejected') this.deps.log.error({ err: String(w.reason), ids }, 'rules: an action after storing failed; the message is kept');
    for (const agent of verdict.agents) this.handOff(agent, ids);
    return outcome;
  }

  private verdict(incoming: Incoming): Verdict {
    const verdict: Verdict = { drop: null, tags: [], deleteAfterMs: null, endpoints: [], forwards: [], agents: [] };
    const rules = this.deps.rules.inForce();
    if (rules.length === 0) return verdict;
    const facts = new MessageFacts(incoming);
    for (const compiled of rules) {
      if (!compiled.matches(facts)) continue;
      for (const action of compiled.rule.actions) {
        this.deps.onAction?.(action.kind);
        switch (action.kind) {
          case 'drop':
            verdict.drop ??= { rule: compiled.rule.name, text: action.text };
            break;
          case 'tag':
            if (!verdict.tags.includes(action.tag)) verdict.tags.push(action.tag);
            break;
          case 'discard-after':
            verdict.deleteAfterMs = Math.min(verdict.deleteAfterMs ?? Infinity, action.afterMs);
            break;
          case 'webhook':
            verdict.endpoints.push({ url: action.url, wantsDeleted: action.deleted });
            break;
          case 'forward':
            verdict.forwards.push(action.to);
            break;
          case 'agent':
            verdict.agents.push(action.agent);
            break;
        }
      }
    }
    return verdict;
  }

  /** One copy, as stored (our trace header included), to every forward address. */
  private async forward(id: MessageId | undefined, recipients: readonly string[]): Promise<void> {
    if (recipients.length === 0 || id === undefined) return;
    const { outbox, store, log } = this.deps;
    if (!outbox) {
      log.warn({ id, recipients }, 'rules: forward skipped, this server has no outbound relay');
      return;
    }
    const raw = await store.raw(id);
    if (!raw) return;
    await outbox.send({ mailFrom: '', recipients: [...new Set(recipients)], raw, origin: 'rule', sourceId: id });
  }

  private handOff(agent: string, ids: readonly MessageId[]): void {
    const { agents, log } = this.deps;
    const id = ids[0];
    if (id === undefined) return;
    if (!agents?.has(agent)) {
      log.warn({ id, agent }, 'rules: no agent of that name is configured; hand-off skipped');
      return;
    }
    agents.handle(agent, id).catch((error: unknown) => log.error({ err: String(error), id, agent }, 'rules: agent hand-off failed'));
  }
}
