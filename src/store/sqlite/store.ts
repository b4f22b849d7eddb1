/**
 * The embedded store: SQLite in WAL mode under the data dir, over three threads and four
 * connections. The picture, and why it is so (figures from BENCHMARKS.md, a 2-core VM):
 *
 *   main thread: this file               writer worker: writer.ts        indexer worker: indexer.ts
 *   - reader connection: every read      - the writer connection:        - its own connection: reads
 *   - inline writer (inline-writer.ts):    every write but those on        unparsed bodies, runs the
 *     a lone sender's appends              the left, group-committed       WAL checkpoints
 *
 *   main → writer     'ops'        the writes of one event-loop turn, numbered; then 'close'
 *   writer → main     'opened'     once, when the schema is ready (or 'openFailed')
 *                     'outcomes'   of one commit, posted after its sync; then 'closed'
 *   writer → indexer  'committed'  after each commit (a MessageChannel between the workers)
 *   main → indexer    'committed'  after a turn in which the inline writer committed
 *   indexer → writer  'index'      parse results, stored in an unsynced commit of their own
 *   both → main       'backgroundError'  a failure no caller waits for (onError)
 *
 * - Writes leave the main thread because a synced commit (~250 µs, ~150 µs of it the fsync) would
 *   stall every session's event loop; in the writer one sync covers a batch (~10 messages at
 *   4 KiB × 20 sessions). Writes and outcomes travel one message per turn and per commit, not
 *   per write: ~6 % less CPU at the same rate.
 * - Reads stay here on their own connection: WAL lets them run while the writer commits, and a
 *   read needs no answer from another thread.
 * - A lone sender's append is committed here (inline-writer.ts): each hand-off to a sleeping
 *   thread costs 60–90 µs, two per message were a third of its end-of-DATA-to-250 time, and it
 *   has nothing to share a sync with; answered ~25 % sooner. With company the event loop would
 *   serialise one sync per message (4 KiB × 20: ~4,200 → ~1,700 msg/s), so the store tells the
 *   two apart from what it sees of its own appends (lone-sender.ts).
 * - The full MIME parse is off the ingest path, in the indexer, at nice 10, resting during floods
 *   (a tenth of a core: 4 KiB × 20 persistent ~9,300 → ~10,300 msg/s); it reads bodies from disk,
 *   so a backlog costs disk, not memory. It checkpoints 10 ms after commits, beside the writer,
 *   so the copy into the database file is not inside a commit someone waits on.
 *
 * Events are published on the bus only after the commit they announce (an outcome from the
 * writer, or the inline commit's return), so a subscriber that reads on an event finds it. The
 * counts of messages, bodies and bytes held (the total-size rule, `stats`) are a row that every
 * writing connection updates in the transaction it commits (schema.ts, message-rows.ts).
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { EventBus } from '../../events/bus.js';
import { searchableBody } from '../../mail/decode.js';
import { isDiskFull, type Ballast } from '../ballast.js';
import { parseBody } from '../../mail/parse.js';
import type {
  CopiedMessage,
  Envelope,
  Flag,
  FlagOperation,
  ListOptions,
  MailboxEntry,
  MessageId,
  MessagePage,
  MessageSummary,
  NewMessage,
  ParsedBody,
  RetentionPolicy,
  SearchQuery,
  SmtpTranscript,
  Store,
  StoreStats,
  StoredMessage,
} from '../types.js';
import { SUMMARY_LINKS } from '../types.js';
import type { Committed, FromIndexer, FromWriter, IndexerInit, Removed, SeqOp, ToWriter, WriteOp, WriteResult, WriterInit, WriterOpening } from './protocol.js';
import { SUMMARY_COLUMNS, flagsToMask, maskToFlags, toSummary, type SummaryRow } from './rows.js';
import { InlineWriter } from './inline-writer.js';
import { LoneSenderRule } from './lone-sender.js';
import { READER_CACHE_KIB, configure } from './schema.js';
import { columnMatcher, queryWords, searchableAddresses, toFtsQuery, unindexedMatcher } from './search.js';

export interface SqliteStoreOptions {
  /** Path of the database file. */
  path: string;
  retention: RetentionPolicy;
  events: EventBus;
  /** Called with errors the store cannot report through a rejected call (background parse). */
  onError?: (message: string) => void;
  /** Space kept for deletes on a full disk (store/ballast.ts). */
  ballast?: Ballast;
}

