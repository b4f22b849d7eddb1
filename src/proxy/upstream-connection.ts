/**
 * One connection to the upstream MTA, as promise-returning SMTP steps: MAIL, each RCPT, DATA,
 * the body, RSET, each with the upstream's reply. The client side is a library, emailjs's
 * SMTPConnection, not ours: it owns the socket, reply framing (multi-line, RFC 5321 §4.2.1),
 * EHLO and STARTTLS. It was chosen over nodemailer's SMTPConnection because nodemailer's public
 * API sends a whole envelope at once (`send(envelope, message)`), so it cannot tell us the
 * upstream's verdict on one RCPT before the client's next command; emailjs exposes each
 * command with its reply.
 *
 * How we use it, and why:
 * - Every command goes through its generic `send(line)`, which hands back the raw reply: its
 *   `command()` wrapper retries a reply that mentions greylisting by itself, and a proxy must
 *   pass that 451 on to the client instead.
 * - The body goes out as bytes we dot-stuff ourselves (protocol/dot-stuff.ts): the library's
 *   `message()` takes a string, which would re-encode 8-bit bytes. A small subclass writes the
 *   Buffer on the library's socket (a protected member, there for subclasses).
 * - STARTTLS (RFC 3207) only when the upstream offers it and --upstream-tls is not off; the
 *   certificate is not verified (the library does not), which is opportunistic security as MTAs
 *   practise it between themselves (RFC 7435): `require` means encrypted, not authenticated.
 * - Every step is bounded by `timeoutMs` on the injected clock, besides the library's socket
 *   timeout: a reply that never comes (an upstream that stalls or half-closes) is a failure, and
 *   the connection is then dropped. Failures are UpstreamFailure: there is no reply to relay.
 */
import { SMTPConnection } from 'emailjs';
import type { Clock } from '../clock.js';

export type UpstreamTlsMode = 'require' | 'opportunistic' | 'off';

export interface UpstreamAddress {
  host: string;
  port: number;
}

export interface UpstreamSettings extends UpstreamAddress {
  /** The name we give in EHLO. */
  heloName: string;
  tls: UpstreamTlsMode;
  /** How long one step may wait for its reply. */
  timeoutMs: number;
}

/** An upstream's reply: its code, enhanced code ('' if none) and text (lines joined by '\n'). */
export interface UpstreamReply {
  code: number;
  enhanced: string;
  text: string;
}

/** What the upstream's EHLO advertised, as far as the proxy cares (RFC 1870, 6152, 6531, 3207). */
export interface UpstreamExtensions {
  /** SIZE's value; 0 when SIZE is advertised without a limit, null when not advertised. */
  sizeBytes: number | null;
  eightBitMime: boolean;
  smtputf8: boolean;
  startTls: boolean;
}

/** How long the upstream connection may be silent while our client takes its time (see open). */
const CLIENT_SILENCE_MS = 5 * 60_000;

/** No reply to relay: the upstream could not be reached, did not answer in time, or closed. */
export class UpstreamFailure extends Error {}

type LibraryCallback = (err: Error | null | undefined, data?: unknown) => void;

/** emailjs's connection plus the one thing its public methods lack: writing bytes as they are. */
class ByteSafeConnection extends SMTPConnection {
  /** Write already dot-stuffed bytes and wait for the reply, as `send()` does for a string. */
  sendBytes(bytes: Buffer, callback: LibraryCallback): void {
    this.send('', callback);
    if (this.sock?.writable) this.sock.write(bytes);
  }

  get usable(): boolean {
    return this.state() === 2 && this.sock !== null && this.sock.writable && !this.sock.destroyed;
  }
}

export class UpstreamConnection {
  /** Transactions finished on this connection (a reused one may have died while idle). */
  transactions = 0;
  private constructor(
    private readonly library: ByteSafeConnection,
    private readonly settings: UpstreamSettings,
    private readonly clock: Pick<Clock, 'after'>,
    readonly extensions: UpstreamExtensions,
    /** STARTTLS was done: the rest of the session is encrypted. */
    readonly encrypted: boolean,
  ) {}

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

  private static async openOnce(settings: UpstreamSettings, clock: Pick<Clock, 'after'>, tls: UpstreamTlsMode): Promise<UpstreamConnection> {
    // The library's socket timeout counts any silence, also while our client is still sending its
    // data; each step has its own bound (timeoutMs), so this one only needs to outlast a slow
    // client, as long as an upstream waits for us (RFC 5321 §4.5.3.2.7: 5 minutes).
    const silenceMs = Math.max(settings.timeoutMs, CLIENT_SILENCE_MS);
    const library = new ByteSafeConnection({ host: settings.host, port: settings.port, timeout: silenceMs, domain: settings.heloName });
    const step = <T>(what: string, run: (done: LibraryCallback) => void, read: (data: unknown) => T): Promise<T> =>
      bounded(library, clock, settings.timeoutMs, what, run, read);
    const where = `${settings.host}:${settings.port}`;
    await step(`connect to ${where}`, (done) => library.connect(done), () => undefined);
    let extensions = await step('EHLO', (done) => library.ehlo_or_helo_if_needed(done, settings.heloName), (data) => parseExtensions(String(data)));
    if (tls !== 'off' && extensions.startTls) {
      try {
        await step('STARTTLS', (done) => library.starttls(done), () => undefined);
        extensions = await step('EHLO after STARTTLS', (done) => library.ehlo(done, settings.heloName), (data) => parseExtensions(String(data)));
      } catch (error) {
        throw new TlsFailure(`STARTTLS with ${where} failed: ${(error as Error).message}`);
      }
      return new UpstreamConnection(library, settings, clock, extensions, true);
    }
    if (tls === 'require') {
      library.close(true);
      throw new UpstreamFailure(`${where} does not offer STARTTLS and --upstream-tls is require`);
    }
    return new UpstreamConnection(library, settings, clock, extensions, false);
  }

