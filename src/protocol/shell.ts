/**
 * The connection shell: the one place that owns a protocol connection's socket, for SMTP, POP3
 * and IMAP alike. A protocol plugs in as a `LineProtocol`: it reads its own framing from the
 * input buffer and answers with `Turn`s (bytes to send, and at most one effect); the shell does
 * everything that touches the socket, the same way for every protocol:
 *
 * - **Input** is buffered and handed to the protocol only in the `reading` mode. While an effect
 *   runs (a store call), during a TLS handshake and while the client does not read our output,
 *   input is held, so pipelined commands run strictly in order; the socket itself is paused
 *   once more than MAX_HELD_INPUT_BYTES are held, so a client cannot make us buffer without end.
 * - **Output** of one batch of pipelined commands is written in one write (RFC 2920 §3.1's
 *   reason for pipelining). One backpressure policy: once more than MAX_UNSENT_BYTES are
 *   unsent, the shell stops reading (mode `draining`) and effects that stream (`send`) wait,
 *   until the socket drains.
 * - **Effects**: `close`, `start-tls`, and `await` (asynchronous work whose result is the next
 *   turn). At most one is in flight: the protocol is not asked for another turn until it
 *   settles, and a second effect while one runs is a bug that ends the session.
 * - **Idle timer** (from the injected Clock), restarted by client input and by the socket
 *   draining. When it fires, the protocol's `idle()` answers, unless the client is the one not
 *   reading (dropped at once) or an effect is running (the store's slowness is not the client's).
 * - **STARTTLS**: plaintext buffered behind the command is discarded (protocol/tls.ts), the
 *   socket upgraded, and the protocol told with `tlsStarted()`.
 * - **Session guard**: a throw from the protocol ends that session, never the process.
 * - **Shutdown**: `shutdown()` asks the protocol between turns; it may answer "not now" (mid
 *   transfer) and is asked again after each turn.
 * - **Ending**: `ended()` is called exactly once, when the session closes or the socket goes
 *   away, before the final output is flushed, so what the session holds (a POP3 maildrop lease)
 *   is released in one place and before the client reads the last reply.
 */
import type net from 'node:net';
import tls from 'node:tls';
import type { Clock, Timer } from '../clock.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { InputBuffer } from './input.js';
import { switchToTls } from './tls.js';

export type Chunk = string | Buffer;

export type ShellEffect =
  | { kind: 'close' }
  | { kind: 'start-tls' }
  /** Input is held until `work` settles; the turn it resolves to is applied next. */
  | { kind: 'await'; work: Promise<Turn> };

/** What one step of a protocol asks of the shell: bytes to send in order, then one effect. */
export interface Turn {
  output?: Chunk[];
  effect?: ShellEffect;
}

/** What a protocol may ask of its shell outside a turn. */
export interface ShellHandle {
  readonly remoteAddress: string;
  /** The TLS protocol version and cipher once STARTTLS completed; null in plaintext. */
  tlsInfo(): { version: string; cipher: string } | null;
  /**
   * Send from inside a running effect (a large FETCH): resolves at once, or once the socket has
   * drained when too much is unsent, so a streaming effect never piles up in memory.
   */
  send(chunks: Chunk[]): Promise<void>;
  /** Something happened that the protocol wants to report without input (IMAP IDLE updates). */
  wake(): void;
  /** Input received and not yet read by the protocol (the pregreet test: did the client talk first?). */
  readonly heldInputBytes: number;
}

export interface LineProtocol {
  greeting(): Turn;
  /** The next turn from buffered input, or null when more input is needed. */
  next(input: InputBuffer): Turn | null;
  /** The client has been quiet for the idle timeout. */
  idle(): Turn;
  /** Shutdown has begun: the turn that ends the session now, or null to be asked after the next turn. */
  shutdown(): Turn | null;
  /** The TLS handshake completed; the protocol starts over (RFC 3207 §4.2, RFC 2595 §4, RFC 3501 §6.2.1). */
  tlsStarted(): Turn | null;
  /** The session is over: release what it holds. Called exactly once. */
  ended(): void;
  /**
   * Connection shedding: whether this session may be closed to admit a newcomer or under
   * stress (an untrusted client between transactions), and the turn that closes it.
   */
  sheddable?(): boolean;
  shed?(): Turn;
}

export interface ShellSettings {
  /** The protocol's name in logs and the sessions-open gauge. */
  name: string;
  /** 0: no idle timer. */
  idleTimeoutMs: number;
  tls: tls.SecureContext;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  /** Told of every input (the listener keeps sessions in order of activity for shedding). */
  onInput?: (shell: ConnectionShell) => void;
}

