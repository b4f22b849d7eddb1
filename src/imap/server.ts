/**
 * The IMAP socket shell: bytes from the socket are framed into commands (framing.ts: lines and
 * literals, `+` continuations for synchronizing literals) and handed to the pure-ish session one
 * at a time; its responses go back through a sink that waits for the socket to drain, and its
 * effects are carried out here: the STARTTLS upgrade, closing. Timers and TLS live here only.
 *
 * Limits: command lines of 8 KiB (RFC 7162 §4 recommends at least 8192 octets), literals of
 * 64 KiB (no command here needs more; APPEND is refused), an autologout timer of
 * --imap-timeout (30 minutes by default, RFC 3501 §5.4) reset only by what the client sends, so
 * IDLE ends there too; an error count that ends abusive sessions, and per-IP connection limits.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { ServerContext } from '../app.js';
import { countSession, endSession, watchSocket } from '../protocol/connection.js';
import { InputBuffer } from '../protocol/input.js';
import { startTcpServer, type RunningServer } from '../protocol/tcp-server.js';
import { switchToTls } from '../protocol/tls.js';
import type { Effect, Sink } from './command.js';
import { toBuffer } from './format.js';
import { CommandFramer, type FramingLimits } from './framing.js';
import { MessageCache } from './message-cache.js';
import { ImapSession, type SessionServices, type SessionSettings } from './session.js';

export const LIMITS: FramingLimits = {
  maxLineBytes: 8 * 1024,
  maxLiteralBytes: 64 * 1024,
  maxCommandBytes: 128 * 1024,
};
const MAX_ERRORS = 20;
/** Wait for the client to read once this much is unsent (a large FETCH streams). */
const MAX_UNSENT_BYTES = 1024 * 1024;
/** Stop reading from a client that sends this much ahead of our answers. */
const MAX_BUFFERED_BYTES = 512 * 1024;

type Mode = 'command' | 'tls' | 'closed';

class ImapConnection {
  private socket: net.Socket | tls.TLSSocket;
  private readonly input = new InputBuffer();
  private readonly framer = new CommandFramer(this.input, LIMITS);
  private readonly session: ImapSession;
  private mode: Mode = 'command';
  private running = false;
  private shutdownRequested = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly sink: Sink = { send: (line) => this.send(line) };

  constructor(
    socket: net.Socket,
    private readonly context: ServerContext,
    settings: SessionSettings,
    services: SessionServices,
  ) {
    this.socket = socket;
    this.session = new ImapSession(settings, services);
    this.session.onUpdate = () => void this.pump();
    countSession(socket, context.metrics, 'imap', () => {
      this.mode = 'closed';
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.session.dispose();
    });
    this.attach(socket);
    const timeoutMs = context.config.imapIdleTimeoutMs;
    if (timeoutMs > 0) this.idleTimer = setTimeout(() => void this.onIdle(), timeoutMs);
    void this.send(this.session.greeting());
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    // No socket idle timer: the autologout timer is reset only by what the client sends.
    watchSocket(socket, { onData: (chunk) => this.onData(chunk) });
  }

  private onData(chunk: Buffer): void {
    if (this.mode !== 'command') return;
    this.idleTimer?.refresh();
    this.input.push(chunk);
    if (this.running && this.input.size > MAX_BUFFERED_BYTES) this.socket.pause();
    void this.pump();
  }

  private async send(line: string | Array<string | Buffer>): Promise<void> {
    const socket = this.socket;
    if (this.mode === 'closed' || socket.destroyed) return;
    socket.write(toBuffer([...(typeof line === 'string' ? [line] : line), '\r\n']));
    if (socket.writableLength > MAX_UNSENT_BYTES) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          socket.off('drain', done);
          socket.off('close', done);
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
    }
  }

  /** Run commands from the buffer one at a time until more input is needed. */
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.mode === 'command') {
        if (this.session.idling) await this.session.pushUpdates(this.sink);
        let effects: Effect[];
        if (this.session.awaitingLine) {
          const framed = this.input.readLine(LIMITS.maxLineBytes);
          if (!framed) break;
          effects = await this.session.continueWith(framed.kind === 'line' ? framed.line.toString('utf8') : '', this.sink);
        } else {
          const framed = this.framer.next();
          if (!framed) break;
          if (framed.kind === 'continue') {
            await this.send('+ Ready for literal data');
            continue;
          }
          effects =
            framed.kind === 'error'
              ? await this.session.framingError(framed.tag, framed.text, framed.fatal, this.sink)
              : await this.session.command(framed.command, this.sink);
        }
        this.apply(effects);
        if (this.shutdownRequested && this.mode === 'command' && !this.session.awaitingLine) this.apply(await this.session.bye('Server shutting down', this.sink));
      }
    } finally {
      this.running = false;
      if (this.mode === 'command' && this.socket.isPaused()) this.socket.resume();
    }
  }

  private apply(effects: Effect[]): void {
    for (const effect of effects) {
      if (effect.kind === 'start-tls') this.startTls();
      else this.close();
    }
  }

  private startTls(): void {
    this.framer.reset();
    this.mode = 'tls';
    void switchToTls(this.socket as net.Socket, this.context.tls, this.input, () => this.mode === 'closed').then((secure) => {
      if (!secure) return;
      this.socket = secure;
      this.attach(secure);
      this.session.tlsStarted();
      this.mode = 'command';
    });
  }

  private async onIdle(): Promise<void> {
    if (this.mode === 'closed') return;
    if (this.running || this.mode === 'tls') {
      this.socket.destroy(); // stuck mid-command (a client that does not read) or mid-handshake
      return;
    }
    this.running = true;
    this.apply(await this.session.bye('Autologout: idle for too long', this.sink));
  }

  /** Graceful shutdown: a session between commands is told BYE now, one mid-command after it. */
  shutdown(): void {
    this.shutdownRequested = true;
    if (!this.running && this.mode === 'command') {
      this.running = true;
      void this.session.bye('Server shutting down', this.sink).then((effects) => this.apply(effects));
    }
  }

  private close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    endSession(this.socket);
  }
}

export async function startImapServer(context: ServerContext): Promise<RunningServer> {
  const { config } = context;
  const settings: SessionSettings = { hostname: config.hostname, maxErrors: MAX_ERRORS, tlsAvailable: true };
  const services: SessionServices = {
    store: context.store,
    events: context.events,
    auth: context.auth,
    messages: new MessageCache(context.store),
    onError: (error) => context.log.error({ err: String(error) }, 'imap command failed'),
  };
  const connections = new WeakMap<net.Socket, ImapConnection>();
  return startTcpServer({
    name: 'imap',
    listen: config.imap,
    limits: { maxConnections: config.maxConnections, maxConnectionsPerIp: config.maxConnectionsPerIp },
    busyReply: (reason) => `* BYE ${reason === 'total' ? 'Too many connections' : 'Too many connections from your address'}, try again later\r\n`,
    onConnection: (socket) => connections.set(socket, new ImapConnection(socket, context, settings, services)),
    onShutdown: (socket) => connections.get(socket)?.shutdown(),
  });
}
