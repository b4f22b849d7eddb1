/**
 * The delivery loop. Due recipients are claimed from the store in batches, grouped into jobs
 * (one message to one destination: one SMTP transaction with a RCPT per recipient), and each
 * job is queued on its *destination*: the next hop's host set (the MX names, or the smart host),
 * so domains sharing mail exchangers share connections and transactions.
 *
 * Each destination opens up to `perDestination` connections (`--relay-per-domain`) within
 * `concurrency` in all (`--relay-concurrency`), and a connection keeps taking jobs for its
 * destination, RSET between, until none are left — it asks for another claim, then waits up to
 * IDLE_CONNECTION_MS for new mail to its destination before it quits (Postfix keeps an idle
 * connection 2 s too: smtp_connection_cache_time_limit), unless another destination needs its
 * slot. Twisted's relay manager stopped grouping once it had one message per allowed
 * connection, so mail for a domain it was already talking to waited; here an open connection is
 * always fed, and mail that trickles in (one enqueue at a time) reuses it.
 *
 * Memory is bounded by `maxInFlight` claimed recipients (ids and addresses only); raw bytes are
 * read per job, just before DATA. A destination none of whose hosts answers has every job
 * waiting for it deferred at once (Postfix marks such a destination dead too).
 */
import type { Clock, Timer } from '../clock.js';
import { ConnectFailure, RelayConnection, type ConnectionSettings, type RecipientReply } from './connection.js';
import type { NextHopResolver } from './next-hop.js';
import { outcomeFor, replyClass, type ReplyClass } from './outcomes.js';
import type { ClaimedRecipient, QueueStore, RecipientUpdate } from './queue-store.js';
import type { RetryPolicy } from './retry-policy.js';
import type { QueueId } from './types.js';

export interface Job {
  messageId: QueueId;
  mailFrom: string;
  recipients: ClaimedRecipient[];
}

interface Destination {
  key: string;
  hosts: Parameters<typeof RelayConnection.open>[0];
  jobs: Job[];
  /** Jobs not yet taken, by message: recipients of one message at domains sharing this destination join one transaction. */
  waiting: Map<QueueId, Job>;
  connections: number;
  /** Connections of this destination waiting for a job: calling one wakes it (to take a job, or to quit). */
  idle: Set<() => void>;
}

export interface SchedulerOptions {
  store: QueueStore;
  clock: Clock;
  hops: NextHopResolver;
  connection: ConnectionSettings;
  retry: RetryPolicy;
  concurrency: number;
  perDestination: number;
  /** Claimed-but-unfinished recipients held at once. */
  maxInFlight?: number;
  /** Turn the raw bytes into what goes on the wire (DKIM signing). */
  prepare?: (raw: Buffer) => Promise<Buffer>;
  /** Called after each committed batch of outcomes (DSNs, metrics). */
  onRecorded: (updates: readonly RecipientUpdate[], classes: readonly ReplyClass[]) => void;
  onError: (message: string, error: unknown) => void;
}

/** When nothing is waiting, look again this often anyway (enqueues and retries wake us themselves). */
const IDLE_POLL_MS = 60_000;
/** How long a connection with nothing to send stays open for more mail to its destination. */
export const IDLE_CONNECTION_MS = 2_000;

export class Scheduler {
  private readonly destinations = new Map<string, Destination>();
  private inFlight = 0;
  private connections = 0;
  private timer: Timer | null = null;
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private stopped = true;
  private readonly workers = new Set<Promise<void>>();
  /** Connections open now: stop closes those still busy after the grace period. */
  private readonly open = new Set<RelayConnection>();
  /** Outcome commits not yet done (stop waits for them). */
  private readonly commits = new Set<Promise<void>>();
  private readonly maxInFlight: number;

