/**
 * Serialised inbox pages, kept until the inbox changes. Test suites poll their inbox listing
 * in a loop, so the same page is asked for far more often than it changes; answering it from
 * here skips the query, the row mapping and the JSON encoding. Pages are kept as UTF-8 bytes,
 * so a hit does not measure and encode ~28 KB of text again either.
 *
 * Freshness: every store write publishes on the event bus after its commit, and this cache drops
 * an inbox's pages synchronously inside that publish, before any request that could observe the
 * write is handled (a client that saw an SSE event, a `wait` answer or a 204 from DELETE lists
 * fresh data). A message is shown only with its final summary (issue 13 §1), and after that only
 * its flags and its deletion change a page, both announced; so a page needs no expiry. A fill
 * reads the store before it is kept, with turns of the event loop in between: one that an event
 * for its inbox overtook is not kept (`token`, `set`).
 */
import type { EventBus } from '../events/bus.js';

/** Beyond this many cached pages everything is dropped and refilled by what is asked for next. */
const MAX_ENTRIES = 5000;
/** Inboxes whose last change is remembered for fills in flight; beyond it, older fills are refused. */
const MAX_CHANGES_REMEMBERED = 10_000;

export class ListingCache {
  private readonly byInbox = new Map<string, Map<string, Buffer>>();
  private entries = 0;
  /** Counts the events seen; a fill's token is its value when the fill began. */
  private clock = 0;
  /** The clock at each inbox's last change (for recently changed inboxes only). */
  private readonly changedAt = new Map<string, number>();
  /** Fills begun before this are refused: the changes they raced are no longer remembered. */
  private forgottenBefore = 0;

  constructor(events: EventBus) {
    events.subscribe((event) => this.invalidate(event.inbox));
  }

  get(inbox: string, key: string): Buffer | null {
    return this.byInbox.get(inbox)?.get(key) ?? null;
  }

  /** Taken before reading the store for a page, handed back to `set`. */
  token(): number {
    return this.clock;
  }

  set(inbox: string, key: string, body: Buffer, token: number): void {
    if (token < this.forgottenBefore || (this.changedAt.get(inbox) ?? -1) >= token) return;
    if (this.entries >= MAX_ENTRIES) {
      this.byInbox.clear();
      this.entries = 0;
    }
    let pages = this.byInbox.get(inbox);
    if (!pages) this.byInbox.set(inbox, (pages = new Map()));
    if (!pages.has(key)) this.entries++;
    pages.set(key, body);
  }

  private invalidate(inbox: string): void {
    this.changedAt.set(inbox, this.clock++);
    if (this.changedAt.size > MAX_CHANGES_REMEMBERED) {
      this.changedAt.clear();
      this.forgottenBefore = this.clock;
    }
    const pages = this.byInbox.get(inbox);
    if (!pages) return;
    this.entries -= pages.size;
    this.byInbox.delete(inbox);
  }
}
