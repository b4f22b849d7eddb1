/**
 * One connection to the upstream MTA: SMTP commands as promises of the upstream's reply, with
 * PIPELINING (RFC 2920) when the upstream advertises it.
 *
 * Why a client of our own here, when the brief wants libraries on the client side: a proxy's
 * upstream leg is part of the product's state machine (each client RCPT waits on one upstream
 * RCPT, the client's end of data on the upstream's), and neither library fits it. emailjs 5
 * (used before) cannot pipeline: its reply monitor emits one reply per data event and every
 * waiting `send()` takes the same one, so a second command in flight gets the first's reply
 * or none; it cost three round trips and a write each per message. nodemailer's SMTPConnection
 * sends a whole envelope at once (`send(envelope, message)`), so it cannot give one RCPT's
 * verdict before the client's next command. What is left is small: a FIFO of replies owed,
 * reply framing (reply-reader.ts), EHLO/HELO, STARTTLS.
 *
 * - **Pipelining**: every command is written at once and its reply matched to it in order
 *   (RFC 2920 §3.1: replies come in the order of the commands). Writes made in one tick go out
 *   in one write (the socket is corked until the next tick), so the MAIL and RCPT of a
 *   transaction leave together. Whether a caller may send before the previous reply is in is
 *   the caller's decision (`extensions.pipelining`); this class only keeps the order.
 * - **Timeout**: one timer per connection, restarted by every reply and by a command sent when
 *   none was owed; it fails the connection when a reply owed is `timeoutMs` late (an upstream
 *   that stalls or half-closes). A connection waiting for nothing is never timed out here
 *   (the pool QUITs idle ones; mid-DATA the upstream waits for our client).
 * - **Failure**: a closed socket, an error, a timeout or a line that is not a reply fails every
 *   reply owed with an UpstreamFailure (there is no verdict to relay) and the connection is
 *   unusable from then on: after a lost reply, the next one could be taken for another's.
 * - **STARTTLS** (RFC 3207) when offered and --upstream-tls is not off; the certificate is not
 *   verified, which is opportunistic security as MTAs practise it between themselves (RFC
 *   7435): `require` means encrypted, not authenticated. Anything read before the handshake is
 *   discarded and EHLO is sent again (§4.2).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Clock, Timer } from '../clock.js';
import { parseExtensions, ReplyReader, type UpstreamExtensions, type UpstreamReply } from './reply-reader.js';

export type { UpstreamExtensions, UpstreamReply } from './reply-reader.js';
export type UpstreamTlsMode = 'require' | 'opportunistic' | 'off';

export interface UpstreamAddress {
  host: string;
  port: number;
}

export interface UpstreamSettings extends UpstreamAddress {
  /** The name we give in EHLO. */
  heloName: string;
  tls: UpstreamTlsMode;
  /** How long one reply may be late. */
  timeoutMs: number;
}

/** No reply to relay: the upstream could not be reached, did not answer in time, or closed. */
export class UpstreamFailure extends Error {}
class TlsFailure extends UpstreamFailure {}
const ignore = (): void => undefined;

interface Owed {
  /** What the reply answers, for the failure's text ("RCPT: no reply in 2000 ms"). */
  what: string;
  resolve(reply: UpstreamReply): void;
  reject(error: UpstreamFailure): void;
}

export class UpstreamConnection {
  /** Transactions finished on this connection (a reused one may have died while idle). */
  transactions = 0;
  extensions: UpstreamExtensions = parseExtensions(null);
  /** STARTTLS was done: the rest of the session is encrypted. */
  encrypted = false;
  private socket: net.Socket | tls.TLSSocket;
  private readonly reader = new ReplyReader();
  private readonly owed: Owed[] = [];
  private readonly replies: UpstreamReply[] = [];
  private readonly timer: Timer;
  private failure: UpstreamFailure | null = null;
  /** The reply owed last: once it is in (or failed), nothing is owed. */
  private last: Promise<unknown> = Promise.resolve();
  private corked = false;
  private quitting = false;
  private gone: (() => void) | null = null;

