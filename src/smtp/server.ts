/**
 * The SMTP socket shell: bytes from the socket go through the framing (protocol/input.ts in
 * command mode, smtp/data.ts in DATA mode) into the pure session; its replies are written back
 * in one write per batch of pipelined commands, and its effects carried out here: DATA mode,
 * TLS upgrade, close. Timers, TLS and the store call live here and nowhere in the session.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import type { ServerContext } from '../app.js';
import { RecipientRouter } from '../delivery/router.js';
import { ingest } from '../delivery/ingest.js';
import { countSession, endSession, guarded, watchSocket } from '../protocol/connection.js';
import { InputBuffer } from '../protocol/input.js';
import { startTcpServer, type RunningServer } from '../protocol/tcp-server.js';
import { switchToTls } from '../protocol/tls.js';
import { DataReader, type DataResult } from './data.js';
import { R, formatReply } from './replies.js';
import { SmtpSession, wire, type DataFinish, type SessionSettings, type Step } from './session.js';

/** RFC 5321 §4.5.3.1.4 allows 512 octets; we allow more for long ESMTP parameters. */
export const MAX_COMMAND_LINE_BYTES = 2048;
const MAX_ERRORS = 10;
/** Stop reading from a client that does not read our replies once this much is unsent. */
const MAX_UNSENT_BYTES = 1024 * 1024;

let queueCounter = 0;
function nextQueueId(): string {
  queueCounter = (queueCounter + 1) % 0x1000000;
  return `${Date.now().toString(36).toUpperCase()}${queueCounter.toString(36).toUpperCase().padStart(5, '0')}`;
}

type Mode = 'command' | 'data' | 'busy' | 'closed';

class SmtpConnection {
  private socket: net.Socket | tls.TLSSocket;
  private readonly input = new InputBuffer();
  private readonly session: SmtpSession;
  private mode: Mode = 'command';
  private data: DataReader | null = null;
  private out: string[] = [];
  private shutdownRequested = false;
  private readonly remoteAddress: string;

