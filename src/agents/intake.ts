/**
 * The delivery path's side of agents: a DeliveryTarget wrapped around the store's (or around
 * another wrapper, e.g. the rules'), so mail to an agent address is stored as usual and, once
 * the inner target reports it stored and before the client sees 250, gets a durable pending
 * row per (stored message, agent) for the worker. Mail to no agent costs one pattern match per
 * recipient and no write.
 *
 * Which stored id is which recipient's: the inner target stores one message per inbox, ids in
 * the order of the de-duplicated inboxes (StoreDelivery, Store.append), and recipient i went
 * to inbox i (the SMTP session builds both lists from one recipient list).
 */
import type { DeliveryOutcome, DeliveryTarget, Incoming } from '../delivery/ingest.js';
import type { Envelope, MessageId } from '../store/types.js';
import type { AgentDirectory } from './directory.js';
import type { PendingWork } from './state.js';

export type Arrival = Pick<PendingWork, 'messageId' | 'agent' | 'address'>;

/** The agent work for a stored message: one per recipient an agent answers (each inbox once). */
export function agentArrivals(directory: AgentDirectory, envelope: Pick<Envelope, 'rcptTo'>, inboxes: readonly string[], ids: readonly MessageId[]): Arrival[] {
  const unique = [...new Set(inboxes)];
  if (unique.length !== ids.length || directory.current().length === 0) return [];
  const arrivals = new Map<string, Arrival>();
  envelope.rcptTo.forEach((address, i) => {
    const inbox = inboxes[i];
    const found = inbox === undefined ? null : directory.forAddress(address);
    if (!found || arrivals.has(`${inbox}\0${found.entry.name}`)) return;
    arrivals.set(`${inbox}\0${found.entry.name}`, { messageId: ids[unique.indexOf(inbox!)]!, agent: found.entry.name, address });
  });
  return [...arrivals.values()];
}

export class AgentIntake implements DeliveryTarget {
  constructor(
    private readonly inner: DeliveryTarget,
    private readonly directory: AgentDirectory,
    private readonly record: (work: readonly Arrival[]) => void,
  ) {}

  async deliver(incoming: Incoming): Promise<DeliveryOutcome> {
    const outcome = await this.inner.deliver(incoming);
    if (outcome.kind === 'stored') this.record(agentArrivals(this.directory, incoming.envelope, incoming.inboxes, outcome.ids));
    return outcome;
  }
}
