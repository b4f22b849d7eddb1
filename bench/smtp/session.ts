/**
 * One SMTP load session on a raw socket, written for speed: no SMTP library, pre-built
 * payloads, and pipelining (RFC 2920) when the server's EHLO advertises PIPELINING.
 *
 * per-connection: connect, 220, EHLO, MAIL+RCPT+DATA in one write, 354, the message with QUIT
 *   behind it, 250, 221, hang up, connect again (the shape of inbound MX traffic).
 * persistent: one connection; after each 354 the message is written together with the next
 *   MAIL+RCPT+DATA, so a transaction costs one round trip.
 *
 * Latency is from the write that carries the end-of-data line "." to the 250 for it
 * (process.hrtime.bigint()). Each reply is matched to the handler queued for it; an unexpected
 * code, a protocol error or a dropped connection counts as an error and starts a fresh
 * connection after a short pause. The owner's `shouldStart()` bounds every loop in count and time.
 */
import net from 'node:net';
import { envelopeLines } from '../payloads.js';
import { ReplyReader, advertises, type SmtpReply } from './replies.js';

export type SmtpMode = 'per-connection' | 'persistent';

export interface SessionHooks {
  host: string;
  port: number;
  mode: SmtpMode;
  /** The next message to send: dot-stuffed, ending with the end-of-data line. */
  nextPayload(): Buffer;
  /** Pre-built pipelined envelopes; the session picks the next one from `nextEnvelope()`. */
  nextEnvelope(): { pipelined: Buffer; inbox: string };
  /** Whether another message may be started now (time and count bounds); called once per message started. */
  shouldStart(): boolean;
  /** A message was accepted: end of DATA write and 250 times. */
  completed(startNs: bigint, endNs: bigint): void;
  failed(reason: string): void;
  /** The session has stopped for good. */
  finished(): void;
}

const RETRY_PAUSE_MS = 20;
const QUIT = Buffer.from('QUIT\r\n', 'latin1');
const EHLO = Buffer.from('EHLO bench.client.test\r\n', 'latin1');

type Handler = (reply: SmtpReply) => void;

export class SmtpLoadSession {
  private socket: net.Socket | null = null;
  private reader = new ReplyReader();
  private handlers: Array<{ code: number; then: Handler }> = [];
  private pipelining = false;
  private closing = false;
  private done = false;
  private readonly replies: SmtpReply[] = [];

  constructor(private readonly hooks: SessionHooks) {}

  start(): void {
    if (!this.hooks.shouldStart()) return this.finish();
    this.connect();
  }

  /** Drop the connection now (hard time limit). */
  abort(): void {
    this.socket?.destroy();
    this.finish();
  }

  private connect(): void {
    this.reader = new ReplyReader();
    this.handlers = [];
    this.closing = false;
    const socket = net.connect({ host: this.hooks.host, port: this.hooks.port, noDelay: true });
    this.socket = socket;
    this.expect(220, () => this.hello());
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (error) => this.fail(socket, error.message));
    socket.on('close', () => {
      if (!this.closing) this.fail(socket, 'connection closed by the server');
    });
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
    try {
      this.reader.push(chunk, this.replies);
    } catch (error) {
      this.replies.length = 0;
      return this.fail(socket, (error as Error).message);
    }
    for (let i = 0; i < this.replies.length && socket === this.socket; i++) {
      const reply = this.replies[i]!;
      const handler = this.handlers.shift();
      if (!handler) return this.fail(socket, `unexpected reply ${reply.code} ${reply.lines.join(' / ')}`);
      if (reply.code !== handler.code) {
        return this.fail(socket, `expected ${handler.code}, got ${reply.code} ${reply.lines.join(' / ')}`);
      }
      handler.then(reply);
    }
    this.replies.length = 0;
  }

  private expect(code: number, then: Handler = () => {}): void {
    this.handlers.push({ code, then });
  }

  private hello(): void {
    this.socket!.write(EHLO);
    this.expect(250, (reply) => {
      this.pipelining = advertises(reply, 'PIPELINING');
      this.transaction();
    });
  }

  /** MAIL, RCPT, DATA: in one write when pipelining, else one at a time. */
  private transaction(): void {
    const next = this.hooks.nextEnvelope();
    if (this.pipelining) {
      this.socket!.write(next.pipelined);
      this.expectEnvelopeReplies();
      return;
    }
    const [mail, rcpt, data] = envelopeLines(next.inbox);
    this.socket!.write(mail!);
    this.expect(250, () => {
      this.socket!.write(rcpt!);
      this.expect(250, () => {
        this.socket!.write(data!);
        this.expect(354, () => this.sendMessage());
      });
    });
  }

  private expectEnvelopeReplies(): void {
    this.expect(250);
    this.expect(250);
    this.expect(354, () => this.sendMessage());
  }

  private sendMessage(): void {
    const socket = this.socket!;
    const another = this.hooks.mode === 'persistent' && this.hooks.shouldStart();
    socket.cork();
    socket.write(this.hooks.nextPayload());
    let next: { pipelined: Buffer; inbox: string } | null = null;
    if (another && this.pipelining) {
      next = this.hooks.nextEnvelope();
      socket.write(next.pipelined);
    } else if (!another && this.pipelining) {
      socket.write(QUIT);
    }
    const startNs = process.hrtime.bigint();
    socket.uncork();
    this.expect(250, () => {
      this.hooks.completed(startNs, process.hrtime.bigint());
      if (next) return this.expectEnvelopeReplies();
      if (another) return this.transaction();
      if (!this.pipelining) socket.write(QUIT);
      this.expect(221, () => this.hangUp(socket));
    });
  }

  private hangUp(socket: net.Socket): void {
    this.closing = true;
    socket.destroy();
    this.socket = null;
    if (this.hooks.mode === 'per-connection' && this.hooks.shouldStart()) this.connect();
    else this.finish();
  }

  private fail(socket: net.Socket, reason: string): void {
    if (socket !== this.socket || this.done) return;
    this.closing = true;
    socket.destroy();
    this.socket = null;
    this.hooks.failed(reason);
    setTimeout(() => this.start(), RETRY_PAUSE_MS);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.hooks.finished();
  }
}
