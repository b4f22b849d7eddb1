/**
 * Raw bytes and MIME structure of messages, for FETCH and SEARCH. Clients fetch BODYSTRUCTURE,
 * then sections, then the same message again: the parsed structure of recently used messages is
 * kept in a bounded LRU, shared by every IMAP session (ids are never reused, so an entry can
 * never go stale; a deleted message simply ages out). The raw bytes are read from the store each
 * time, which keeps the cache small and the bytes exactly the store's.
 */
import { parseMimeTree, type MimePart } from '../mail/mime-tree.js';
import type { MessageId, Store } from '../store/types.js';

export interface LoadedMessage {
  raw: Buffer;
  tree: MimePart;
}

export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
}

export class MessageCache {
  private readonly trees: LruCache<MessageId, MimePart>;

  constructor(
    private readonly store: Pick<Store, 'raw'>,
    capacity = 512,
  ) {
    this.trees = new LruCache(capacity);
  }

  /** Raw bytes and structure, or null if the message is gone. */
  async load(id: MessageId): Promise<LoadedMessage | null> {
    const raw = await this.store.raw(id);
    if (!raw) return null;
    let tree = this.trees.get(id);
    if (!tree) {
      tree = parseMimeTree(raw);
      this.trees.set(id, tree);
    }
    return { raw, tree };
  }
}
