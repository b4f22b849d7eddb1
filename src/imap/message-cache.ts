/**
 * What FETCH and SEARCH read of messages, shared by every IMAP session (ids are never reused, so
 * an entry can never go stale; a deleted message simply ages out):
 *
 * - The top-level header fields of each message, with what is derived from them on first use
 *   (the ENVELOPE response, the decoded values SEARCH matches against), in an LRU bounded by
 *   header bytes. This is the hot path under many clients: `FETCH n (FLAGS ENVELOPE)` and
 *   `SEARCH SUBJECT …` over a whole mailbox are answered from it without touching the store
 *   or parsing MIME, and so without holding the event loop for long (a SEARCH over 1,000
 *   messages is 1,000 lookups, not 1,000 reads and parses).
 * - The parsed MIME structure of recently used messages (BODYSTRUCTURE, sections), in an LRU
 *   bounded by count, parsed only when a command needs it: `BODY[]` is the raw bytes as stored.
 *
 * The raw bytes are read from the store each time, which keeps the cache small and the bytes
 * exactly the store's.
 */
import { decodeHeaderValue } from '../mail/decode.js';
import { bodyStartOf, unfoldHeaders, type HeaderFields } from '../mail/header-block.js';
import { parseAddressList } from '../mail/headers.js';
import { parseMimeTree, type MimePart } from '../mail/mime-tree.js';
import type { MessageId, Store } from '../store/types.js';
import type { Chunk } from './format.js';
import { LruCache } from './lru.js';
import { envelopeFromHeaders } from './structure.js';

export interface LoadedMessage {
  raw: Buffer;
  /** The MIME structure, parsed (or taken from the cache) on first use. */
  readonly tree: MimePart;
}

const ADDRESS_FIELDS: ReadonlySet<string> = new Set(['from', 'sender', 'reply-to', 'to', 'cc', 'bcc']);

function searchableValue(name: string, value: string): string {
  const decoded = decodeHeaderValue(value);
  if (!ADDRESS_FIELDS.has(name)) return decoded;
  const parsed = parseAddressList(value).map((a) => (a.name ? `${a.name} <${a.address}>` : `<${a.address}>`));
  return `${decoded}\n${parsed.join(', ')}`;
}

/** One message's top-level header, and what FETCH and SEARCH derive from it, computed once. */
export class MessageHeaders {
  private envelopeChunks: Chunk[] | null = null;
  private decodedFields: HeaderFields | null = null;
  private headerText: string | null = null;
  private byName: Map<string, string> | null = null;

  constructor(readonly fields: HeaderFields) {}

  /** The ENVELOPE structure (RFC 3501 §7.4.2). */
  envelope(): Chunk[] {
    return (this.envelopeChunks ??= envelopeFromHeaders(this.fields));
  }

  /**
   * Each field as SEARCH matches it, lower-cased for §6.4.4's case-insensitive match: the value
   * decoded (8-bit UTF-8, RFC 2047 words); for an address field, followed by its addresses as
   * the RFC 5322 parser reads them ("name <local@domain>"), so `FROM user@host` finds
   * `<user (comment)@ host>` too.
   */
  decoded(): HeaderFields {
    return (this.decodedFields ??= this.fields.map(([name, value]) => [name, searchableValue(name, value).toLowerCase()]));
  }

  /** All values of one field as `decoded()` gives them, joined by newlines; null if the field is absent. */
  field(name: string): string | null {
    if (!this.byName) {
      this.byName = new Map();
      for (const [n, value] of this.decoded()) {
        const before = this.byName.get(n);
        this.byName.set(n, before === undefined ? value : `${before}\n${value}`);
      }
    }
    return this.byName.get(name) ?? null;
  }

  /** The whole header as SEARCH TEXT reads it (§6.4.4 "header or body": field names included), lower-cased. */
  text(): string {
    return (this.headerText ??= this.decoded().map(([name, value]) => `${name}: ${value}`).join('\n'));
  }
}

/** Header bytes kept in total (about what a 100,000-message mailbox's headers need at 1 KiB each, a tenth of that here). */
const HEADER_BUDGET_BYTES = 16 * 1024 * 1024;
/** Per-entry overhead counted on top of the header bytes: the arrays, and derived values once built. */
const ENTRY_OVERHEAD_BYTES = 512;
const TREE_CAPACITY = 512;

export class MessageCache {
  private readonly trees: LruCache<MessageId, MimePart>;
  private readonly headerCache: LruCache<MessageId, MessageHeaders>;

  constructor(
    private readonly store: Pick<Store, 'raw'>,
    treeCapacity = TREE_CAPACITY,
    headerBudgetBytes = HEADER_BUDGET_BYTES,
  ) {
    this.trees = new LruCache(treeCapacity);
    this.headerCache = new LruCache(headerBudgetBytes);
  }

  /** Raw bytes, with the structure parsed on demand; null if the message is gone. */
  async load(id: MessageId): Promise<LoadedMessage | null> {
    const raw = await this.store.raw(id);
    if (!raw) return null;
    const trees = this.trees;
    let tree: MimePart | undefined;
    return {
      raw,
      get tree(): MimePart {
        if (tree) return tree;
        tree = trees.get(id);
        if (!tree) {
          tree = parseMimeTree(raw);
          trees.set(id, tree);
        }
        return tree;
      },
    };
  }

  /**
   * The cached header of a message, if it is cached, for a loop over a whole mailbox: no promise
   * per message, and no reordering of the LRU (a scan would otherwise cost two map writes a message).
   */
  cachedHeaders(id: MessageId): MessageHeaders | undefined {
    return this.headerCache.peek(id);
  }

  /** The top-level header of a message, read once and kept; null if the message is gone. */
  async headers(id: MessageId): Promise<MessageHeaders | null> {
    const cached = this.headerCache.get(id);
    if (cached) return cached;
    const raw = await this.store.raw(id);
    if (!raw) return null;
    const end = bodyStartOf(raw);
    const headers = new MessageHeaders(unfoldHeaders(raw, 0, end));
    // Values are held once raw and once decoded; both are about the header block's size.
    this.headerCache.set(id, headers, 2 * end + ENTRY_OVERHEAD_BYTES);
    return headers;
  }
}