  private constructor(
    private readonly settings: UpstreamSettings,
    clock: Pick<Clock, 'after'>,
  ) {
    this.socket = net.connect({ host: settings.host, port: settings.port, noDelay: true });
    this.attach(this.socket);
    this.timer = clock.after(settings.timeoutMs, () => this.onTimer());
  }

  /**
   * Connect, read the greeting, EHLO (HELO if EHLO is refused) and, as --upstream-tls says,
   * STARTTLS and EHLO again. `opportunistic` falls back to a plaintext connection if the TLS
   * handshake fails; `require` fails if STARTTLS is not offered or does not work.
   */
  static async open(settings: UpstreamSettings, clock: Pick<Clock, 'after'>): Promise<UpstreamConnection> {
    try {
      return await UpstreamConnection.openOnce(settings, clock, settings.tls);
    } catch (error) {
      if (settings.tls !== 'opportunistic' || !(error instanceof TlsFailure)) throw error;
      return UpstreamConnection.openOnce(settings, clock, 'off');
    }
  }

  private static async openOnce(settings: UpstreamSettings, clock: Pick<Clock, 'after'>, tlsMode: UpstreamTlsMode): Promise<UpstreamConnection> {
    const where = `${settings.host}:${settings.port}`;
    const connection = new UpstreamConnection(settings, clock);
    try {
      const greeting = await connection.expect(`connect to ${where}`);
      if (greeting.code !== 220) throw new UpstreamFailure(`${where} greeted with ${greeting.code} ${greeting.text}`);
      connection.extensions = await connection.hello();
      if (tlsMode !== 'off' && connection.extensions.startTls) {
        try {
          const go = await connection.command('STARTTLS');
          if (go.code !== 220) throw new Error(`answered ${go.code} ${go.text}`);
          await connection.startTls(clock);
          connection.extensions = await connection.hello();
        } catch (error) {
          throw new TlsFailure(`STARTTLS with ${where} failed: ${(error as Error).message}`);
        }
      } else if (tlsMode === 'require') {
        throw new UpstreamFailure(`${where} does not offer STARTTLS and --upstream-tls is require`);
      }
      return connection;
    } catch (error) {
      connection.close();
      throw error;
    }
  }

  /** Open and not failing: worth handing to the next transaction. */
  get usable(): boolean {
    return this.failure === null && !this.quitting && this.socket.writable && !this.socket.destroyed;
  }

  /** Called once if the connection fails or closes (the pool drops an idle one at once); null to stop. */
  onGone(listener: (() => void) | null): void {
    this.gone = listener;
  }

  mail(from: string, params: readonly string[]): Promise<UpstreamReply> {
    return this.command(params.length ? `MAIL FROM:<${from}> ${params.join(' ')}` : `MAIL FROM:<${from}>`, 'MAIL');
  }

  rcpt(to: string): Promise<UpstreamReply> {
    return this.command(`RCPT TO:<${to}>`, 'RCPT');
  }

  data(): Promise<UpstreamReply> {
    return this.command('DATA', 'DATA');
  }

  rset(): Promise<UpstreamReply> {
    return this.command('RSET', 'RSET');
  }

  /** The message, already dot-stuffed and ending with <CRLF>.<CRLF>; the reply is the upstream's verdict on it. */
  body(parts: readonly Buffer[]): Promise<UpstreamReply> {
    const reply = this.expect('end of data');
    for (const part of parts) this.write(part);
    return reply;
  }

  /** Say goodbye (RFC 5321 §4.1.1.10) and close once answered, or when the timer gives up. */
  quit(): void {
    if (!this.usable) return this.close();
    const bye = this.command('QUIT', 'QUIT');
    this.quitting = true;
    bye.then(
      () => this.close(),
      () => this.close(),
    );
  }

  close(): void {
    this.fail(new UpstreamFailure('closed by the proxy'));
    this.socket.destroy();
  }

  private command(line: string, what = line): Promise<UpstreamReply> {
    const reply = this.expect(what);
    this.write(`${line}\r\n`);
    return reply;
  }

  /** Owe one more reply, in order behind the others. */
  private expect(what: string): Promise<UpstreamReply> {
    if (this.failure) return Promise.reject(new UpstreamFailure(`${what}: ${this.failure.message}`));
    if (this.owed.length === 0) this.timer.refresh(); // the wait for this reply starts now
    const reply = new Promise<UpstreamReply>((resolve, reject) => this.owed.push({ what, resolve, reject }));
    this.last = reply;
    return reply;
  }

