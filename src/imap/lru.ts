/**
 * A least-recently-used map bounded by weight: each entry weighs what its caller says (bytes,
 * roughly), and the oldest entries go once the total passes the budget. With weight 1 per entry
 * it is a plain count-bounded LRU. Map iteration order is insertion order, so "oldest" is the
 * first key, and a hit re-inserts the entry at the end.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(private readonly budget: number) {}

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, entry);
    return entry.value;
  }

  /** The value without marking it used: a scan over many entries (SEARCH) neither reorders the map nor evicts by it. */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V, weight = 1): void {
    const old = this.map.get(key);
    if (old) {
      this.total -= old.weight;
      this.map.delete(key);
    }
    this.map.set(key, { value, weight });
    this.total += weight;
    for (const [oldest, entry] of this.map) {
      if (this.total <= this.budget || this.map.size === 1) break;
      this.map.delete(oldest);
      this.total -= entry.weight;
    }
  }
}
