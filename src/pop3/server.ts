/**
 * The POP3 socket shell: bytes from the socket go through the line framing (protocol/input.ts)
 * into the pure session (session.ts); its replies are written back in one write per batch of
 * pipelined commands (RFC 2449 §6.6), and its effects carried out here: log in (authenticator,
 * maildrop lock, inbox snapshot), read a message, apply deletions, TLS upgrade, close. While an
 * effect is in flight the socket is paused, so pipelined commands run strictly in order.
 *
 * The maildrop lease is released when the connection closes, however it closes, and before
 * the final +OK of QUIT so the client can log in again at once.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { ServerContext } from '../app.js';
import { countSession, endSession, guarded, watchSocket } from '../protocol/connection.js';
import { InputBuffer } from '../protocol/input.js';
import { startTcpServer, type RunningServer } from '../protocol/tcp-server.js';
import { switchToTls } from '../protocol/tls.js';
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

const MAX_ERRORS = 10;
/** Stop reading from a client that does not read our replies once this much is unsent. */
const MAX_UNSENT_BYTES = 1024 * 1024;


/**
 * 'command': reading command lines; 'effect': a store or login call is in flight; 'drain': the
 * client has not read what we wrote; 'tls': the STLS handshake runs. Input is held in all but
 * 'command'.
 */
type Mode = 'command' | 'effect' | 'drain' | 'tls' | 'closed';

class Pop3Connection {
  private socket: net.Socket | tls.TLSSocket;
  private readonly input = new InputBuffer();
  private readonly session: Pop3Session;
  private mode: Mode = 'command';
  private out: Buffer[] = [];
  private outBytes = 0;
  private lease: MaildropLease | null = null;
  private shutdownRequested = false;

  constructor(
    socket: net.Socket,
    private readonly context: ServerContext,
    private readonly locks: MaildropLocks,
    settings: SessionSettings,
  ) {
    this.socket = socket;
    this.session = new Pop3Session(settings);
    countSession(socket, context.metrics, 'pop3', () => {
      this.mode = 'closed';
      this.releaseLease();
    });
    this.attach(socket);
    this.apply(this.session.greeting());
    this.flush();
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    watchSocket(socket, {
      onData: (chunk) => this.onData(chunk),
      idle: { timeoutMs: this.context.config.pop3IdleTimeoutMs, onIdle: () => this.onIdle() },
    });
  }

  private onData(chunk: Buffer): void {
    if (this.mode === 'closed') return;
    this.input.push(chunk);
    if (this.mode === 'command') this.guarded(() => this.pump());
  }

  private guarded(work: () => void): void {
    guarded(work, this.context.log, 'pop3', () => {
      this.mode = 'closed';
      this.socket.destroy();
    });
  }

  /** Run buffered command lines until one starts an effect, then write the replies at once. */
  private pump(): void {
    while (this.mode === 'command') {
      // Replies to a long pipeline are written in pieces, and reading stops while they pile up.
      if (this.socket.writableLength + this.outBytes > MAX_UNSENT_BYTES) {
        this.flush();
        if (this.socket.writableNeedDrain) {
          this.waitForDrain();
          break;
        }
      }
      const framed = this.input.readTextLine(MAX_AUTH_LINE_BYTES);
      if (!framed) break;
      this.apply(framed.kind === 'line' ? this.session.line(framed.text) : this.session.lineError(framed.kind));
    }
    this.flush();
  }

  private waitForDrain(): void {
    this.mode = 'drain';
    this.socket.pause();
    this.socket.once('drain', () => this.guarded(() => this.resume()));
  }

