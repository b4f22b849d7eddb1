/**
 * The proxy's delivery target: each client transaction replayed to the upstream MTA as it
 * happens (Kamaelia's "Grey" proxy answered 250 before its real server had the mail; this one
 * never does). A per-recipient target in the sense of delivery/ingest.ts:
 *
 * - start (client's MAIL accepted by us): take a pooled connection and send MAIL FROM with what
 *   the client declared (SIZE, BODY, SMTPUTF8 where the upstream offers them). This runs while
 *   the client sends its first RCPT, so it costs no round trip of the client's.
 * - each recipient: RCPT TO upstream; its reply is the client's reply. If the upstream refused
 *   MAIL FROM, each RCPT gets that refusal.
 * - body coming (the client's DATA got our 354): DATA upstream at once, so its 354 is in by the
 *   time the client's data ends (the body itself must wait for it: RFC 2920 §3.1).
 * - commit (end of the client's DATA): the message with our Received header (RFC 5321 §4.4:
 *   every relay adds one), and the upstream's reply to the end of data is the client's.
 *   Only an upstream 2xx becomes our 250. With --keep-copy the accepted message is also stored,
 *   best-effort: the upstream has it, so a failed copy is logged, not refused.
 * - abort: the connection gets RSET and goes back to the pool; once DATA was sent upstream it
 *   cannot (an RSET would be message text), so it is closed instead. After a completed
 *   transaction it goes back as it is (see pool.ts).
 * A connection that fails mid-transaction (closed, timed out) is dropped, and what is left of the
 * transaction is answered 451 4.4.1. A MAIL FROM that fails on a reused connection (it died
 * while idle) is retried once on a new one: nothing was said to the client yet.
 */
import type { Clock } from '../clock.js';
import type { DeliveryOutcome, DeliveryTarget, Incoming, RecipientVerdict, TargetReply, TargetTransaction, TransactionStart } from '../delivery/ingest.js';
import type { Logger } from '../log.js';
import { receivedHeader } from '../mail/received.js';
import type { MessageId } from '../store/types.js';
import { dotStuff } from '../protocol/dot-stuff.js';
import type { UpstreamPool } from './pool.js';
import { ABORTED, NO_SMTPUTF8, relayed, unavailable, unexpected } from './replies.js';
import type { UpstreamConnection, UpstreamReply } from './upstream-connection.js';

export interface UpstreamDeliveryDeps {
  pool: UpstreamPool;
  /** --keep-copy: the store's target, given what the upstream accepted. */
  copy: DeliveryTarget | null;
  clock: Pick<Clock, 'now'>;
  log: Logger;
}

export class UpstreamDelivery implements DeliveryTarget {
  constructor(private readonly deps: UpstreamDeliveryDeps) {}

  transaction(start: TransactionStart): TargetTransaction {
    return new UpstreamTransaction(this.deps, start);
  }

  maxMessageBytes(): number | null {
    return this.deps.pool.sizeLimitBytes;
  }

  /** The one-step hand-over, for callers without a session: every recipient, then the body. */
  async deliver(incoming: Incoming): Promise<DeliveryOutcome> {
    const transaction = this.transaction({ mailFrom: incoming.envelope.mailFrom, smtputf8: incoming.trace.smtputf8, declaredBytes: null, body: null });
    let refusal: TargetReply | null = null;
    for (const address of incoming.envelope.rcptTo) {
      const verdict = await transaction.recipient(address);
      if (!verdict.accepted) refusal ??= verdict.reply;
    }
    if (refusal) {
      transaction.abort();
      return { kind: 'refused', reply: refusal };
    }
    return transaction.commit(incoming);
  }
}

const isPositive = (reply: UpstreamReply): boolean => reply.code >= 200 && reply.code < 300;
const isReply = (reply: UpstreamReply): boolean => isPositive(reply) || (reply.code >= 400 && reply.code < 600);

type Started = { connection: UpstreamConnection } | { refusal: TargetReply };

class UpstreamTransaction implements TargetTransaction {
  private readonly started: Promise<Started>;
  /** Set once the connection failed: the answer to whatever is left of the transaction. */
  private broken: TargetReply | null = null;
  /** Committed or aborted: the connection has been given back. */
  private over = false;
  /** The upstream's answer to our DATA, asked for as soon as the client's body was coming. */
  private dataGo: Promise<UpstreamReply> | null = null;

  constructor(
    private readonly deps: UpstreamDeliveryDeps,
    start: TransactionStart,
  ) {
    this.started = this.begin(start);
  }

