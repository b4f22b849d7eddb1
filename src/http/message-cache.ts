/**
 * Serialised messages (message-json.ts) by id, least recently used dropped first beyond a byte
 * budget, with each one's current flags. A QA suite fetches the message it waited for, often
 * more than once (the code, then the link, then the HTML), and the web UI reopens what it lists;
 * a hit answers without a read of the store, a parse rebuild or a serialisation
 * (BENCHMARKS.md, issue 13 §4: ~190 → ~60 µs of CPU per request).
 *
 * Why it cannot serve stale data: what it holds never changes once a message is shown but its
 * flags, and deletion. Both are announced on the event bus synchronously after their commit and
 * before the writer's caller is answered (store.ts), so the IMAP client that saw its `STORE`
 * answered, or the HTTP client its `DELETE`, asks after this cache has taken the event in: a
 * flag change replaces the entry's flags, a deletion drops it (as does a `message.stored` of the
 * same id, should an id ever be reused). A fill races an event only across an `await` (the
 * handler marking the message seen); `generation`, taken before the read, moves on every such
 * event, and a fill whose generation moved is not kept.
 *
 * Tags are not held: they are looked up at each request (rules/marks.ts, a Map).
 */
import type { EventBus } from '../events/bus.js';
import type { Flag, MessageId } from '../store/types.js';
import type { MessageJsonParts } from './message-json.js';

/** What a handful of QA suites keep asking for, a few thousand messages of ~5 KB each. */
export const DEFAULT_MESSAGE_CACHE_BYTES = 16 * 1024 * 1024;

export interface CachedMessage extends MessageJsonParts {
  flags: Flag[];
  /** etag.ts `contentTag` of `json`. */
  contentTag: string;
}

export class MessageCache {
  private readonly entries = new Map<MessageId, CachedMessage>();
  private bytes = 0;
  private generation = 0;

  constructor(
    events: EventBus,
    private readonly maxBytes = DEFAULT_MESSAGE_CACHE_BYTES,
  ) {
    events.subscribe((event) => {
      if (event.type === 'message.stored' && !this.entries.has(event.id)) return;
      this.generation++;
      if (event.type === 'message.flags') {
        const entry = this.entries.get(event.id);
        if (entry) entry.flags = event.flags;
      } else {
        this.drop(event.id);
      }
    });
  }

  /** The entry of `id`, now the most recently used. */
  get(id: MessageId): CachedMessage | undefined {
    const entry = this.entries.get(id);
    if (entry) {
      this.entries.delete(id);
      this.entries.set(id, entry);
    }
    return entry;
  }

  /** Taken before reading a message from the store, handed back to `set`. */
  token(): number {
    return this.generation;
  }

  /** Keep `entry` unless a flag change or deletion was announced since `token` was taken. */
  set(id: MessageId, entry: CachedMessage, token: number): void {
    const size = entryBytes(entry);
    if (token !== this.generation || size > this.maxBytes) return;
    this.drop(id);
    this.entries.set(id, entry);
    this.bytes += size;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entryBytes(old);
    }
  }

  /** Bytes held (the serialised parts), for tests and diagnostics. */
  heldBytes(): number {
    return this.bytes;
  }

  private drop(id: MessageId): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.bytes -= entryBytes(entry);
  }
}

/** Approximate: the serialised bytes, and a little for the entry and its map slot. */
function entryBytes(entry: MessageJsonParts): number {
  return entry.json.length + 200;
}
