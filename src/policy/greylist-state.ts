/**
 * The greylist's state behind a small interface, so another engine (Redis, for several nodes)
 * can hold it later; greylist.ts holds the rules and never sees how entries are kept.
 *
 * Three kinds of entry, keyed by `entryKey`:
 * - `grey`: a triplet (client network, sender, recipient) seen and deferred, not yet retried
 *   after the delay; it expires at the end of the retry window.
 * - `white`: a triplet that passed; it expires `lifetime` after its last pass.
 * - `client`: a client network's pass count, for the auto-whitelist; it expires `lifetime`
 *   after its last pass.
 *
 * The interface is synchronous because the RCPT decision is: an engine that lives across the
 * network keeps a local copy in front of it, as the SQLite engine keeps this memory one.
 * `MemoryGreylistState` is that copy, and the whole engine for tests: one Map per kind, in
 * eviction order (a `put` moves an entry to the young end), so evicting the oldest is O(1).
 */

export type GreyKind = 'grey' | 'white' | 'client';

export interface GreyEntry {
  kind: GreyKind;
  /** The client's /24 or /64 (networks.ts). */
  network: string;
  /** Envelope sender, lower-cased ('' for `<>`); '' for a client entry. */
  sender: string;
  /** Recipient, lower-cased; '' for a client entry. */
  recipient: string;
  firstSeenMs: number;
  lastSeenMs: number;
  /** How many RCPTs this triplet (or client network) has passed. */
  passes: number;
  expiresAtMs: number;
}

export interface GreylistState {
  get(kind: 'triplet' | 'client', network: string, sender?: string, recipient?: string): GreyEntry | undefined;
  /** Insert or replace (a triplet's grey entry by its white one); the entry becomes the youngest of its kind. */
  put(entry: GreyEntry): void;
  delete(entry: GreyEntry): void;
  count(kind: GreyKind): number;
  /** Remove up to `n` of the entries of `kind` put longest ago; returns how many went. */
  evictOldest(kind: GreyKind, n: number): number;
  /** Remove every entry expired at `nowMs`; returns how many went. */
  sweep(nowMs: number): number;
  /** The most recently put entries, youngest first, at most `limit`. */
  recent(limit: number): GreyEntry[];
  /** Make what was put durable (an engine that writes behind); called on a timer and at close. */
  flush(): void;
  close(): void;
}

/** One key per triplet (grey or white) and per client network; addresses carry no newline. */
export function entryKey(entry: Pick<GreyEntry, 'kind' | 'network' | 'sender' | 'recipient'>): string {
  return entry.kind === 'client' ? `client\n${entry.network}` : `triplet\n${entry.network}\n${entry.sender}\n${entry.recipient}`;
}

export class MemoryGreylistState implements GreylistState {
  private readonly maps: Record<GreyKind, Map<string, GreyEntry>> = { grey: new Map(), white: new Map(), client: new Map() };
  /** Where each triplet key lives now (grey or white). */
  private readonly tripletKind = new Map<string, 'grey' | 'white'>();

  /** Called for every put and delete, so a persistent engine can journal them. */
  constructor(private readonly onChange?: (entry: GreyEntry, deleted: boolean) => void) {}

  get(kind: 'triplet' | 'client', network: string, sender = '', recipient = ''): GreyEntry | undefined {
    if (kind === 'client') return this.maps.client.get(entryKey({ kind, network, sender, recipient }));
    const key = entryKey({ kind: 'grey', network, sender, recipient });
    const where = this.tripletKind.get(key);
    return where ? this.maps[where].get(key) : undefined;
  }

  put(entry: GreyEntry): void {
    const key = entryKey(entry);
    this.remove(key, entry.kind);
    this.maps[entry.kind].set(key, entry);
    if (entry.kind !== 'client') this.tripletKind.set(key, entry.kind);
    this.onChange?.(entry, false);
  }

  delete(entry: GreyEntry): void {
    if (this.remove(entryKey(entry), entry.kind)) this.onChange?.(entry, true);
  }

  count(kind: GreyKind): number {
    return this.maps[kind].size;
  }

  evictOldest(kind: GreyKind, n: number): number {
    let removed = 0;
    for (const entry of this.maps[kind].values()) {
      if (removed >= n) break;
      this.delete(entry);
      removed++;
    }
    return removed;
  }

  sweep(nowMs: number): number {
    let removed = 0;
    for (const map of Object.values(this.maps)) {
      for (const entry of map.values()) {
        if (entry.expiresAtMs > nowMs) continue;
        this.delete(entry);
        removed++;
      }
    }
    return removed;
  }

  recent(limit: number): GreyEntry[] {
    if (limit <= 0) return [];
    // Each map is in put order, so its youngest are its tail: no sort of the whole table.
    const tails = Object.values(this.maps).flatMap((map) => [...map.values()].slice(-limit));
    return tails.sort((a, b) => b.lastSeenMs - a.lastSeenMs).slice(0, limit);
  }

  /** Load an entry without reporting a change (an engine filling its copy at start). */
  restore(entry: GreyEntry): void {
    const key = entryKey(entry);
    this.maps[entry.kind].set(key, entry);
    if (entry.kind !== 'client') this.tripletKind.set(key, entry.kind);
  }

  flush(): void {}

  close(): void {}

  /** Remove `key` from whichever map holds it (a triplet may move between grey and white). */
  private remove(key: string, kind: GreyKind): boolean {
    if (kind === 'client') return this.maps.client.delete(key);
    const where = this.tripletKind.get(key);
    if (!where) return false;
    this.tripletKind.delete(key);
    return this.maps[where].delete(key);
  }
}