type Pending = { resolve: (result: WriteResult) => void; reject: (error: Error) => void; append: boolean };

/** How a store's appends were committed so far. */
export interface AppendCommits {
  /** By the inline writer, on the main thread. */
  inline: number;
  /** By the writer worker's group commit. */
  byWriter: number;
  /** Inline commits that failed and were rolled back whole (their appends rejected). */
  inlineRolledBack: number;
}

/**
 * The workers churn through short-lived buffers (every message passes through both); a small
 * young generation collects them sooner, which keeps the process's peak RSS down under ingest.
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8 };

/** Parsed bodies of recently opened messages: a message view fetches the same one repeatedly. */
const PARSE_CACHE_SIZE = 256;

export class SqliteStore implements Store {
  private readonly pending = new Map<number, Pending>();
  private nextSeq = 1;
  /** Writes made during this turn of the event loop, posted together at its end. */
  private outbox: SeqOp[] = [];
  private closed = false;
  private closedSignal: (() => void) | null = null;
  private readonly parseCache = new Map<number, ParsedBody>();
  private readonly loneSender = new LoneSenderRule();
  /** Appends handed to the writer (queued in the outbox or posted) and not answered yet. */
  private appendsInWriter = 0;
  private endOfTurnScheduled = false;
  /** The inline writer committed during this turn: the indexer is told once the turn is over. */
  private inlineCommitsThisTurn = false;
  private readonly commits: AppendCommits = { inline: 0, byWriter: 0, inlineRolledBack: 0 };