  /** Open and idle: worth handing to the next transaction (after its RSET). */
  get usable(): boolean {
    return this.library.usable;
  }

  mail(from: string, params: readonly string[]): Promise<UpstreamReply> {
    return this.command(`MAIL FROM:<${from}>${params.map((p) => ` ${p}`).join('')}`);
  }

  rcpt(to: string): Promise<UpstreamReply> {
    return this.command(`RCPT TO:<${to}>`);
  }

  data(): Promise<UpstreamReply> {
    return this.command('DATA');
  }

  /** The message, dot-stuffed and ending with <CRLF>.<CRLF>; the reply is the upstream's verdict on it. */
  body(stuffed: Buffer): Promise<UpstreamReply> {
    return bounded(this.library, this.clock, this.settings.timeoutMs, 'end of data', (done) => this.library.sendBytes(stuffed, done), parseReply);
  }

  rset(): Promise<UpstreamReply> {
    return this.command('RSET');
  }

  /** Say goodbye, without waiting for the answer. */
  quit(): void {
    if (!this.library.usable) return this.close();
    const timer = this.clock.after(this.settings.timeoutMs, () => this.close());
    this.library.quit(() => timer.cancel());
  }

  close(): void {
    this.library.close(true);
  }

  private command(line: string): Promise<UpstreamReply> {
    const verb = line.split(' ', 1)[0]!;
    return bounded(this.library, this.clock, this.settings.timeoutMs, verb, (done) => this.library.send(`${line}\r\n`, done), parseReply);
  }
}

class TlsFailure extends UpstreamFailure {}

/**
 * Run one library call and settle once: with its reply, or with an UpstreamFailure when the
 * library reports an error (refused, closed, timed out) or no reply comes within `timeoutMs`.
 * A failed connection is closed: after a lost reply, the next one could be taken for another's.
 */
function bounded<T>(
  library: SMTPConnection,
  clock: Pick<Clock, 'after'>,
  timeoutMs: number,
  what: string,
  run: (done: LibraryCallback) => void,
  read: (data: unknown) => T,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      library.close(true);
      reject(new UpstreamFailure(`${what}: ${reason}`));
    };
    const timer = clock.after(timeoutMs, () => fail(`no reply in ${timeoutMs} ms`));
    run((err, data) => {
      if (settled) return;
      if (err) return fail(err.message);
      let value: T;
      try {
        value = read(data);
      } catch (error) {
        return fail((error as Error).message);
      }
      settled = true;
      timer.cancel();
      resolve(value);
    });
  });
}

const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?: |$)/;

/** The library's reply payload ({ code, message, data }, data the whole reply without CRs) as an UpstreamReply. */
export function parseReply(payload: unknown): UpstreamReply {
  const data = typeof payload === 'object' && payload !== null && 'data' in payload ? String((payload as { data: unknown }).data) : '';
  const lines = data.split('\n').filter((line) => line.length > 0);
  const code = Number(lines.at(-1)?.slice(0, 3));
  if (!Number.isInteger(code) || code < 200 || code > 599) throw new Error(`not an SMTP reply: ${JSON.stringify(data.slice(0, 80))}`);
  let enhanced = '';
  const texts = lines.map((line) => {
    const text = line.slice(4);
    const match = ENHANCED.exec(text);
    if (!match) return text;
    enhanced ||= match[1]!;
    return text.slice(match[0].length);
  });
  return { code, enhanced, text: texts.join('\n') };
}

/** The EHLO keywords the proxy acts on; a HELO reply has none. */
export function parseExtensions(ehloReply: string): UpstreamExtensions {
  const extensions: UpstreamExtensions = { sizeBytes: null, eightBitMime: false, smtputf8: false, startTls: false };
  for (const line of ehloReply.split('\n').slice(1)) {
    const [keyword = '', value] = line.slice(4).trim().toUpperCase().split(/\s+/);
    if (keyword === 'SIZE') extensions.sizeBytes = value && /^\d+$/.test(value) ? Number(value) : 0;
    else if (keyword === '8BITMIME') extensions.eightBitMime = true;
    else if (keyword === 'SMTPUTF8') extensions.smtputf8 = true;
    else if (keyword === 'STARTTLS') extensions.startTls = true;
  }
  return extensions;
}