  private async begin(start: TransactionStart): Promise<Started> {
    const { pool } = this.deps;
    for (let attempt = 0; ; attempt++) {
      let connection: UpstreamConnection;
      try {
        connection = await pool.acquire();
      } catch (error) {
        return { refusal: unavailable(error) };
      }
      if (this.over) {
        pool.release(connection, false);
        return { refusal: ABORTED };
      }
      const { extensions } = connection;
      if (start.smtputf8 && !extensions.smtputf8) {
        pool.release(connection, false);
        return { refusal: NO_SMTPUTF8 };
      }
      const params: string[] = [];
      if (start.declaredBytes !== null && extensions.sizeBytes !== null) params.push(`SIZE=${start.declaredBytes}`);
      if (start.body !== null && extensions.eightBitMime) params.push(`BODY=${start.body}`);
      if (start.smtputf8) params.push('SMTPUTF8');
      let reply: UpstreamReply;
      try {
        reply = await connection.mail(start.mailFrom, params);
      } catch (error) {
        pool.discard(connection);
        if (connection.transactions > 0 && attempt === 0) continue;
        return { refusal: unavailable(error) };
      }
      if (isPositive(reply)) return { connection };
      this.deps.pool.release(connection, false); // a refused MAIL opened no transaction
      return { refusal: isReply(reply) ? relayed(reply) : unexpected('MAIL', reply) };
    }
  }

  async recipient(address: string): Promise<RecipientVerdict> {
    const started = await this.started;
    if ('refusal' in started) return { accepted: false, reply: started.refusal };
    if (this.broken) return { accepted: false, reply: this.broken };
    let reply: UpstreamReply;
    try {
      reply = await started.connection.rcpt(address);
    } catch (error) {
      return { accepted: false, reply: this.fail(started.connection, error) };
    }
    if (!isReply(reply)) return { accepted: false, reply: this.fail(started.connection, new Error(`RCPT answered ${reply.code}`), unexpected('RCPT', reply)) };
    if (reply.code === 421) this.fail(started.connection, new Error('421 from upstream'));
    return { accepted: isPositive(reply), reply: relayed(reply) };
  }

  expectBody(): void {
    if (this.dataGo || this.broken || this.over) return;
    this.dataGo = this.started.then((started) => {
      if ('refusal' in started) throw new Error('no upstream transaction');
      return started.connection.data();
    });
    this.dataGo.catch(() => undefined); // settled by commit(); a client that leaves mid-DATA never asks
  }

  async commit(incoming: Incoming): Promise<DeliveryOutcome> {
    const started = await this.started;
    if ('refusal' in started) return { kind: 'refused', reply: started.refusal };
    if (this.broken) return { kind: 'refused', reply: this.broken };
    const { connection } = started;
    let reply: UpstreamReply;
    try {
      const go = await (this.dataGo ?? connection.data());
      if (go.code !== 354) {
        this.finish(connection, true); // a refused DATA leaves the transaction open upstream
        return { kind: 'refused', reply: isReply(go) ? relayed(go) : unexpected('DATA', go) };
      }
      reply = await connection.body(this.wireMessage(incoming));
    } catch (error) {
      return { kind: 'refused', reply: this.fail(connection, error) };
    }
    this.finish(connection, false); // the end of data ended the transaction (RFC 5321 §4.1.1.4)
    if (!isPositive(reply)) return { kind: 'refused', reply: isReply(reply) ? relayed(reply) : unexpected('end of data', reply) };
    return { kind: 'stored', ids: await this.keepCopy(incoming), reply: relayed(reply) };
  }

  abort(): void {
    if (this.over) return;
    this.over = true;
    void this.started.then((started) => {
      if (!('connection' in started) || this.broken) return;
      if (this.dataGo) this.deps.pool.discard(started.connection); // mid-DATA upstream: no RSET possible
      else this.deps.pool.release(started.connection, true);
    });
  }

  /** The message as the upstream gets it: our trace header first, dot-stuffed, with the end of data. */
  private wireMessage(incoming: Incoming): Buffer {
    const header = receivedHeader({ ...incoming.trace, recipients: incoming.envelope.rcptTo, date: new Date(this.deps.clock.now()) });
    return dotStuff(Buffer.concat([header, ...incoming.segments]));
  }

  private async keepCopy(incoming: Incoming): Promise<MessageId[]> {
    if (!this.deps.copy) return [];
    try {
      const outcome = await this.deps.copy.deliver(incoming);
      return outcome.kind === 'stored' ? outcome.ids : [];
    } catch (error) {
      this.deps.log.error({ err: String(error), id: incoming.trace.id }, 'proxy: the upstream accepted the message but keeping a copy failed');
      return [];
    }
  }

  private finish(connection: UpstreamConnection, reset: boolean): void {
    if (this.over) return;
    this.over = true;
    this.deps.pool.release(connection, reset);
  }

  /** The connection failed: drop it; the rest of the transaction is answered 451 4.4.1. */
  private fail(connection: UpstreamConnection, error: unknown, reply: TargetReply = unavailable(error)): TargetReply {
    if (!this.broken) {
      this.deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'proxy: upstream connection failed mid-transaction');
      this.broken = reply;
      this.over = true;
      this.deps.pool.discard(connection);
    }
    return this.broken;
  }
}