  private constructor(
    private readonly options: SqliteStoreOptions,
    private readonly worker: Worker,
    private readonly indexer: Worker,
    private readonly db: Database.Database,
    private readonly inline: InlineWriter,
    private readonly validity: number,
  ) {
    worker.on('message', (message: FromWriter) => this.onWriterMessage(message));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('store writer stopped')));
    indexer.on('message', (message: FromIndexer) => options.onError?.(message.error));
    indexer.on('error', (error) => options.onError?.(`indexer: ${error.message}`));
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    mkdirSync(dirname(options.path), { recursive: true });
    const channel = new MessageChannel();
    const init: WriterInit = { path: options.path, retention: options.retention, indexerPort: channel.port1 };
    const worker = new Worker(new URL('./writer.js', import.meta.url), { workerData: init, transferList: [channel.port1], resourceLimits: WORKER_LIMITS });
    // The writer creates the schema; the reader may only open once it exists.
    const uidValidity = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: WriterOpening) => {
        if (message.type === 'opened') resolve(message.uidValidity);
        else reject(new Error(`cannot open store at ${options.path}: ${message.error}`));
      });
      worker.once('error', reject);
    });
    const indexerInit: IndexerInit = { path: options.path, writerPort: channel.port2 };
    const indexer = new Worker(new URL('./indexer.js', import.meta.url), { workerData: indexerInit, transferList: [channel.port2], resourceLimits: WORKER_LIMITS });
    const db = new Database(options.path);
    configure(db, { synchronous: 'FULL', cacheKiB: READER_CACHE_KIB });
    const inline = new InlineWriter(options.path, options.retention.maxPerInbox);
    return new SqliteStore(options, worker, indexer, db, inline, uidValidity);
  }

  private onWriterMessage(message: FromWriter): void {
    switch (message.type) {
      case 'outcomes':
        for (const outcome of message.outcomes) {
          const pending = this.pending.get(outcome.seq);
          if (!pending) continue;
          this.pending.delete(outcome.seq);
          if (pending.append) {
            this.appendsInWriter--;
            if (outcome.ok) this.commits.byWriter++;
          }
          if (outcome.ok) pending.resolve(outcome.result);
          else pending.reject(new Error(outcome.error));
        }
        return;
      case 'backgroundError':
        this.options.onError?.(message.error);
        return;
      case 'closed':
        this.closedSignal?.();
        return;
    }
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.appendsInWriter = 0;
    this.closedSignal?.();
  }

  private write(op: WriteOp): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const seq = this.nextSeq++;
    const append = op.kind === 'append';
    if (append) this.appendsInWriter++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject, append });
      this.outbox.push({ seq, op });
      this.scheduleEndOfTurn();
    });
  }

  private scheduleEndOfTurn(): void {
    if (this.endOfTurnScheduled) return;
    this.endOfTurnScheduled = true;
    setImmediate(() => this.endTurn());
  }

  /**
   * Once per turn with writes, after its callbacks: post the turn's writes to the writer, and tell
   * the indexer of the inline writer's commits, both after the 250s of this turn are written.
   */
  private endTurn(): void {
    this.endOfTurnScheduled = false;
    this.loneSender.endTurn();
    this.postOutbox();
    if (this.inlineCommitsThisTurn && !this.closed) this.indexer.postMessage({ type: 'committed', appended: true } satisfies Committed);
    this.inlineCommitsThisTurn = false;
  }

  private postOutbox(): void {
    if (this.outbox.length === 0) return;
    this.worker.postMessage({ type: 'ops', ops: this.outbox } satisfies ToWriter);
    this.outbox = [];
  }

  private publishRemoved(removed: Removed[]): MessageId[] {
    for (const { id, inbox } of removed) {
      this.parseCache.delete(id);
      this.options.events.publish({ type: 'message.deleted', id, inbox });
    }
    return removed.map((r) => r.id);
  }

  /**
   * A lone sender's append, committed on this thread (inline-writer.ts); null if it goes to the
   * writer: when the rule sees company (lone-sender.ts), behind other writes still in the
   * writer's hands (it would commit out of turn), and while the writer holds the lock (it would
   * have to wait). A failed inline commit was rolled back: the append rejects, nothing stored.
   */
  private appendInline(message: NewMessage): WriteResult | null {
    if (this.closed) return null;
    const route = this.loneSender.route(this.appendsInWriter);
    this.scheduleEndOfTurn();
    if (route !== 'inline' || this.pending.size > 0) return null;
    let appended;
    try {
      appended = this.inline.tryAppend(message);
    } catch (error) {
      this.commits.inlineRolledBack++;
      throw error;
    }
    if (!appended) return null;
    this.commits.inline++;
    this.inlineCommitsThisTurn = true;
    return { kind: 'append', ...appended };
  }

  /** How this store's appends have been committed so far (for tests and diagnostics). */
  appendCommits(): AppendCommits {
    return { ...this.commits };
  }

  async append(message: NewMessage): Promise<MessageId[]> {
    const result = this.appendInline(message) ?? (await this.write({ kind: 'append', message }));
    if (result.kind !== 'append') throw new Error('store writer answered out of turn');
    this.publishRemoved(result.evicted);
    result.ids.forEach((id, i) => {
      const inbox = message.inboxes[i]!;
      const summary: MessageSummary = {
        id,
        inbox,
        from: message.from,
        to: message.to,
        subject: message.subject,
        dateMs: message.dateMs,
        receivedAtMs: message.receivedAtMs,
        size: message.raw.length,
        preview: '',
        attachments: 0,
        codes: [],
        links: [],
        flags: [],
      };
      this.options.events.publish({ type: 'message.stored', id, inbox, summary });
    });
    return result.ids;
  }

  private statements?: ReturnType<SqliteStore['prepare']>;

  private prepare() {
    const db = this.db;
    const statements = {
      page: db.prepare<[string, number, number], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.inbox = ? ORDER BY m.id DESC LIMIT ? OFFSET ?`,
      ),
      count: db.prepare<[string], { count: number }>('SELECT count FROM inboxes WHERE name = ?'),
      after: db.prepare<[string, number, number], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.inbox = ? AND m.id > ? ORDER BY m.id LIMIT ?`,
      ),
      mailbox: db.prepare<[string], { id: number; size: number; received_at: number; flags: number }>(
        'SELECT m.id AS id, b.size AS size, b.received_at AS received_at, m.flags AS flags FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.inbox = ? ORDER BY m.id',
      ),
      one: db.prepare<[number], SummaryRow & { raw: Buffer; mail_from: string; rcpt_to: string; remote_address: string; helo: string; tls: number }>(
        `SELECT ${SUMMARY_COLUMNS}, r.raw AS raw, b.mail_from AS mail_from, b.rcpt_to AS rcpt_to, b.remote_address AS remote_address, b.helo AS helo, b.tls AS tls
         FROM messages m JOIN bodies b ON b.id = m.body_id JOIN raws r ON r.body_id = m.body_id WHERE m.id = ?`,
      ),
      raw: db.prepare<[number], { raw: Buffer }>('SELECT r.raw AS raw FROM messages m JOIN raws r ON r.body_id = m.body_id WHERE m.id = ?'),
      transcript: db.prepare<[number], string>('SELECT t.json FROM messages m JOIN transcripts t ON t.body_id = m.body_id WHERE m.id = ?').pluck(),
      search: db.prepare<[string, string | null, string | null, number], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM bodies_fts f JOIN messages m ON m.body_id = f.rowid JOIN bodies b ON b.id = m.body_id
         WHERE bodies_fts MATCH ? AND (? IS NULL OR m.inbox = ?) ORDER BY m.id DESC LIMIT ?`,
      ),

      unindexed: db.prepare<[string | null, string | null], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM bodies b JOIN messages m ON m.body_id = b.id
         WHERE b.parsed = 0 AND (? IS NULL OR m.inbox = ?) ORDER BY m.id DESC`,
      ),
      stats: db.prepare<[], StoreStats>('SELECT messages, bodies, bytes FROM totals WHERE id = 1'),
    };
    // Search reads the index and the unparsed bodies in one snapshot, so a body parsed in
    // between is found exactly once.
    const searchBoth = db.transaction((match: string, inbox: string | null, limit: number): [SummaryRow[], SummaryRow[]] => [
      statements.search.all(match, inbox, inbox, limit),
      statements.unindexed.all(inbox, inbox),
    ]);
    return { ...statements, searchBoth };
  }

  private get q() {
    if (this.closed) throw new Error('store is closed');
    return (this.statements ??= this.prepare());
  }

  async list(inbox: string, options: ListOptions): Promise<MessagePage> {
    const q = this.q;
    const total = q.count.get(inbox)?.count ?? 0;
    const messages = total === 0 ? [] : q.page.all(inbox, options.limit, options.offset).map(toSummary);
    return { inbox, total, messages };
  }

  async listAfter(inbox: string, afterId: MessageId, limit: number): Promise<MessageSummary[]> {
    return this.q.after.all(inbox, afterId, limit).map(toSummary);
  }

  async mailbox(inbox: string): Promise<MailboxEntry[]> {
    return this.q.mailbox.all(inbox).map((row) => ({
      id: row.id,
      size: row.size,
      receivedAtMs: row.received_at,
      flags: maskToFlags(row.flags),
    }));
  }

  async get(id: MessageId): Promise<StoredMessage | null> {
    const row = this.q.one.get(id);
    if (!row) return null;
    let parsed = this.parseCache.get(id);
    if (!parsed) {
      parsed = await parseBody(row.raw, row.subject);
      this.parseCache.set(id, parsed);
      if (this.parseCache.size > PARSE_CACHE_SIZE) this.parseCache.delete(this.parseCache.keys().next().value!);
    }
    const envelope: Envelope = {
      mailFrom: row.mail_from,
      rcptTo: JSON.parse(row.rcpt_to) as string[],
      remoteAddress: row.remote_address,
      helo: row.helo,
      tls: row.tls === 1,
    };
    const summary = toSummary(row);
    // The background indexer may not have reached this body yet; the parse we just did is as good.
    return {
      ...summary,
      preview: parsed.preview,
      attachments: parsed.attachments.length,
      codes: parsed.codes,
      links: parsed.links.slice(0, SUMMARY_LINKS),
      envelope,
      parsed,
    };
  }

  async raw(id: MessageId): Promise<Buffer | null> {
    return this.q.raw.get(id)?.raw ?? null;
  }

  async transcript(id: MessageId): Promise<SmtpTranscript | null> {
    const json = this.q.transcript.get(id);
    return json === undefined ? null : (JSON.parse(json) as SmtpTranscript);
  }

  async setFlags(ids: MessageId[], operation: FlagOperation, flags: Flag[]): Promise<Map<MessageId, Flag[]>> {
    const result = await this.write({ kind: 'setFlags', ids, operation, mask: flagsToMask(flags) });
    if (result.kind !== 'setFlags') throw new Error('store writer answered out of turn');
    const out = new Map<MessageId, Flag[]>();
    for (const change of result.changed) {
      const now = maskToFlags(change.mask);
      out.set(change.id, now);
      // Only real changes are news: IMAP sessions and the live UI would otherwise redraw for nothing.
      if (change.changed) this.options.events.publish({ type: 'message.flags', id: change.id, inbox: change.inbox, flags: now });
    }
    return out;
  }

  private async remove(op: WriteOp): Promise<MessageId[]> {
    let result;
    try {
      result = await this.write(op);
    } catch (error) {
      // A delete on a disk with no byte free: give back the ballast and try once more.
      if (!isDiskFull(error) || !this.options.ballast?.release()) throw error;
      result = await this.write(op);
    }
    if (result.kind !== 'removed') throw new Error('store writer answered out of turn');
    return this.publishRemoved(result.removed);
  }

  delete(ids: MessageId[]): Promise<MessageId[]> {
    return this.remove({ kind: 'delete', ids });
  }

  deleteInbox(inbox: string): Promise<MessageId[]> {
    return this.remove({ kind: 'deleteInbox', inbox });
  }

  expire(nowMs: number): Promise<MessageId[]> {
    return this.remove({ kind: 'expire', nowMs });
  }

  evictOldest(count: number): Promise<MessageId[]> {
    return this.remove({ kind: 'evict', count });
  }

  copy(ids: MessageId[], mailbox: string): Promise<CopiedMessage[]> {
    return this.copied({ kind: 'copy', ids, mailbox });
  }

  renameInbox(from: string, to: string): Promise<CopiedMessage[]> {
    return this.copied({ kind: 'renameInbox', from, to });
  }

  /** A copy or rename committed: announce what it removed, then each new message with its summary as committed. */
  private async copied(op: Extract<WriteOp, { kind: 'copy' | 'renameInbox' }>): Promise<CopiedMessage[]> {
    const result = await this.write(op);
    if (result.kind !== 'copied') throw new Error('store writer answered out of turn');
    this.publishRemoved(result.removed);
    this.copySummary ??= this.db.prepare<[number], SummaryRow>(`SELECT ${SUMMARY_COLUMNS} FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.id = ?`);
    for (const { id } of result.copied) {
      // Absent if the cap removed it again at once (announced above).
      const row = this.copySummary.get(id);
      if (row) this.options.events.publish({ type: 'message.stored', id, inbox: row.inbox, summary: toSummary(row) });
    }
    return result.copied.map(({ source, id }) => ({ source, id }));
  }

  private copySummary?: Database.Statement<[number], SummaryRow>;

  async search(query: SearchQuery): Promise<MessageSummary[]> {
    const words = queryWords(query.text);
    if (!words) return [];
    const inbox = query.inbox ?? null;
    const [indexedRows, unindexedRows] = this.q.searchBoth(toFtsQuery(words), inbox, query.limit);
    const indexed = indexedRows.map(toSummary);
    // Bodies not parsed yet have no index row: match their subject and addresses here.
    const matches = unindexedMatcher(words);
    const fresh = unindexedRows.map(toSummary).filter((m) => matches(m.subject, searchableAddresses(m.from, m.to)));
    if (fresh.length === 0) return indexed;
    return [...fresh, ...indexed].sort((a, b) => b.id - a.id).slice(0, query.limit);
  }

  async bodyMatches(id: MessageId, text: string): Promise<boolean> {
    const words = queryWords(text);
    if (!words) return false;
    // `get` parses a body the indexer has not reached yet, and keeps the parse for the reply that follows.
    const message = await this.get(id);
    return message !== null && columnMatcher(words)(searchableBody(message.parsed));
  }

  async stats(): Promise<StoreStats> {
    const row = this.q.stats.get();
    return { messages: row?.messages ?? 0, bodies: row?.bodies ?? 0, bytes: row?.bytes ?? 0 };
  }

  async reusableBytes(): Promise<number> {
    // Pages freed by deletes stay in the file (no VACUUM) and new mail reuses them first.
    return Number(this.db.pragma('freelist_count', { simple: true })) * Number(this.db.pragma('page_size', { simple: true }));
  }

  uidValidity(): number {
    return this.validity;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.inline.close();
    this.postOutbox();
    // The indexer first: what it has not handed over yet is simply parsed again next time.
    await this.indexer.terminate();
    const done = new Promise<void>((resolve) => (this.closedSignal = resolve));
    this.worker.postMessage({ type: 'close' } satisfies ToWriter);
    await done;
    await this.worker.terminate();
    this.db.close();
  }
}