  private apply(step: Step): void {
    for (const reply of step.replies) {
      const wire = formatReply(reply);
      this.out.push(wire);
      this.outBytes += wire.length;
    }
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'login':
          this.run(() => this.openMaildrop(effect.user, effect.password), (outcome) => this.session.loginFinished(outcome));
          break;
        case 'retrieve':
          this.run(() => this.retrieve(effect), (outcome) => this.session.retrieved(effect, outcome));
          break;
        case 'update':
          this.run(() => this.update(effect.ids), (outcome) => this.session.updated(outcome));
          break;
        case 'start-tls':
          this.startTls();
          break;
        case 'close':
          this.close();
          break;
      }
    }
  }

  /** Carry out an async effect with input held, then hand its outcome back to the session. */
  private run<T>(work: () => Promise<T>, report: (outcome: T) => Step): void {
    this.mode = 'effect';
    this.socket.pause();
    void work().then((outcome) =>
      this.guarded(() => {
        if (this.mode === 'closed') return;
        this.mode = 'command';
        this.apply(report(outcome));
        this.resume();
      }),
    );
  }

  /** Back to reading commands after an effect or a drain, unless the session ended meanwhile. */
  private resume(): void {
    if (this.mode === 'closed') return;
    this.mode = 'command';
    if (this.shutdownRequested) {
      this.apply(this.session.shuttingDown());
      this.flush();
      return;
    }
    this.socket.resume();
    this.pump();
  }

  /** Authenticate, take the maildrop lock, snapshot the inbox (RFC 1939 §4). Never rejects. */
  private async openMaildrop(user: string, password: string): Promise<LoginOutcome> {
    let lease: MaildropLease | null = null;
    try {
      const login = await this.context.auth.login(user, password);
      if (!login.ok) return { kind: 'refused', reason: login.reason };
      lease = await this.locks.acquire(login.inbox);
      if (!lease) return { kind: 'in-use' };
      const entries = await this.context.store.mailbox(login.inbox);
      if (this.mode === 'closed') {
        lease.release(); // the client left while we were opening its maildrop
        return { kind: 'unavailable' };
      }
      this.lease = lease;
      return { kind: 'opened', inbox: login.inbox, entries };
    } catch (error) {
      lease?.release();
      this.context.log.error({ err: String(error) }, 'pop3 login failed');
      return { kind: 'unavailable' };
    }
  }

  private async retrieve(effect: RetrieveEffect): Promise<RetrieveOutcome> {
    try {
      const raw = await this.context.store.raw(effect.id);
      if (!raw) return { kind: 'gone' };
      if (effect.markSeen) await this.context.store.setFlags([effect.id], 'add', ['seen']);
      return { kind: 'read', raw };
    } catch (error) {
      this.context.log.error({ err: String(error), id: effect.id }, 'pop3 read failed');
      return { kind: 'failed' };
    }
  }

  private async update(ids: number[]): Promise<UpdateOutcome> {
    try {
      const deleted = await this.context.store.delete(ids);
      return { kind: 'done', deleted: deleted.length };
    } catch (error) {
      this.context.log.error({ err: String(error) }, 'pop3 update failed');
      return { kind: 'failed' };
    } finally {
      this.releaseLease();
    }
  }

  private releaseLease(): void {
    this.lease?.release();
    this.lease = null;
  }

  private flush(): void {
    if (this.out.length === 0 || this.socket.destroyed) return;
    this.socket.write(this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out));
    this.out = [];
    this.outBytes = 0;
  }

  private startTls(): void {
    this.flush();
    this.mode = 'tls';
    void switchToTls(this.socket as net.Socket, this.context.tls, this.input, () => this.mode === 'closed').then((secure) => {
      if (!secure) return;
      this.socket = secure;
      this.attach(secure);
      this.session.tlsStarted();
      this.guarded(() => this.resume());
    });
  }

  private onIdle(): void {
    // Waiting on the store is not the client's idleness; the handshake has its own timer.
    if (this.mode === 'effect' || this.mode === 'tls' || this.mode === 'closed') return;
    this.apply(this.session.timedOut());
  }

  /** Graceful shutdown: idle sessions end now without UPDATE; one mid-effect finishes it first. */
  shutdown(): void {
    this.shutdownRequested = true;
    if (this.mode === 'command') {
      this.apply(this.session.shuttingDown());
      this.flush();
    }
  }

  private close(): void {
    this.mode = 'closed';
    this.releaseLease();
    this.flush();
    endSession(this.socket);
  }
}

export async function startPop3Server(context: ServerContext, locks: MaildropLocks = new InProcessMaildropLocks()): Promise<RunningServer> {
  const { config } = context;
  const settings: SessionSettings = { hostname: config.hostname, maxErrors: MAX_ERRORS, tlsAvailable: true };
  const connections = new WeakMap<net.Socket, Pop3Connection>();
  return startTcpServer({
    name: 'pop3',
    listen: config.pop3,
    limits: { maxConnections: config.maxConnections, maxConnectionsPerIp: config.maxConnectionsPerIp },
    busyReply: (reason) => formatReply(reason === 'total' ? R.tooManyConnections : R.tooManyConnectionsFromIp).toString(),
    onConnection: (socket) => connections.set(socket, new Pop3Connection(socket, context, locks, settings)),
    onShutdown: (socket) => connections.get(socket)?.shutdown(),
  });
}
