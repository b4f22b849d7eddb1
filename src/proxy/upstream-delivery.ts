/**
 * The proxy's delivery target: each client transaction replayed to the upstream MTA as it
 * happens (Kamaelia's "Grey" proxy answered 250 before its real server had the mail; this one
 * never does). A per-recipient target in the sense of delivery/ingest.ts:
 *
 * - start (client's MAIL accepted by us): take a pooled connection and send MAIL FROM with what
 *   the client declared (SIZE, BODY, SMTPUTF8 where the upstream offers them).
 * - each recipient: RCPT TO upstream; its reply is the client's reply, so the client's RCPT is
 *   answered only once the upstream's verdict on that recipient is in. If the upstream refused
 *   MAIL FROM, each RCPT gets that refusal. With an upstream that advertises PIPELINING (RFC
 *   2920) the first RCPT leaves in the same write as MAIL, without waiting for MAIL's reply:
 *   one round trip for both. The verdicts stay exact because replies come in command order
 *   (§3.1): the RCPT's reply is read after MAIL's, and if MAIL was refused the RCPT's (a 503)
 *   is discarded and the client gets MAIL's refusal. Without PIPELINING each command waits for
 *   the previous reply (§3: a client may only pipeline when the server says so).
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
 * while idle, or its 421 came as MAIL's reply) is retried once on a new one, with the RCPT
 * pipelined behind it: nothing was said to the client yet.
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
const ignore = (): void => undefined;

/** A pooled connection with our MAIL sent on it (its reply may still be on the way), or why there is none. */
type Opened = { connection: UpstreamConnection; mail: Promise<UpstreamReply>; retryable: boolean } | { refusal: TargetReply };

/** What a reply promise came to: the reply, or the failure that means there is none. */
type Settled = { reply: UpstreamReply } | { error: unknown };
const settle = (reply: Promise<UpstreamReply>): Promise<Settled> => reply.then((r) => ({ reply: r }), (error: unknown) => ({ error }));

class UpstreamTransaction implements TargetTransaction {
  private opened: Promise<Opened>;
  /** MAIL's reply was read: null = accepted, else the refusal every RCPT gets. */
  private mailVerdict: TargetReply | null | undefined = undefined;
  /** Set once the connection failed: the answer to whatever is left of the transaction. */
  private broken: TargetReply | null = null;
  /** Committed or aborted. */
  private over = false;
  /** The connection went back to the pool (or was dropped): it is not ours any more. */
  private returned = false;
  /** The upstream's answer to our DATA, asked for as soon as the client's body was coming. */
  private dataGo: Promise<UpstreamReply> | null = null;

  constructor(
    private readonly deps: UpstreamDeliveryDeps,
    private readonly start: TransactionStart,
  ) {
    this.opened = this.open(true);
  }

  private async open(firstAttempt: boolean): Promise<Opened> {
    const { pool } = this.deps;
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
    const start = this.start;
    if (start.smtputf8 && !extensions.smtputf8) {
      pool.release(connection, false);
      return { refusal: NO_SMTPUTF8 };
    }
    const params: string[] = [];
    if (start.declaredBytes !== null && extensions.sizeBytes !== null) params.push(`SIZE=${start.declaredBytes}`);
    if (start.body !== null && extensions.eightBitMime) params.push(`BODY=${start.body}`);
    if (start.smtputf8) params.push('SMTPUTF8');
    const mail = connection.mail(start.mailFrom, params);
    mail.catch(ignore); // read by the first recipient()
    return { connection, mail, retryable: firstAttempt && connection.transactions > 0 };
  }