  constructor(
    socket: net.Socket,
    private readonly context: ServerContext,
    settings: SessionSettings,
  ) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.session = new SmtpSession(settings);
    countSession(socket, context.metrics, 'smtp', () => (this.mode = 'closed'));
    this.attach(socket);
    this.send(this.session.greeting());
    this.flush();
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    watchSocket(socket, {
      onData: (chunk) => this.onData(chunk),
      idle: { timeoutMs: this.context.config.smtpIdleTimeoutMs, onIdle: () => this.onIdle() },
    });
  }

  private onData(chunk: Buffer): void {
    if (this.mode === 'closed') return;
    this.input.push(chunk);
    this.guarded(() => this.pump());
  }

  private guarded(work: () => void): void {
    guarded(work, this.context.log, 'smtp', () => {
      this.mode = 'closed';
      this.socket.destroy();
    });
  }

  /** Process as much buffered input as the current mode allows, then write the replies at once. */
  private pump(): void {
    while (this.mode === 'command' || this.mode === 'data') {
      if (this.mode === 'command') {
        const framed = this.input.readTextLine(MAX_COMMAND_LINE_BYTES);
        if (!framed) break;
        this.apply(framed.kind === 'line' ? this.session.command(framed.text) : this.session.lineError(framed.kind));
      } else {
        if (this.input.size === 0) break;
        const result = this.data!.feed(this.input.takeAll());
        if (result) this.endOfData(result);
      }
    }
    this.flush();
  }

  private apply(step: Step): void {
    this.send(step);
    for (const effect of step.effects) {
      switch (effect.kind) {
        case 'start-data':
          this.mode = 'data';
          this.data = new DataReader(this.context.config.maxMessageBytes);
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

  private send(step: Step): void {
    if (step.replies.length) this.out.push(wire(step));
  }

  private flush(): void {
    if (this.out.length === 0 || this.socket.destroyed) return;
    this.socket.write(this.out.length === 1 ? this.out[0]! : this.out.join(''));
    this.out = [];
    if (this.socket.writableLength > MAX_UNSENT_BYTES && !this.socket.isPaused()) {
      this.socket.pause();
      this.socket.once('drain', () => this.socket.resume());
    }
  }

  private endOfData(result: DataResult): void {
    this.data = null;
    this.input.push(result.rest);
    this.context.metrics.messagesReceived.inc();
    if (result.outcome !== 'complete') {
      this.context.metrics.messagesRejected.inc({ reason: result.outcome });
      this.finishData({ kind: result.outcome });
      return;
    }
    // Hold further input (pipelined commands) until the store has answered.
    this.mode = 'busy';
    this.socket.pause();
    const started = process.hrtime.bigint();
    const transaction = this.session.transaction!;
    const queueId = nextQueueId();
    ingest(this.context.store, {
      trace: {
        helo: this.session.helo,
        remoteAddress: this.remoteAddress,
        hostname: this.context.config.hostname,
        esmtp: this.session.esmtp,
        tls: this.session.tls,
        smtputf8: transaction.smtputf8,
        id: queueId,
      },
      envelope: {
        mailFrom: transaction.mailFrom,
        rcptTo: transaction.recipients.map((r) => r.address),
        remoteAddress: this.remoteAddress,
        helo: this.session.helo,
        tls: this.session.tls,
      },
      inboxes: transaction.recipients.map((r) => r.inbox),
      segments: result.segments,
    }).then(
      (ids) => {
        this.context.metrics.messagesStored.inc(ids.length);
        this.context.metrics.ingestSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
        this.finishData({ kind: 'stored', queueId });
      },
      (error: unknown) => {
        this.context.log.error({ err: String(error) }, 'store failed; answered 451');
        this.context.metrics.messagesRejected.inc({ reason: 'store-failed' });
        this.finishData({ kind: 'store-failed' });
      },
    );
  }

  private finishData(finish: DataFinish): void {
    if (this.mode === 'closed') return;
    this.mode = 'command';
    this.guarded(() => {
      this.apply(this.session.dataFinished(finish));
      if (this.shutdownRequested && this.mode === 'command') this.apply(this.session.shuttingDown());
      if (this.mode === 'command') this.socket.resume();
      this.pump();
    });
  }

  private startTls(): void {
    this.flush();
    this.mode = 'busy';
    void switchToTls(this.socket as net.Socket, this.context.tls, this.input, () => this.mode === 'closed').then((secure) => {
      if (!secure) return;
      this.socket = secure;
      this.attach(secure);
      this.session.tlsStarted();
      this.mode = 'command';
    });
  }

  private onIdle(): void {
    if (this.mode === 'busy') return; // waiting on the store, not on the client
    this.apply(this.session.timedOut());
    this.flush();
  }

  /** Graceful shutdown: idle sessions are told 421 now, a transfer in progress finishes first. */
  shutdown(): void {
    this.shutdownRequested = true;
    if (this.mode === 'command') {
      this.apply(this.session.shuttingDown());
      this.flush();
    }
  }

  private close(): void {
    this.mode = 'closed';
    this.flush();
    endSession(this.socket);
  }
}

export async function startSmtpServer(context: ServerContext): Promise<RunningServer> {
  const { config } = context;
  const settings: SessionSettings = {
    hostname: config.hostname,
    maxMessageBytes: config.maxMessageBytes,
    maxRecipients: config.maxRecipients,
    maxErrors: MAX_ERRORS,
    tlsAvailable: true,
    router: new RecipientRouter({ domains: config.domains }),
  };
  const connections = new WeakMap<net.Socket, SmtpConnection>();
  return startTcpServer({
    name: 'smtp',
    listen: config.smtp,
    limits: { maxConnections: config.maxConnections, maxConnectionsPerIp: config.maxConnectionsPerIp },
    busyReply: (reason) => formatReply(reason === 'total' ? R.tooManyConnections : R.tooManyConnectionsFromIp),
    onConnection: (socket) => connections.set(socket, new SmtpConnection(socket, context, settings)),
    onShutdown: (socket) => connections.get(socket)?.shutdown(),
  });
}