  /** Resolves once every reply owed so far is in, or the connection failed. */
  quiet(): Promise<void> {
    return this.last.then(ignore, ignore);
  }

  /** Everything written in one tick leaves in one write (a pipelined group, RFC 2920 §3.1). */
  private write(chunk: string | Buffer): void {
    if (this.failure) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(chunk);
  }

  private readonly onSocketData = (chunk: Buffer): void => this.onData(chunk);
  private readonly onSocketError = (error: Error): void => this.fail(new UpstreamFailure(error.message));
  private readonly onSocketClose = (): void => this.fail(new UpstreamFailure(this.quitting ? 'closed after QUIT' : 'connection closed by the upstream'));

  private attach(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', this.onSocketData);
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
  }

  private detach(socket: net.Socket | tls.TLSSocket): void {
    socket.off('data', this.onSocketData);
    socket.off('error', this.onSocketError);
    socket.off('close', this.onSocketClose);
  }

  private onData(chunk: Buffer): void {
    try {
      this.reader.push(chunk, this.replies);
    } catch (error) {
      this.replies.length = 0;
      this.fail(new UpstreamFailure((error as Error).message));
      this.socket.destroy();
      return;
    }
    for (const reply of this.replies) {
      const owed = this.owed.shift();
      if (!owed) {
        this.fail(new UpstreamFailure(`a reply nothing asked for: ${reply.code} ${reply.text.slice(0, 80)}`));
        this.socket.destroy();
        break;
      }
      owed.resolve(reply);
    }
    this.replies.length = 0;
    if (this.owed.length > 0) this.timer.refresh();
  }

  private onTimer(): void {
    if (this.owed.length === 0 || this.failure) return this.timer.refresh();
    this.fail(new UpstreamFailure(`no reply in ${this.settings.timeoutMs} ms`));
    this.socket.destroy();
  }

  /** The connection is done for: every reply owed fails with `failure`'s reason. */
  private fail(failure: UpstreamFailure): void {
    if (this.failure) return;
    this.failure = failure;
    this.timer.cancel();
    for (const owed of this.owed.splice(0)) owed.reject(new UpstreamFailure(`${owed.what}: ${failure.message}`));
    const gone = this.gone;
    this.gone = null;
    gone?.();
  }

  /** EHLO, or HELO if the upstream refuses EHLO (RFC 5321 §3.2): what it advertised. */
  private async hello(): Promise<UpstreamExtensions> {
    const ehlo = await this.command(`EHLO ${this.settings.heloName}`, 'EHLO');
    if (ehlo.code === 250) return parseExtensions(ehlo);
    const helo = await this.command(`HELO ${this.settings.heloName}`, 'HELO');
    if (helo.code !== 250) throw new UpstreamFailure(`HELO answered ${helo.code} ${helo.text}`);
    return parseExtensions(null);
  }

  /** The TLS handshake over the connected socket, bounded by the reply timeout. */
  private startTls(clock: Pick<Clock, 'after'>): Promise<void> {
    const plain = this.socket;
    this.detach(plain);
    this.reader.reset();
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, ...(net.isIP(this.settings.host) ? {} : { servername: this.settings.host }) });
    this.socket = secure;
    return new Promise<void>((resolve, reject) => {
      const timer = clock.after(this.settings.timeoutMs, () => done(new Error(`no handshake in ${this.settings.timeoutMs} ms`)));
      const done = (error: Error | null): void => {
        timer.cancel();
        secure.off('secureConnect', ok);
        secure.off('error', done);
        secure.off('close', closed);
        if (!error) {
          this.attach(secure);
          this.encrypted = true;
          return resolve();
        }
        secure.destroy();
        this.fail(new UpstreamFailure(error.message));
        reject(error);
      };
      const ok = (): void => done(null);
      const closed = (): void => done(new Error('connection closed during the handshake'));
      secure.once('secureConnect', ok);
      secure.once('error', done);
      secure.once('close', closed);
    });
  }
}