  constructor(private readonly options: SchedulerOptions) {
    this.maxInFlight = options.maxInFlight ?? Math.max(1000, options.concurrency * 100);
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Something may be due now (an enqueue, a retry from the API): claim soon. */
  wake(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.wake();
      }
    });
  }

  get active(): { connections: number; inFlight: number } {
    return { connections: this.connections, inFlight: this.inFlight };
  }

  /** Stop claiming; let each connection finish its transaction, then wait for them (at most `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    this.timer?.cancel();
    for (const destination of this.destinations.values()) {
      destination.jobs.length = 0;
      destination.waiting.clear();
      for (const wake of destination.idle) wake();
    }
    await Promise.race([Promise.all([...this.workers, this.pumping]), new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    // Still mid-transaction after the grace: drop the connection. Its recipients stay
    // `delivering` and are due again at the next start (at least once).
    for (const connection of this.open) connection.close();
    await Promise.all([...this.commits]);
  }

  private track(commit: Promise<void>): void {
    this.commits.add(commit);
    void commit.finally(() => this.commits.delete(commit));
  }

  private async pump(): Promise<void> {
    const { store, clock } = this.options;
    this.timer?.cancel();
    this.timer = null;
    let claimed: ClaimedRecipient[] = [];
    try {
      claimed = store.claimDue(clock.now(), this.maxInFlight - this.inFlight);
      this.inFlight += claimed.length;
      // Set the next wake-up before any await, so a clock that runs timers as it advances (the
      // tests' ManualClock) sees it at once.
      this.scheduleNext();
      await Promise.all(groupJobs(claimed).map((job) => this.route(job)));
    } catch (error) {
      this.options.onError('relay: claiming due mail failed', error);
    }
  }

  /** Wake when the next recipient falls due (or after IDLE_POLL_MS when none is waiting). */
  private scheduleNext(): void {
    if (this.stopped) return;
    // Full: the next claim happens when in-flight work finishes (finish() wakes us).
    if (this.inFlight >= this.maxInFlight) return;
    const next = this.options.store.nextDueAtMs();
    const now = this.options.clock.now();
    if (next !== null && next <= now) {
      setImmediate(() => this.wake());
      return;
    }
    this.timer = this.options.clock.after(next === null ? IDLE_POLL_MS : next - now, () => this.wake());
  }

  /** Find the job's destination and queue it there, or settle it if the lookup failed. */
  private async route(job: Job): Promise<void> {
    const domain = job.recipients[0]!.domain;
    const hop = await this.options.hops.forDomain(domain);
    if (hop.kind === 'failed') {
      const code = hop.permanent ? Number(hop.reply.slice(0, 3)) : null;
      await this.finish(job, job.recipients.map((r) => ({ address: r.address, code: code ?? 451, reply: hop.reply })), '');
      return;
    }
    let destination = this.destinations.get(hop.destination);
    if (!destination) {
      destination = { key: hop.destination, hosts: hop.hosts, jobs: [], waiting: new Map(), connections: 0, idle: new Set() };
      this.destinations.set(hop.destination, destination);
    }
    const same = destination.waiting.get(job.messageId);
    if (same) {
      same.recipients.push(...job.recipients);
      return;
    }
    destination.waiting.set(job.messageId, job);
    destination.jobs.push(job);
    // An idle connection of this destination takes it; more jobs than connections open more.
    destination.idle.values().next().value?.();
    this.openConnections(destination);
  }

  private openConnections(destination: Destination): void {
    const wanted = Math.min(this.options.perDestination, destination.jobs.length);
    if (destination.connections < wanted && this.connections >= this.options.concurrency) this.releaseIdleConnection(destination);
    while (!this.stopped && destination.connections < wanted && this.connections < this.options.concurrency) {
      destination.connections++;
      this.connections++;
      const worker = this.work(destination).finally(() => {
        destination.connections--;
        this.connections--;
        this.workers.delete(worker);
        if (destination.connections === 0 && destination.jobs.length === 0) this.destinations.delete(destination.key);
        // A connection slot is free: a destination waiting for one may open now.
        for (const waiting of this.destinations.values()) if (waiting.jobs.length) this.openConnections(waiting);
      });
      this.workers.add(worker);
    }
  }

  /** Every slot is taken and `needy` waits for one: an idle connection of another destination quits (its worker's end opens `needy`'s). */
  private releaseIdleConnection(needy: Destination): void {
    for (const destination of this.destinations.values()) {
      if (destination === needy) continue;
      const wake = destination.idle.values().next().value;
      if (wake) return wake();
    }
  }

  /** Wait up to IDLE_CONNECTION_MS for a job for this destination (or to be told to quit). */
  private linger(destination: Destination): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.options.clock.after(IDLE_CONNECTION_MS, () => wake());
      const wake = (): void => {
        timer.cancel();
        destination.idle.delete(wake);
        resolve();
      };
      destination.idle.add(wake);
    });
  }

  /** The next job, after a claim and then a linger if there is none now; undefined: time to quit. */
  private async nextJob(destination: Destination): Promise<Job | undefined> {
    let job = take(destination);
    if (job || this.stopped) return job;
    this.wake();
    await this.pumping;
    job = take(destination);
    if (job || this.stopped) return job;
    // Another destination waiting for a slot gets this one at once.
    if (this.connections >= this.options.concurrency && [...this.destinations.values()].some((d) => d !== destination && d.jobs.length > d.connections)) return undefined;
    await this.linger(destination);
    return this.stopped ? undefined : take(destination);
  }

  /** One connection's life: open, send jobs while there are any, close. */
  private async work(destination: Destination): Promise<void> {
    let connection: RelayConnection;
    try {
      connection = await RelayConnection.open(destination.hosts, this.options.hops, this.options.connection);
    } catch (error) {
      const reply = `451 4.4.1 no host of ${destination.key} could be reached: ${error instanceof ConnectFailure ? error.message : String(error)}`;
      // The destination is unreachable: defer everything waiting for it, as Postfix marks it
      // dead, rather than have the other connection slots try it again at once.
      const jobs = destination.jobs.splice(0);
      destination.waiting.clear();
      await Promise.all(jobs.map((job) => this.finish(job, job.recipients.map((r) => ({ address: r.address, code: null, reply })), '')));
      return;
    }
    this.open.add(connection);
    try {
      for (let sent = 0; ; sent++) {
        const job = await this.nextJob(destination);
        if (!job) break;
        if (!connection.usable && sent > 0) {
          // The peer closed the connection while it idled: the job goes back, for a new connection.
          destination.jobs.unshift(job);
          destination.waiting.set(job.messageId, job);
          break;
        }
        let replies: RecipientReply[];
        try {
          replies = await this.deliver(connection, job);
        } catch (error) {
          replies = job.recipients.map((r) => ({ address: r.address, code: null, reply: `451 4.3.0 could not prepare the message: ${String(error)}` }));
        }
        // The commit of this job's outcome overlaps the next transaction: the connection does
        // not idle through an fsync; group commit batches the outcomes of all connections.
        this.track(this.finish(job, replies, connection.host));
        // send() ended the transaction with RSET (pipelined behind the content when the peer offers PIPELINING).
        if (!connection.usable) break;
      }
    } finally {
      this.open.delete(connection);
      connection.close();
    }
  }

  private async deliver(connection: RelayConnection, job: Job): Promise<RecipientReply[]> {
    const raw = this.options.store.raw(job.messageId);
    // Deleted from the queue (the API's DELETE) while waiting: nothing to send, nothing to record.
    if (!raw) return [];
    const wire = this.options.prepare ? await this.options.prepare(raw) : raw;
    return connection.send(job.mailFrom, job.recipients.map((r) => r.address), wire);
  }

  /** Commit each recipient's outcome and attempt, then release the in-flight slots. */
  private async finish(job: Job, replies: readonly RecipientReply[], host: string): Promise<void> {
    const now = this.options.clock.now();
    const updates: RecipientUpdate[] = [];
    const classes: ReplyClass[] = [];
    for (const recipient of job.recipients) {
      const reply = replies.find((r) => r.address === recipient.address);
      if (!reply) continue;
      updates.push(outcomeFor(this.options.retry, recipient, reply.code, reply.reply, host, now));
      classes.push(replyClass(reply.code));
    }
    try {
      if (updates.length) await this.options.store.record(updates);
      if (updates.length) this.options.onRecorded(updates, classes);
    } catch (error) {
      this.options.onError('relay: recording delivery outcomes failed (they will be retried after a restart)', error);
    } finally {
      this.inFlight -= job.recipients.length;
      // Claim more once half the in-flight room is free (not after every job: claims are queries).
      if (this.inFlight <= this.maxInFlight / 2) this.wake();
    }
  }
}

function take(destination: Destination): Job | undefined {
  const job = destination.jobs.shift();
  if (job) destination.waiting.delete(job.messageId);
  return job;
}

/** One job per (message, domain); jobs of one message whose domains share a destination merge in `route`. */
export function groupJobs(claimed: readonly ClaimedRecipient[]): Job[] {
  const jobs = new Map<string, Job>();
  for (const recipient of claimed) {
    const key = `${recipient.messageId} ${recipient.domain}`;
    let job = jobs.get(key);
    if (!job) jobs.set(key, (job = { messageId: recipient.messageId, mailFrom: recipient.mailFrom, recipients: [] }));
    job.recipients.push(recipient);
  }
  return [...jobs.values()];
}