/** Stop reading once this much of our output is unsent: the client is not reading. */
export const MAX_UNSENT_BYTES = 1024 * 1024;
/** Pause the socket once this much input is held unread (pipelining far ahead of our answers). */
const MAX_HELD_INPUT_BYTES = 512 * 1024;
/** How long a client may take to close its side after our last reply before we drop it. */
const CLOSE_LINGER_MS = 2000;

type Mode = 'reading' | 'effect' | 'draining' | 'tls' | 'closed';

export class ConnectionShell implements ShellHandle {
  private socket: net.Socket | tls.TLSSocket;
  private readonly input = new InputBuffer();
  private readonly protocol: LineProtocol;
  private mode: Mode = 'reading';
  private out: Chunk[] = [];
  private outBytes = 0;
  private pumping = false;
  private shutdownRequested = false;
  private shutdownAnswered = false;
  private hasEnded = false;
  private readonly idleTimer: Timer | null;
  readonly remoteAddress: string;
  /** When the client last sent something (or connected). */
  lastInputAtMs: number;

  constructor(
    socket: net.Socket,
    private readonly settings: ShellSettings,
    makeProtocol: (shell: ShellHandle) => LineProtocol,
  ) {
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.lastInputAtMs = settings.clock.now();
    settings.metrics.sessionsOpen.inc({ protocol: settings.name });
    socket.once('close', () => {
      this.mode = 'closed';
      this.idleTimer?.cancel();
      this.end();
      settings.metrics.sessionsOpen.dec({ protocol: settings.name });
    });
    this.idleTimer = settings.idleTimeoutMs > 0 ? settings.clock.after(settings.idleTimeoutMs, () => this.guard(() => this.onIdle())) : null;
    this.protocol = makeProtocol(this);
    this.attach(socket);
    this.guard(() => {
      this.apply(this.protocol.greeting());
      this.pump();
    });
  }

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('drain', () => this.idleTimer?.refresh());
  }

  private onData(chunk: Buffer): void {
    if (this.mode === 'closed') return;
    this.idleTimer?.refresh();
    this.lastInputAtMs = this.settings.clock.now();
    this.settings.onInput?.(this);
    this.input.push(chunk);
    if (this.mode === 'reading') this.guard(() => this.pump());
    else if (this.input.size > MAX_HELD_INPUT_BYTES) this.socket.pause();
  }

  /** Run `work`; if it throws, log it and drop the connection: a bug ends this session only. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.settings.log.error({ err: String(error) }, `${this.settings.name} session failed`);
      this.destroy();
    }
  }

  /** Hand buffered input to the protocol turn by turn until it needs more, then write at once. */
  private pump(): void {
    if (this.pumping) return; // a turn applied inside the loop (wake) is picked up by the loop
    this.pumping = true;
    try {
      while (this.mode === 'reading') {
        if (this.outBytes + this.socket.writableLength > MAX_UNSENT_BYTES) {
          this.flush();
          if (this.socket.writableNeedDrain) {
            this.waitForDrain();
            break;
          }
        }
        const turn = this.protocol.next(this.input);
        if (!turn) break;
        this.apply(turn);
      }
    } finally {
      this.pumping = false;
    }
    this.flush();
    if (this.mode === 'reading' && this.socket.isPaused()) this.socket.resume();
  }

  private apply(turn: Turn): void {
    if (this.mode === 'closed') return;
    if (turn.output) for (const chunk of turn.output) this.queue(chunk);
    const effect = turn.effect;
    if (effect) {
      if (this.mode !== 'reading') throw new Error(`${this.settings.name}: an effect was asked for while another is in flight`);
      if (effect.kind === 'close') this.close();
      else if (effect.kind === 'start-tls') this.startTls();
      else this.await(effect.work);
    }
    this.askToShutDown();
  }

  /** Once shutdown began, ask the protocol between turns until it gives its last one. */
  private askToShutDown(): void {
    if (!this.shutdownRequested || this.shutdownAnswered || this.mode !== 'reading') return;
    const last = this.protocol.shutdown();
    if (!last) return;
    this.shutdownAnswered = true;
    this.apply(last);
  }

  private await(work: Promise<Turn>): void {
    this.mode = 'effect';
    this.flush(); // never hold replies back while the store works
    work.then(
      (turn) =>
        this.guard(() => {
          if (this.mode === 'closed') return;
          this.mode = 'reading';
          this.apply(turn);
          this.pump();
        }),
      (error: unknown) =>
        this.guard(() => {
          throw error;
        }),
    );
  }

  private queue(chunk: Chunk): void {
    this.out.push(chunk);
    this.outBytes += chunk.length;
  }

  private flush(): void {
    if (this.out.length === 0) return;
    const out = this.out;
    this.out = [];
    this.outBytes = 0;
    if (this.socket.destroyed) return;
    if (out.length === 1) this.socket.write(out[0]!);
    else if (out.every((c) => typeof c === 'string')) this.socket.write(out.join(''));
    else this.socket.write(Buffer.concat(out.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c))));
  }

  private waitForDrain(): void {
    this.mode = 'draining';
    this.socket.pause();
    this.socket.once('drain', () =>
      this.guard(() => {
        if (this.mode !== 'draining') return;
        this.mode = 'reading';
        this.pump();
      }),
    );
  }

  send(chunks: Chunk[]): Promise<void> {
    if (this.mode === 'closed') return Promise.resolve();
    for (const chunk of chunks) this.queue(chunk);
    if (this.outBytes < 64 * 1024) return Promise.resolve();
    this.flush();
    if (this.socket.writableLength <= MAX_UNSENT_BYTES) return Promise.resolve();
    const socket = this.socket;
    return new Promise<void>((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  get heldInputBytes(): number {
    return this.input.size;
  }

  /** Whether the listener may close this session to make room (see LineProtocol.sheddable). */
  get sheddable(): boolean {
    return this.mode === 'reading' && (this.protocol.sheddable?.() ?? false);
  }

  /** Close this session to make room: the protocol's goodbye, then the close. */
  shed(): void {
    if (!this.sheddable || !this.protocol.shed) return;
    this.guard(() => {
      this.apply(this.protocol.shed!());
      this.flush();
    });
  }

  /** End a quiet session now as if its idle timer had fired (shorter timeouts under stress). */
  timeOut(): void {
    if (this.mode !== 'reading') return;
    this.guard(() => {
      this.apply(this.protocol.idle());
      this.flush();
    });
  }

  tlsInfo(): { version: string; cipher: string } | null {
    if (!(this.socket instanceof tls.TLSSocket)) return null;
    return { version: this.socket.getProtocol() ?? 'unknown', cipher: this.socket.getCipher()?.name ?? 'unknown' };
  }

  wake(): void {
    if (this.mode === 'reading') this.guard(() => this.pump());
  }

  private startTls(): void {
    this.flush();
    this.mode = 'tls';
    void switchToTls(this.socket as net.Socket, this.settings.tls, this.input, () => this.mode === 'closed').then((secure) => {
      if (!secure) return;
      this.socket = secure;
      this.attach(secure);
      this.guard(() => {
        this.mode = 'reading';
        const turn = this.protocol.tlsStarted();
        if (turn) this.apply(turn);
        this.pump();
      });
    });
  }

  private onIdle(): void {
    if (this.mode === 'closed') return;
    if (this.socket.writableLength > MAX_UNSENT_BYTES) {
      this.destroy(); // the client has not read our output for a whole idle period
      return;
    }
    if (this.mode !== 'reading') {
      this.idleTimer?.refresh(); // waiting on the store or the handshake, not on the client
      return;
    }
    this.apply(this.protocol.idle());
    this.flush();
  }

  /** Graceful shutdown: the protocol ends the session now if it can, else after the turn in progress. */
  shutdown(): void {
    this.shutdownRequested = true;
    this.guard(() => {
      this.askToShutDown();
      this.flush();
    });
  }

  private end(): void {
    if (this.hasEnded) return;
    this.hasEnded = true;
    this.protocol.ended();
  }

  /**
   * Close: release what the session holds, send what is queued and close our side; a client
   * that never closes its side must not hold the slot, so destroy after a linger. The linger
   * timer goes as soon as the socket closes: at thousands of connections a second, holding
   * every closed one for the full linger cost tens of MiB.
   */
  private close(): void {
    this.end();
    this.flush();
    this.mode = 'closed';
    this.idleTimer?.cancel();
    const socket = this.socket;
    socket.end();
    const linger = this.settings.clock.after(CLOSE_LINGER_MS, () => socket.destroy());
    socket.once('close', () => linger.cancel());
  }

  private destroy(): void {
    this.mode = 'closed';
    this.socket.destroy();
  }
}
