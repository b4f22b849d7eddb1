/**
 * The embedded store: SQLite in WAL mode under the data dir.
 *
 * Writes go to one writer worker (writer.ts) that group-commits; reads run here, on a
 * connection of their own, which WAL lets proceed while the writer commits. Events are
 * published on the bus only after the writer reports the commit.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { EventBus } from '../../events/bus.js';
import { parseBody } from '../../mail/parse.js';
import type {
  AppendOptions,
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
  Store,
  StoreStats,
  StoredMessage,
} from '../types.js';
import type { FromWriter, IndexerInit, Removed, SeqOp, ToWriter, WriteOp, WriteResult, WriterInit } from './protocol.js';
import { SUMMARY_COLUMNS, flagsToMask, maskToFlags, toSummary, type SummaryRow } from './rows.js';
import { InlineWriter } from './inline-writer.js';
import { READER_CACHE_KIB, configure } from './schema.js';
import { queryWords, searchableAddresses, toFtsQuery, unindexedMatcher } from './search.js';

export interface SqliteStoreOptions {
  /** Path of the database file. */
  path: string;
  retention: RetentionPolicy;
  events: EventBus;
  /** Called with errors the store cannot report through a rejected call (background parse). */
  onError?: (message: string) => void;
}

type Pending = { resolve: (result: WriteResult) => void; reject: (error: Error) => void };

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
  /** Raw bytes appended inline and not yet reported to the writer; null when none are. */
  private unreportedBytes: number | null = null;

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
    indexer.on('message', (message: FromWriter) => this.onWriterMessage(message));
    indexer.on('error', (error) => options.onError?.(`indexer: ${error.message}`));
  }

  static async open(options: SqliteStoreOptions): Promise<SqliteStore> {
    mkdirSync(dirname(options.path), { recursive: true });
    const channel = new MessageChannel();
    const init: WriterInit = { path: options.path, retention: options.retention, indexerPort: channel.port1 };
    const worker = new Worker(new URL('./writer.js', import.meta.url), { workerData: init, transferList: [channel.port1], resourceLimits: WORKER_LIMITS });
    // The writer creates the schema; the reader may only open once it exists.
    const uidValidity = await new Promise<number>((resolve, reject) => {
      const onMessage = (message: FromWriter): void => {
        if (message.type === 'ready') resolve(message.uidValidity);
        else if (message.type === 'fatal') reject(new Error(`cannot open store at ${options.path}: ${message.error}`));
        else return;
        worker.off('message', onMessage);
      };
      worker.on('message', onMessage);
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
          if (outcome.ok) pending.resolve(outcome.result);
          else pending.reject(new Error(outcome.error));
        }
        return;
      case 'fatal':
        this.options.onError?.(message.error);
        return;
      case 'closed':
        this.closedSignal?.();
        return;
      case 'ready':
        return;
    }
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.closedSignal?.();
  }

  private write(op: WriteOp): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const seq = this.nextSeq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      if (this.outbox.length === 0) setImmediate(() => this.postOutbox());
      this.outbox.push({ seq, op });
    });
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
   * A lone sender's append, committed on this thread (inline-writer.ts); null if it must go to the
   * writer: behind writes still in the writer's hands it would commit out of turn, and while the
   * writer holds the lock it would have to wait.
   */
  private appendInline(message: NewMessage): WriteResult | null {
    if (this.closed || this.pending.size > 0) return null;
    const appended = this.inline.tryAppend(message);
    if (!appended) return null;
    this.reportInlineBytes(appended.bytesDelta);
    return { kind: 'append', ids: appended.ids, evicted: appended.evicted };
  }

  /**
   * The writer keeps the count of raw bytes held (for the total-size rule) and tells the indexer
   * what to parse: report inline appends to it once this turn is over, after the 250 is written.
   */
  private reportInlineBytes(bytesDelta: number): void {
    if (this.unreportedBytes === null) {
      setImmediate(() => {
        this.worker.postMessage({ type: 'appended', bytesDelta: this.unreportedBytes ?? 0 } satisfies ToWriter);
        this.unreportedBytes = null;
      });
    }
    this.unreportedBytes = (this.unreportedBytes ?? 0) + bytesDelta;
  }

  async append(message: NewMessage, options: AppendOptions = {}): Promise<MessageId[]> {
    const result = (options.alone ? this.appendInline(message) : null) ?? (await this.write({ kind: 'append', message }));
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
      search: db.prepare<[string, string | null, string | null, number], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM bodies_fts f JOIN messages m ON m.body_id = f.rowid JOIN bodies b ON b.id = m.body_id
         WHERE bodies_fts MATCH ? AND (? IS NULL OR m.inbox = ?) ORDER BY m.id DESC LIMIT ?`,
      ),

      unindexed: db.prepare<[string | null, string | null], SummaryRow>(
        `SELECT ${SUMMARY_COLUMNS} FROM bodies b JOIN messages m ON m.body_id = b.id
         WHERE b.parsed = 0 AND (? IS NULL OR m.inbox = ?) ORDER BY m.id DESC`,
      ),
      stats: db.prepare<[], { messages: number; bodies: number; bytes: number }>(
        'SELECT (SELECT count(*) FROM messages) AS messages, count(*) AS bodies, coalesce(sum(size), 0) AS bytes FROM bodies',
      ),
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
    return { ...summary, preview: parsed.preview, attachments: parsed.attachments.length, envelope, parsed };
  }

  async raw(id: MessageId): Promise<Buffer | null> {
    return this.q.raw.get(id)?.raw ?? null;
  }

  async setFlags(ids: MessageId[], operation: FlagOperation, flags: Flag[]): Promise<Map<MessageId, Flag[]>> {
    const result = await this.write({ kind: 'setFlags', ids, operation, mask: flagsToMask(flags) });
    if (result.kind !== 'setFlags') throw new Error('store writer answered out of turn');
    const out = new Map<MessageId, Flag[]>();
    for (const change of result.changed) {
      const now = maskToFlags(change.mask);
      out.set(change.id, now);
      this.options.events.publish({ type: 'message.flags', id: change.id, inbox: change.inbox, flags: now });
    }
    return out;
  }

  private async remove(op: WriteOp): Promise<MessageId[]> {
    const result = await this.write(op);
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

  async stats(): Promise<StoreStats> {
    const row = this.q.stats.get();
    return { messages: row?.messages ?? 0, bodies: row?.bodies ?? 0, bytes: row?.bytes ?? 0 };
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
