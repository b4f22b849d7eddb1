/**
 * The POP3 listener and its connections: the glue between the connection shell
 * (protocol/shell.ts: socket, writes, backpressure, timers, TLS) and the pure session
 * (session.ts). Input is framed as command lines; the session's effects that reach outside it
 * are carried out here as the shell's `await` effects: log in (authenticator, maildrop lock,
 * inbox snapshot), read a message, apply deletions. The shell holds further input while one
 * runs, so pipelined commands (RFC 2449 §6.6) run strictly in order.
 *
 * The maildrop lease is released in one place, `ended()`, which the shell calls once when the
 * session ends however it ends, before the final +OK of QUIT is written, so the client can log
 * in again at once.
 */
import type tls from 'node:tls';
import type { MailboxAuthenticator } from '../auth/mailbox-auth.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { InputBuffer } from '../protocol/input.js';
import { MAX_ERRORS_PER_SESSION } from '../protocol/limits.js';
import { startLineServer } from '../protocol/line-server.js';
import type { LineProtocol, Turn } from '../protocol/shell.js';
import type { RunningServer } from '../protocol/tcp-server.js';
import type { MessageId, Store } from '../store/types.js';
import { InProcessMaildropLocks, type MaildropLease, type MaildropLocks } from './lock.js';
import { R, formatReply } from './replies.js';
import {
  MAX_AUTH_LINE_BYTES,
  Pop3Session,
  type LoginOutcome,
  type RetrieveEffect,
  type RetrieveOutcome,
  type SessionSettings,
  type Step,
  type UpdateOutcome,
} from './session.js';


export interface Pop3Deps {
  config: Pick<Config, 'pop3' | 'hostname' | 'pop3IdleTimeoutMs' | 'maxConnections' | 'maxConnectionsPerIp'>;
  store: Pick<Store, 'mailbox' | 'raw' | 'setFlags' | 'delete'>;
  auth: MailboxAuthenticator;
  locks: MaildropLocks;
  tls: tls.SecureContext;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
}

class Pop3Connection implements LineProtocol {
  private readonly session: Pop3Session;
  private lease: MaildropLease | null = null;
  private over = false;

  constructor(
    settings: SessionSettings,
    private readonly deps: Pop3Deps,
  ) {
    this.session = new Pop3Session(settings);
  }

  greeting(): Turn {
    return this.turn(this.session.greeting());
  }

  next(input: InputBuffer): Turn | null {
    const framed = input.readTextLine(MAX_AUTH_LINE_BYTES);
    if (!framed) return null;
    return this.turn(framed.kind === 'line' ? this.session.line(framed.text) : this.session.lineError(framed.kind));
  }

  idle(): Turn {
    return this.turn(this.session.timedOut());
  }

  /** Idle sessions end now without UPDATE; one mid-effect finishes it first (the shell waits). */
  shutdown(): Turn {
    return this.turn(this.session.shuttingDown());
  }

  tlsStarted(): null {
    this.session.tlsStarted();
    return null;
  }

  ended(): void {
    this.over = true;
    this.lease?.release();
    this.lease = null;
  }

  private turn(step: Step): Turn {
    const turn: Turn = step.replies.length ? { output: step.replies.map(formatReply) } : {};
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'login':
          turn.effect = this.run(this.openMaildrop(effect.user, effect.password), (outcome) => this.session.loginFinished(outcome));
          break;
        case 'retrieve':
          turn.effect = this.run(this.retrieve(effect), (outcome) => this.session.retrieved(effect, outcome));
          break;
        case 'update':
          turn.effect = this.run(this.update(effect.ids), (outcome) => this.session.updated(outcome));
          break;
        default:
          turn.effect = effect;
      }
    }
    return turn;
  }

  /** An effect's outcome, handed back to the session, as the shell's `await`. */
  private run<T>(work: Promise<T>, report: (outcome: T) => Step): Turn['effect'] {
    return { kind: 'await', work: work.then((outcome) => this.turn(report(outcome))) };
  }

  /** Authenticate, take the maildrop lock, snapshot the inbox (RFC 1939 §4). Never rejects. */
  private async openMaildrop(user: string, password: string): Promise<LoginOutcome> {
    let lease: MaildropLease | null = null;
    try {
      const login = await this.deps.auth.login(user, password);
      if (!login.ok) return { kind: 'refused', reason: login.reason };
      lease = await this.deps.locks.acquire(login.inbox);
      if (!lease) return { kind: 'in-use' };
      const entries = await this.deps.store.mailbox(login.inbox);
      if (this.over) {
        lease.release(); // the client left while we were opening its maildrop
        return { kind: 'unavailable' };
      }
      this.lease = lease;
      return { kind: 'opened', inbox: login.inbox, entries };
    } catch (error) {
      lease?.release();
      this.deps.log.error({ err: String(error) }, 'pop3 login failed');
      return { kind: 'unavailable' };
    }
  }

  private async retrieve(effect: RetrieveEffect): Promise<RetrieveOutcome> {
    try {
      const raw = await this.deps.store.raw(effect.id);
      if (!raw) return { kind: 'gone' };
      if (effect.markSeen) await this.deps.store.setFlags([effect.id], 'add', ['seen']);
      return { kind: 'read', raw };
    } catch (error) {
      this.deps.log.error({ err: String(error), id: effect.id }, 'pop3 read failed');
      return { kind: 'failed' };
    }
  }

  private async update(ids: MessageId[]): Promise<UpdateOutcome> {
    try {
      const deleted = await this.deps.store.delete(ids);
      return { kind: 'done', deleted: deleted.length };
    } catch (error) {
      this.deps.log.error({ err: String(error) }, 'pop3 update failed');
      return { kind: 'failed' };
    }
  }
}

export function startPop3Server(deps: Omit<Pop3Deps, 'locks'> & { locks?: MaildropLocks }): Promise<RunningServer> {
  const full: Pop3Deps = { ...deps, locks: deps.locks ?? new InProcessMaildropLocks() };
  const { config } = full;
  const settings: SessionSettings = { hostname: config.hostname, maxErrors: MAX_ERRORS_PER_SESSION.pop3 };
  return startLineServer({
    listen: config.pop3,
    limits: { maxConnections: config.maxConnections, maxConnectionsPerIp: config.maxConnectionsPerIp },
    busyReply: (reason) => formatReply(reason === 'total' ? R.tooManyConnections : R.tooManyConnectionsFromIp).toString(),
    shell: { name: 'pop3', idleTimeoutMs: config.pop3IdleTimeoutMs, tls: full.tls, log: full.log, metrics: full.metrics, clock: full.clock },
    protocol: () => new Pop3Connection(settings, full),
  });
}
