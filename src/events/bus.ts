/**
 * The event bus: the store publishes what it committed; the web UI's live updates, IMAP IDLE,
 * webhooks and agents subscribe. In one process it is this in-memory bus; a distributed engine
 * would put its pub/sub behind the same interface.
 *
 * Every event gets a sequence number (`seq`), strictly ascending, and the bus keeps the most
 * recent ones so a reader that lost its connection (SSE `Last-Event-ID`) can catch up with
 * `since(seq)` instead of missing what happened meanwhile.
 */
import type { Flag, MessageId, MessageSummary } from '../store/types.js';

export type StoreEvent =
  | { type: 'message.stored'; id: MessageId; inbox: string; summary: MessageSummary }
  | { type: 'message.deleted'; id: MessageId; inbox: string }
  | { type: 'message.flags'; id: MessageId; inbox: string; flags: Flag[] };

export type SequencedEvent = StoreEvent & { seq: number };

export type Listener = (event: SequencedEvent) => void;

export interface EventBus {
  publish(event: StoreEvent): void;
  /** Returns the function that unsubscribes. */
  subscribe(listener: Listener): () => void;
  /** Events after `seq` still held, oldest first; `null` if some were already dropped (the reader must resync). */
  since(seq: number): SequencedEvent[] | null;
  /** The seq of the newest event published (0 before any). */
  lastSeq(): number;
}

export class MemoryEventBus implements EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly recent: SequencedEvent[] = [];
  private seq = 0;

  /**
   * 2,000 events is minutes of history at an ordinary rate, and a reader that falls further
   * behind is told to reload (SSE `reset`). Each held event carries a summary; 10,000 of them
   * were ~10 MiB of live heap and more than twice that in RSS under a flood.
   */
  constructor(private readonly keepRecent = 2_000) {}

  publish(event: StoreEvent): void {
    const sequenced: SequencedEvent = { ...event, seq: ++this.seq };
    this.recent.push(sequenced);
    // Drop in bulk so a busy bus does not shift the array on every event.
    if (this.recent.length > this.keepRecent * 1.5) this.recent.splice(0, this.recent.length - this.keepRecent);
    for (const listener of this.listeners) {
      try {
        listener(sequenced);
      } catch {
        // One faulty subscriber must not stop delivery to the others, nor the store's write path.
      }
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  since(seq: number): SequencedEvent[] | null {
    if (seq >= this.seq) return [];
    const first = this.recent[0];
    if (!first || first.seq > seq + 1) return null;
    return this.recent.slice(seq + 1 - first.seq);
  }

  lastSeq(): number {
    return this.seq;
  }
}