  async recipient(address: string): Promise<RecipientVerdict> {
    for (;;) {
      const opened = await this.opened;
      if ('refusal' in opened) return { accepted: false, reply: opened.refusal };
      if (this.broken) return { accepted: false, reply: this.broken };
      if (this.mailVerdict) return { accepted: false, reply: this.mailVerdict };
      const { connection } = opened;
      // Pipelined: the RCPT goes out now, behind MAIL, in the same write (see the head comment).
      const pipelined = this.mailVerdict === undefined && connection.extensions.pipelining ? connection.rcpt(address) : null;
      pipelined?.catch(ignore);
      if (this.mailVerdict === undefined) {
        const mail = await settle(opened.mail);
        // A reused connection that died while idle, or is closing (its 421 taken for MAIL's
        // reply): try once more on a new one.
        const lost = 'error' in mail || mail.reply.code === 421;
        if (lost && opened.retryable && !this.over && !this.broken) {
          this.giveBack(connection, 'discard');
          this.returned = false;
          this.opened = this.open(false);
          continue;
        }
        if ('error' in mail) return { accepted: false, reply: this.fail(connection, mail.error) };
        if (!isPositive(mail.reply)) {
          this.mailVerdict = isReply(mail.reply) ? relayed(mail.reply) : unexpected('MAIL', mail.reply);
          if (pipelined) await settle(pipelined); // its 503 is not the client's to see
          // A refused MAIL opened no transaction; a 421 or a code that makes no sense ends the connection.
          this.giveBack(connection, isReply(mail.reply) && mail.reply.code !== 421 ? 'keep' : 'discard');
          return { accepted: false, reply: this.mailVerdict };
        }
        this.mailVerdict = null;
      }
      const rcpt = await settle(pipelined ?? connection.rcpt(address));
      if ('error' in rcpt) return { accepted: false, reply: this.fail(connection, rcpt.error) };
      const reply = rcpt.reply;
      if (!isReply(reply)) return { accepted: false, reply: this.fail(connection, new Error(`RCPT answered ${reply.code}`), unexpected('RCPT', reply)) };
      if (reply.code === 421) this.fail(connection, new Error('421 from upstream'));
      return { accepted: isPositive(reply), reply: relayed(reply) };
    }
  }

  expectBody(): void {
    if (this.dataGo || this.broken || this.over) return;
    this.dataGo = this.opened.then((opened) => {
      if ('refusal' in opened || this.returned) throw new Error('no upstream transaction');
      return opened.connection.data();
    });
    this.dataGo.catch(ignore); // settled by commit(); a client that leaves mid-DATA never asks
  }

  async commit(incoming: Incoming): Promise<DeliveryOutcome> {
    const opened = await this.opened;
    if ('refusal' in opened) return { kind: 'refused', reply: opened.refusal };
    if (this.broken) return { kind: 'refused', reply: this.broken };
    if (this.mailVerdict) return { kind: 'refused', reply: this.mailVerdict };
    const { connection } = opened;
    let reply: UpstreamReply;
    try {
      const go = await (this.dataGo ?? connection.data());
      if (go.code !== 354) {
        this.finish(connection, 'reset'); // a refused DATA leaves the transaction open upstream
        return { kind: 'refused', reply: isReply(go) ? relayed(go) : unexpected('DATA', go) };
      }
      reply = await connection.body(this.wireMessage(incoming));
    } catch (error) {
      return { kind: 'refused', reply: this.fail(connection, error) };
    }
    this.finish(connection, 'keep'); // the end of data ended the transaction (RFC 5321 §4.1.1.4)
    if (!isPositive(reply)) return { kind: 'refused', reply: isReply(reply) ? relayed(reply) : unexpected('end of data', reply) };
    return { kind: 'stored', ids: await this.keepCopy(incoming), reply: relayed(reply) };
  }

  abort(): void {
    if (this.over) return;
    this.over = true;
    void this.opened.then(async (opened) => {
      if (!('connection' in opened)) return;
      // Mid-DATA upstream no RSET is possible (it would be message text). Otherwise RSET, once
      // what is owed on the connection is answered: an upstream without PIPELINING takes one
      // command at a time.
      if (this.dataGo) return this.giveBack(opened.connection, 'discard');
      await opened.connection.quiet();
      this.giveBack(opened.connection, 'reset');
    });
  }

  /** The message as the upstream gets it: our trace header first, dot-stuffed, with the end of data. */
  private wireMessage(incoming: Incoming): Buffer[] {
    const header = receivedHeader({ ...incoming.trace, recipients: incoming.envelope.rcptTo, date: new Date(this.deps.clock.now()) });
    const { segments } = incoming;
    return [header, dotStuff(segments.length === 1 ? segments[0]! : Buffer.concat(segments))];
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

  private finish(connection: UpstreamConnection, how: 'keep' | 'reset'): void {
    this.over = true;
    this.giveBack(connection, how);
  }

  /** Hand the connection back once: to the pool as it is, after an RSET, or closed. */
  private giveBack(connection: UpstreamConnection, how: 'keep' | 'reset' | 'discard'): void {
    if (this.returned) return;
    this.returned = true;
    if (how === 'discard') this.deps.pool.discard(connection);
    else this.deps.pool.release(connection, how === 'reset');
  }

  /** The connection failed: drop it; the rest of the transaction is answered 451 4.4.1. */
  private fail(connection: UpstreamConnection, error: unknown, reply: TargetReply = unavailable(error)): TargetReply {
    if (!this.broken) {
      this.deps.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'proxy: upstream connection failed mid-transaction');
      this.broken = reply;
      this.over = true;
      this.giveBack(connection, 'discard');
    }
    return this.broken;
  }
}
