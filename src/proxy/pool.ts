/**
 * The pool of upstream connections, shared by every client session of the proxy.
 *
 * - At most `maxConnections` are open at once (opening, in use or idle): the upstream's own
 *   connection limits are respected (Postfix's smtpd_client_connection_count_limit is 50 by
 *   default). A transaction that finds them all busy waits up to `waitMs` for one.
 * - A connection is reused across client sessions. After an aborted transaction it gets RSET
 *   (RFC 5321 §4.1.1.5) and goes back to the idle list if the upstream answered 250, is closed
 *   otherwise. After a completed one (the upstream answered the end of data) it goes back at
 *   once: the upstream is reset already (§4.1.1.4), and an RSET there would sit on the next
 *   transaction's path whenever every connection is busy. A reused connection that died while
 *   idle fails at its MAIL, which the transaction retries once on a new connection.
 *   Idle ones are reused last-in first-out (the warmest) and closed with QUIT after `idleMs`,
 *   before the upstream's own idle timeout drops them. One the upstream closes while idle (its
 *   timeout, a restart, a 421) leaves the pool at once and frees its slot, so the next
 *   transaction opens a new one instead of failing on it.
 * - Warm: a transaction never waits for a greeting or EHLO while an idle connection is there;
 *   one is opened at start (app.ts) and every finished one is kept.
 * - What the upstream's EHLO said of SIZE is kept from the latest connection, so the proxy's
 *   own EHLO never promises more than the upstream takes.
 */
import type { Clock, Timer } from '../clock.js';
import { UpstreamFailure, type UpstreamConnection } from './upstream-connection.js';

export interface PoolSettings {
  open: () => Promise<UpstreamConnection>;
  maxConnections: number;
  /** How long an idle connection is kept. */
  idleMs: number;
  /** How long a transaction waits for a connection when all are busy. */
  waitMs: number;
  clock: Clock;
}

export class UpstreamPool {
  private readonly idle: { connection: UpstreamConnection; timer: Timer }[] = [];
  /** Connections counted against the cap: opening, in use, being reset, idle. */
  private count = 0;
  private readonly waiters = new Set<() => void>();
  private closed = false;
  /** The upstream's SIZE from its latest EHLO: null = unknown or none stated. */
  sizeLimitBytes: number | null = null;
  /** Connections opened so far (for logs and tests of reuse). */
  opened = 0;

  constructor(private readonly settings: PoolSettings) {}

  /** An open connection for one transaction: an idle one, a new one, or the next one freed. */
  async acquire(): Promise<UpstreamConnection> {
    const deadline = this.settings.clock.now() + this.settings.waitMs;
    for (;;) {
      if (this.closed) throw new UpstreamFailure('the proxy is shutting down');
      const reused = this.takeIdle();
      if (reused) return reused;
      if (this.count < this.settings.maxConnections) return this.openNew();
      const left = deadline - this.settings.clock.now();
      if (left <= 0 || !(await this.freed(left))) {
        throw new UpstreamBusy(`all ${this.settings.maxConnections} upstream connections busy for ${this.settings.waitMs} ms`);
      }
    }
  }

  /** The transaction is over: keep the connection for the next (after RSET if `reset`), or drop it. */
  release(connection: UpstreamConnection, reset: boolean): void {
    connection.transactions++;
    if (this.closed || !connection.usable) return this.discard(connection);
    if (!reset) return this.keep(connection);
    connection.rset().then(
      (reply) => (reply.code === 250 ? this.keep(connection) : this.discard(connection)),
      () => this.discard(connection),
    );
  }

  /** A connection that failed or cannot be trusted with another transaction. */
  discard(connection: UpstreamConnection): void {
    connection.close();
    this.count--;
    this.wakeOne();
  }

  /** QUIT the idle connections and refuse new transactions. */
  close(): void {
    this.closed = true;
    for (const { connection, timer } of this.idle.splice(0)) {
      timer.cancel();
      connection.onGone(null);
      connection.quit();
      this.count--;
    }
    for (const wake of this.waiters) wake();
  }

  get size(): { open: number; idle: number } {
    return { open: this.count, idle: this.idle.length };
  }

  private takeIdle(): UpstreamConnection | null {
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      entry.timer.cancel();
      entry.connection.onGone(null);
      if (entry.connection.usable) return entry.connection;
      this.discard(entry.connection); // died while idle (the upstream's timeout, a restart)
    }
    return null;
  }

  private async openNew(): Promise<UpstreamConnection> {
    this.count++;
    try {
      const connection = await this.settings.open();
      this.opened++;
      const size = connection.extensions.sizeBytes;
      this.sizeLimitBytes = size === null || size === 0 ? null : size; // RFC 1870 §4: SIZE 0 = no fixed limit
      return connection;
    } catch (error) {
      this.count--;
      this.wakeOne();
      throw error;
    }
  }

  private keep(connection: UpstreamConnection): void {
    if (this.closed) return this.discard(connection);
    /** Out of the idle list: QUIT it (idle too long), or count it gone (the upstream closed it). */
    const leave = (quit: boolean): void => {
      const i = this.idle.indexOf(entry);
      if (i === -1) return;
      this.idle.splice(i, 1);
      entry.timer.cancel();
      connection.onGone(null);
      if (quit) connection.quit();
      else connection.close();
      this.count--;
      this.wakeOne();
    };
    const entry = { connection, timer: this.settings.clock.after(this.settings.idleMs, () => leave(true)) };
    this.idle.push(entry);
    connection.onGone(() => leave(false));
    this.wakeOne();
  }

  /** Resolves true when a connection is freed (or a slot opens), false after `withinMs`. */
  private freed(withinMs: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (): void => {
        this.waiters.delete(wake);
        timer.cancel();
        resolve(true);
      };
      const timer = this.settings.clock.after(withinMs, () => {
        this.waiters.delete(wake);
        resolve(false);
      });
      this.waiters.add(wake);
    });
  }

  private wakeOne(): void {
    const [first] = this.waiters;
    first?.();
  }
}

/** Every upstream connection is in use (RFC 3463 X.4.5: system congestion). */
export class UpstreamBusy extends UpstreamFailure {}
