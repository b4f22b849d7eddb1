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
 *                     'outcomes'   of one commit, posted after its sync, with the watermark if it
 *                                  moved; then 'closed'
 *                     'visible'    after a commit of the indexer's parse results: messages up to
 *                                  an id may be shown
 *   writer → indexer  'committed'  after each commit: checkpoint, parse what was stored unparsed
 *                                  (a MessageChannel between the workers)
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
 * - The full MIME parse (body-index.ts) of a body up to 32 KiB is made by the writer as the append
 *   arrives, before its commit, which stores it parsed: ~75 µs of a 4 KiB message, where handing
 *   the parse to the indexer after the commit cost two more thread hand-offs and a second commit
 *   per batch, and halved ingest of small messages. Bigger bodies, the inline writer's and those of
 *   an older data dir are parsed by the indexer after their commit, from disk (a backlog costs
 *   disk, not memory), resting only in a sustained flood. The indexer also checkpoints 10 ms after
 *   commits, beside the writer, so the copy into the database file is not inside a commit someone
 *   waits on.
 *
 * The visibility gate (issue 13 §1, BENCHMARKS.md): an append is committed at once, as above, and
 * its 250 waits for nothing more; but the message is shown (listings, `listAfter`, `mailbox`,
 * `get`, `raw`, search, the `message.stored` event) only once its parse has committed, so it is
 * never seen without its final summary, and after that only its flags change. Messages are shown
 * in id order, never id N+1 before N (ids are IMAP UIDs and the wait/SSE cursor): the writer moves
 * a watermark, `visibleThrough` (visibility.ts), to the newest message all of whose predecessors are
 * parsed, every read here stops at it, and the store announces what it uncovered, oldest first. A
 * body parsed before its commit is shown by that commit; one the indexer parses, by the indexer's.
 * Reads never parse: `get` rebuilds the parse that was kept (kept-parse.ts).
 *
 * Events are published on the bus only after the commit they announce (an outcome from the
 * writer, the inline commit's return, the watermark's move), so a subscriber that reads on an
 * event finds it; deletions and flag changes only of messages already shown. The
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
import { restoreParse } from './kept-parse.js';
import { BodyCodec, type StoredRaw } from '../compact/body-codec.js';
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
import type { Committed, FromIndexer, FromWriter, IndexerInit, Removed, SeqOp, ToWriter, WriteOp, WriteResult, WriterInit, WriterOpening } from './protocol.js';
import { SUMMARY_COLUMNS, flagsToMask, maskToFlags, toSummary, type SummaryRow } from './rows.js';
import { InlineWriter } from './inline-writer.js';
import { LoneSenderRule } from './lone-sender.js';
import { READER_CACHE_KIB, configure } from './schema.js';
import { columnMatcher, queryWords, toFtsQuery } from './search.js';

export interface SqliteStoreOptions {
  /** Path of the database file. */
  path: string;
  retention: RetentionPolicy;
  events: EventBus;
  /** Called with errors the store cannot report through a rejected call (background parse). */
  onError?: (message: string) => void;
  /** Space kept for deletes on a full disk (store/ballast.ts). */
  ballast?: Ballast;
  /** Store new bodies compacted (--compact-bodies; default off, as the CLI's). */
  compactBodies?: boolean;
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

/**
 * Parses made on the spot of bodies stored before version 6 whose kept parse the indexer has not
 * made again yet (schema.ts): a message view fetches the same one repeatedly.
 */
const PARSE_CACHE_SIZE = 256;
/** Summaries read at a time when announcing what the watermark uncovered. */
const ANNOUNCE_PAGE = 500;

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
  /** Reads compacted bodies back (the reader connection's). */
  private readonly codec: BodyCodec;

