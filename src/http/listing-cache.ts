/**
 * Serialised inbox pages, kept until the inbox changes. Test suites poll their inbox listing
 * in a loop, so the same page is asked for far more often than it changes; answering it from
 * here skips the query, the row mapping and the JSON encoding.
 *
 * Freshness: every store write publishes on the event bus after its commit, and this cache drops
 * an inbox's pages synchronously inside that publish, before any request that could observe the
 * write is handled (a client that saw an SSE event, a `wait` answer or a 204 from DELETE lists
 * fresh data). The one change the bus does not announce is the background parse filling in
 * `preview` and `attachments` moments after arrival, so entries also expire after MAX_AGE_MS.
 */
import type { EventBus } from '../events/bus.js';

const MAX_AGE_MS = 1000;
/** Beyond this many cached pages everything is dropped and refilled by what is asked for next. */
const MAX_ENTRIES = 5000;

interface Entry {
  body: string;
  storedAtMs: number;
}

export class ListingCache {
  private readonly byInbox = new Map<string, Map<string, Entry>>();
  private entries = 0;

  constructor(events: EventBus) {
    events.subscribe((event) => this.invalidate(event.inbox));
  }

  get(inbox: string, key: string): string | null {
    const entry = this.byInbox.get(inbox)?.get(key);
    if (!entry) return null;
    if (Date.now() - entry.storedAtMs > MAX_AGE_MS) return null;
    return entry.body;
  }

  set(inbox: string, key: string, body: string): void {
    if (this.entries >= MAX_ENTRIES) {
      this.byInbox.clear();
      this.entries = 0;
    }
    let pages = this.byInbox.get(inbox);
    if (!pages) this.byInbox.set(inbox, (pages = new Map()));
    if (!pages.has(key)) this.entries++;
    pages.set(key, { body, storedAtMs: Date.now() });
  }

  private invalidate(inbox: string): void {
    const pages = this.byInbox.get(inbox);
    if (!pages) return;
    this.entries -= pages.size;
    this.byInbox.delete(inbox);
  }
}
