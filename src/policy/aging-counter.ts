/**
 * Counters that forget, as Mailinator's AgingHashmap did: a count per key in a fixed window
 * (the window starts at the key's first event and, once it has passed, the next event starts a
 * new one), and keys untouched for a window age out. Bounded: past `maxKeys` the least recently
 * touched key is dropped, so a flood from a million addresses costs at most `maxKeys` entries.
 * A dropped key only forgets its count: it can never cause a refusal.
 */

interface Entry {
  count: number;
  windowStartMs: number;
}

export class AgingCounter {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly windowMs: number,
    private readonly maxKeys: number,
  ) {}

  /** Count one event for `key` at `nowMs`; returns the count in its window, this one included. */
  hit(key: string, nowMs: number): number {
    const entry = this.current(key, nowMs) ?? { count: 0, windowStartMs: nowMs };
    entry.count++;
    this.entries.delete(key); // re-inserted last: Map order is least recently touched first
    this.entries.set(key, entry);
    if (this.entries.size > this.maxKeys) this.entries.delete(this.entries.keys().next().value as string);
    return entry.count;
  }

  /** The count in `key`'s current window (0 when there is none). */
  count(key: string, nowMs: number): number {
    return this.current(key, nowMs)?.count ?? 0;
  }

  /** When `key`'s window ends (when its count starts over). */
  resetAtMs(key: string, nowMs: number): number {
    const entry = this.current(key, nowMs);
    return entry ? entry.windowStartMs + this.windowMs : nowMs;
  }

  private current(key: string, nowMs: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && nowMs - entry.windowStartMs >= this.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The highest counts in their windows now, for the policy page. */
  hottest(limit: number, nowMs: number): Array<{ key: string; count: number; resetAtMs: number }> {
    const live: Array<{ key: string; count: number; resetAtMs: number }> = [];
    for (const [key, entry] of this.entries) {
      if (nowMs - entry.windowStartMs < this.windowMs) live.push({ key, count: entry.count, resetAtMs: entry.windowStartMs + this.windowMs });
    }
    return live.sort((a, b) => b.count - a.count).slice(0, limit);
  }
}