  private constructor(
    private readonly options: SqliteStoreOptions,
    private readonly worker: Worker,
    private readonly indexer: Worker,
    private readonly db: Database.Database,
    private readonly inline: InlineWriter,
    private readonly validity: number,
    /** Messages with an id up to this one are shown (the head comment: the visibility gate). */
    private visibleThrough: number,
  ) {
    this.codec = new BodyCodec(db);
    worker.on('message', (message: FromWriter) => this.onWriterMessage(message));
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('store writer stopped')));
    indexer.on('message', (message: FromIndexer) => options.onError?.(message.error));
    indexer.on('error', (error) => options.onError?.(`indexer: ${error.message}`));
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    mkdirSync(dirname(options.path), { recursive: true });
    const channel = new MessageChannel();
    const compactBodies = options.compactBodies ?? false;
    const init: WriterInit = { path: options.path, retention: options.retention, compactBodies, indexerPort: channel.port1 };
    const worker = new Worker(new URL('./writer.js', import.meta.url), { workerData: init, transferList: [channel.port1], resourceLimits: WORKER_LIMITS });
    // The writer creates the schema; the reader may only open once it exists.
    const opened = await new Promise<Extract<WriterOpening, { type: 'opened' }>>((resolve, reject) => {
      worker.once('message', (message: WriterOpening) => {
        if (message.type === 'opened') resolve(message);
        else reject(new Error(`cannot open store at ${options.path}: ${message.error}`));
      });
      worker.once('error', reject);
    });
    const indexerInit: IndexerInit = { path: options.path, writerPort: channel.port2 };
    const indexer = new Worker(new URL('./indexer.js', import.meta.url), { workerData: indexerInit, transferList: [channel.port2], resourceLimits: WORKER_LIMITS });
    const db = new Database(options.path);
    configure(db, { synchronous: 'FULL', cacheKiB: READER_CACHE_KIB });
    const inline = new InlineWriter(options.path, options.retention.maxPerInbox, compactBodies);
    return new SqliteStore(options, worker, indexer, db, inline, opened.uidValidity, opened.visibleThrough);
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
        // After the callers' continuations (a rename's deletions are announced by its caller first).
        if (message.visibleThrough !== undefined) {
          const through = message.visibleThrough;
          setImmediate(() => this.announce(through));
        }
        return;
      case 'visible':
        this.announce(message.throughId);
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

  /**
   * Show the messages up to `throughId`: move the watermark first, so a subscriber that reads on
   * an event finds the message, then announce each one uncovered, oldest first, with its summary
   * as committed (final: its parse is in).
   */
  private announce(throughId: MessageId): void {
    if (this.closed || throughId <= this.visibleThrough) return;
    let from = this.visibleThrough;
    this.visibleThrough = throughId;
    for (;;) {
      const rows = this.q.uncovered.all(from, throughId, ANNOUNCE_PAGE);
      for (const row of rows) {
        const summary = toSummary(row);
        this.options.events.publish({ type: 'message.stored', id: summary.id, inbox: summary.inbox, summary });
      }
      if (rows.length < ANNOUNCE_PAGE) break;
      from = rows[rows.length - 1]!.id;
    }
    if (this.shownWaiters.length === 0) return;
    const waiting = this.shownWaiters;
    this.shownWaiters = [];
    for (const waiter of waiting) {
      if (waiter.id <= throughId) waiter.resolve();
      else this.shownWaiters.push(waiter);
    }
  }

  /** Copies waiting to be shown (copied()). */
  private shownWaiters: Array<{ id: MessageId; resolve: () => void }> = [];

  private shown(id: MessageId): boolean {
    return id <= this.visibleThrough;
  }

  /** Deletions are news only of messages shown: one never announced simply never appears. */
  private publishRemoved(removed: Removed[]): MessageId[] {
    for (const { id, inbox } of removed) {
      this.parseCache.delete(id);
      if (this.shown(id)) this.options.events.publish({ type: 'message.deleted', id, inbox });
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

  /** Committed (and synced) when it resolves; shown, and announced, once parsed (`announce`). */
  async append(message: NewMessage): Promise<MessageId[]> {
    const result = this.appendInline(message) ?? (await this.write({ kind: 'append', message }));
    if (result.kind !== 'append') throw new Error('store writer answered out of turn');
    this.publishRemoved(result.evicted);
    return result.ids;
  }

  private statements?: ReturnType<SqliteStore['prepare']>;

  private prepare() {
    const db = this.db;
    // Every read stops at the watermark (its last parameter): a message past it is not shown yet.
    return {
      page: db.prepare<[string, number, number, number], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.inbox = ? AND m.id <= ? ORDER BY m.id DESC LIMIT ? OFFSET ?`,
      ),
      count: db.prepare<[string], { count: number }>('SELECT count FROM inboxes WHERE name = ?'),
      notShown: db.prepare<[string, number], number>('SELECT count(*) FROM messages WHERE inbox = ? AND id > ?').pluck(),
      after: db.prepare<[string, number, number, number], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.inbox = ? AND m.id > ? AND m.id <= ? ORDER BY m.id LIMIT ?`,
      ),
      uncovered: db.prepare<[number, number, number], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.id > ? AND m.id <= ? ORDER BY m.id LIMIT ?`,
      ),
      mailbox: db.prepare<[string, number], { id: number; size: number; received_at: number; flags: number }>(
        'SELECT m.id AS id, b.size AS size, b.received_at AS received_at, m.flags AS flags FROM messages m JOIN bodies b ON b.id = m.body_id WHERE m.inbox = ? AND m.id <= ? ORDER BY m.id',
      ),
      one: db.prepare<[number, number], SummaryRow & StoredRaw & { kept: string | null; mail_from: string; rcpt_to: string; remote_address: string; helo: string; tls: number }>(
        `SELECT ${SUMMARY_COLUMNS}, r.raw AS raw, r.codec AS codec, p.kept AS kept, b.mail_from AS mail_from, b.rcpt_to AS rcpt_to, b.remote_address AS remote_address, b.helo AS helo, b.tls AS tls
         FROM messages m JOIN bodies b ON b.id = m.body_id JOIN raws r ON r.body_id = m.body_id LEFT JOIN parses p ON p.body_id = m.body_id WHERE m.id = ? AND m.id <= ?`,
      ),
      raw: db.prepare<[number, number], StoredRaw>('SELECT r.raw AS raw, r.codec AS codec FROM messages m JOIN raws r ON r.body_id = m.body_id WHERE m.id = ? AND m.id <= ?'),
      transcript: db.prepare<[number, number], string>('SELECT t.json FROM messages m JOIN transcripts t ON t.body_id = m.body_id WHERE m.id = ? AND m.id <= ?').pluck(),
      // A shown body is parsed, so it has its index row: the index alone answers.
      search: db.prepare<[string, string | null, string | null, number, number], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM bodies_fts f JOIN messages m ON m.body_id = f.rowid JOIN bodies b ON b.id = m.body_id
         WHERE bodies_fts MATCH ? AND (? IS NULL OR m.inbox = ?) AND m.id <= ? ORDER BY m.id DESC LIMIT ?`,
      ),
      lastShown: db.prepare<[string], number>('SELECT last_id FROM inboxes WHERE name = ?').pluck(),
      stats: db.prepare<[], StoreStats>('SELECT messages, bodies, bytes, stored AS storedBytes FROM totals WHERE id = 1'),
    };
  }

  private get q() {
    if (this.closed) throw new Error('store is closed');
    return (this.statements ??= this.prepare());
  }

  async list(inbox: string, options: ListOptions): Promise<MessagePage> {
    const q = this.q;
    const held = q.count.get(inbox)?.count ?? 0;
    // The few messages committed but not parsed yet are counted in `inboxes` already.
    const total = held === 0 ? 0 : held - q.notShown.get(inbox, this.visibleThrough)!;
    const messages = total === 0 ? [] : q.page.all(inbox, this.visibleThrough, options.limit, options.offset).map(toSummary);
    return { inbox, total, messages };
  }

  async listAfter(inbox: string, afterId: MessageId, limit: number): Promise<MessageSummary[]> {
    return this.q.after.all(inbox, afterId, this.visibleThrough, limit).map(toSummary);
  }

  async mailbox(inbox: string): Promise<MailboxEntry[]> {
    return this.q.mailbox.all(inbox, this.visibleThrough).map((row) => ({
      id: row.id,
      size: row.size,
      receivedAtMs: row.received_at,
      flags: maskToFlags(row.flags),
    }));
  }

  async get(id: MessageId): Promise<StoredMessage | null> {
    const row = this.q.one.get(id, this.visibleThrough);
    if (!row) return null;
    const summary = toSummary(row);
    row.raw = this.codec.bytesOf(row); // as received: the kept parse's offsets point into these bytes
    const parsed = row.kept !== null ? restoreParse(row.kept, row.raw, summary) : await this.parseOnTheSpot(id, row.raw, row.subject);
    const envelope: Envelope = {
      mailFrom: row.mail_from,
      rcptTo: JSON.parse(row.rcpt_to) as string[],
      remoteAddress: row.remote_address,
      helo: row.helo,
      tls: row.tls === 1,
    };
    return { ...summary, envelope, parsed };
  }

  /** A body stored before version 6 whose kept parse is still to be made again (schema.ts). */
  private async parseOnTheSpot(id: MessageId, raw: Buffer, subject: string): Promise<ParsedBody> {
    let parsed = this.parseCache.get(id);
    if (!parsed) {
      parsed = await parseBody(raw, subject);
      this.parseCache.set(id, parsed);
      if (this.parseCache.size > PARSE_CACHE_SIZE) this.parseCache.delete(this.parseCache.keys().next().value!);
    }
    return parsed;
  }

  async raw(id: MessageId): Promise<Buffer | null> {
    const row = this.q.raw.get(id, this.visibleThrough);
    return row ? this.codec.bytesOf(row) : null;
  }

  async transcript(id: MessageId): Promise<SmtpTranscript | null> {
    const json = this.q.transcript.get(id, this.visibleThrough);
    return json === undefined ? null : (JSON.parse(json) as SmtpTranscript);
  }

  async setFlags(ids: MessageId[], operation: FlagOperation, flags: Flag[]): Promise<Map<MessageId, Flag[]>> {
    const result = await this.write({ kind: 'setFlags', ids, operation, mask: flagsToMask(flags) });
    if (result.kind !== 'setFlags') throw new Error('store writer answered out of turn');
    const out = new Map<MessageId, Flag[]>();
    for (const change of result.changed) {
      const now = maskToFlags(change.mask);
      out.set(change.id, now);
      // Only real changes of shown messages are news: IMAP sessions and the live UI would otherwise redraw for nothing.
      if (change.changed && this.shown(change.id)) this.options.events.publish({ type: 'message.flags', id: change.id, inbox: change.inbox, flags: now });
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

  /**
   * A copy or rename committed: announce what it removed. The new messages are announced as
   * every message is, when the watermark passes them (the writer moves it in the same commit).
   */
  private async copied(op: Extract<WriteOp, { kind: 'copy' | 'renameInbox' }>): Promise<CopiedMessage[]> {
    const result = await this.write(op);
    if (result.kind !== 'copied') throw new Error('store writer answered out of turn');
    this.publishRemoved(result.removed);
    // Resolve once the copies are shown: an IMAP client reads them right after COPYUID.
    const newest = result.copied.reduce((max, { id }) => Math.max(max, id), 0);
    if (newest > this.visibleThrough) await new Promise<void>((resolve) => this.shownWaiters.push({ id: newest, resolve }));
    return result.copied.map(({ source, id }) => ({ source, id }));
  }

  async search(query: SearchQuery): Promise<MessageSummary[]> {
    const words = queryWords(query.text);
    if (!words) return [];
    const inbox = query.inbox ?? null;
    return this.q.search.all(toFtsQuery(words), inbox, inbox, this.visibleThrough, query.limit).map(toSummary);
  }

  async bodyMatches(id: MessageId, text: string): Promise<boolean> {
    const words = queryWords(text);
    if (!words) return false;
    const message = await this.get(id);
    return message !== null && columnMatcher(words)(searchableBody(message.parsed));
  }

  async nextId(inbox: string): Promise<MessageId> {
    return (this.q.lastShown.get(inbox) ?? 0) + 1;
  }

  async stats(): Promise<StoreStats> {
    const row = this.q.stats.get();
    return { messages: row?.messages ?? 0, bodies: row?.bodies ?? 0, bytes: row?.bytes ?? 0, storedBytes: row?.storedBytes ?? 0 };
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
    // Copies committed but not shown yet: they are, on the next open; nobody waits for that here.
    for (const waiter of this.shownWaiters.splice(0)) waiter.resolve();
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
