/**
 * One SMTP client connection to a next hop, through nodemailer's SMTP connection (never a client
 * of our own): connect to the hop's hosts in order, each by its addresses, until one greets
 * us; EHLO with our hostname; STARTTLS as `--relay-tls` says; AUTH for a smart host; then any
 * number of transactions, RSET between (RFC 5321 §4.1.1.5), and QUIT.
 *
 * Every transaction answers per recipient: the RCPT reply for a refused one, the end-of-data
 * reply for the accepted ones, or `null` (no reply) when the connection broke, which the
 * scheduler treats as temporary for everyone still in flight (RFC 5321 §4.5.4.1).
 *
 * Round trips and writes per message: nodemailer pipelines MAIL, RCPT and DATA when the peer
 * offers PIPELINING (one write, one round trip). The message content, the end-of-data dot and
 * the RSET that ends the transaction then go out as one write too — RFC 2920 §3.1 lets content
 * begin a group and RSET follow it — so a message costs two writes and two round trips instead of
 * four and three; the socket is corked while nodemailer writes the content and uncorked once
 * RSET is behind it. Without PIPELINING, RSET waits for the end-of-data reply as before.
 */
import { isAscii } from 'node:buffer';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { HopHost, NextHopResolver } from './next-hop.js';

export interface ConnectionSettings {
  /** The name we give in EHLO (`--hostname`). */
  ehloName: string;
  /** opportunistic: STARTTLS when offered, plain otherwise; require: no TLS, no delivery. */
  tls: 'opportunistic' | 'require';
  /** AUTH credentials (a smart host's), or null. */
  auth: { user: string; pass: string } | null;
  connectTimeoutMs: number;
  /** Inactivity on an open connection before it counts as a timeout (RFC 5321 §4.5.3.2 wants minutes). */
  socketTimeoutMs: number;
}

export interface RecipientReply {
  address: string;
  /** The reply code, or null when there was no reply (connection broke, timed out). */
  code: number | null;
  reply: string;
}

type NodemailerError = Error & { code?: string; response?: string; responseCode?: number; command?: string; recipient?: string; rejectedErrors?: NodemailerError[] };

/** What the connection learnt of the peer's EHLO, and its socket (nodemailer keeps them unexported). */
interface PeerView {
  _supportedExtensions?: string[];
  _envelope?: { rejectedErrors?: NodemailerError[] };
  _socket?: Socket | false;
}

const NON_ASCII = /[^\x00-\x7f]/;

/** Whether the message needs BODY=8BITMIME (RFC 6152): any byte above 127 (checked natively, not byte by byte in JS). */
function hasEightBit(raw: Buffer): boolean {
  return !isAscii(raw);
}

export class RelayConnection {
  private broken = false;
  /** RSETs waiting for their reply: a broken connection answers them (nodemailer drops their callbacks). */
  private readonly resets = new Set<(ok: boolean) => void>();

  private constructor(
    private readonly client: SMTPConnection,
    /** `mx1.example.org[192.0.2.1]:25`, as attempts record it. */
    readonly host: string,
  ) {
    const broke = (): void => {
      this.broken = true;
      for (const settle of this.resets) settle(false);
    };
    client.on('error', broke);
    client.on('end', broke);
  }

  /** Connect to the first host, in order, that greets and completes EHLO (and TLS, AUTH); throws a reply-like text otherwise. */
  static async open(hosts: readonly HopHost[], resolver: NextHopResolver, settings: ConnectionSettings): Promise<RelayConnection> {
    const failures: string[] = [];
    for (const host of hosts) {
      let addresses: string[];
      try {
        addresses = await resolver.addresses(host.name);
      } catch (error) {
        failures.push(`${host.name}: address lookup failed (${(error as NodemailerError).code ?? error})`);
        continue;
      }
      if (addresses.length === 0) failures.push(`${host.name}: no A/AAAA records`);
      for (const address of addresses) {
        const label = `${host.name}[${address}]:${host.port}`;
        try {
          return new RelayConnection(await connectOne(host, address, settings), label);
        } catch (error) {
          failures.push(`${label}: ${describe(error as NodemailerError)}`);
        }
      }
    }
    throw new ConnectFailure(failures.join('; ') || 'no hosts to try');
  }

  get usable(): boolean {
    return !this.broken;
  }

  /**
   * One transaction — MAIL, RCPT for each recipient, DATA — and the RSET after it; a reply per
   * recipient. `usable` says afterwards whether the connection can take another.
   */
  async send(mailFrom: string, recipients: readonly string[], raw: Buffer): Promise<RecipientReply[]> {
    const peer = this.client as unknown as PeerView;
    const international = NON_ASCII.test(mailFrom) || recipients.some((r) => NON_ASCII.test(r));
    if (international && !this.offers('SMTPUTF8')) {
      // RFC 6531 §3.2: an internationalised envelope must not go to a server without SMTPUTF8.
      return recipients.map((address) => ({ address, code: 553, reply: `553 5.6.7 ${this.host} does not offer SMTPUTF8, needed for this address (RFC 6531)` }));
    }
    let pipelinedReset: Promise<boolean> | null = null;
    const content = this.offers('PIPELINING') && peer._socket ? this.contentThenReset(peer._socket, raw, (reset) => (pipelinedReset = reset)) : raw;
    const replies = await this.transaction(mailFrom, recipients, raw.length, hasEightBit(raw), content);
    // No content went out (refused before DATA, or no PIPELINING): RSET on its own.
    await (pipelinedReset ?? this.reset());
    return replies;
  }

  private offers(extension: string): boolean {
    return ((this.client as unknown as PeerView)._supportedExtensions ?? []).includes(extension);
  }

  /**
   * The content as nodemailer pipes it into its dot-stuffing stream, with RSET written right
   * behind the end-of-data dot and the three leaving in one write (the socket is corked meanwhile).
   */
  private contentThenReset(socket: Socket, raw: Buffer, onReset: (reset: Promise<boolean>) => void): Readable {
    const piped = {
      pipe: (stream: Writable): void => {
        let corked = true;
        const uncork = (): void => {
          if (corked) socket.uncork();
          corked = false;
        };
        socket.cork();
        // 'end' of the dot-stuffing stream: its last chunk (the dot) is written to the socket.
        stream.once('end', () => {
          onReset(this.reset());
          uncork();
        });
        stream.once('error', uncork);
        stream.end(raw);
      },
    };
    return piped as unknown as Readable;
  }

  private transaction(mailFrom: string, recipients: readonly string[], size: number, eightBit: boolean, content: Buffer | Readable): Promise<RecipientReply[]> {
    const peer = this.client as unknown as PeerView;
    const envelope = { from: mailFrom === '' ? (false as const) : mailFrom, to: [...recipients], size, use8BitMime: eightBit };
    return new Promise((resolve) => {
      this.client.send(envelope, content, (error, info) => {
        if (!error) {
          const rejected = new Map((info.rejectedErrors ?? []).map((e) => [(e as NodemailerError).recipient ?? '', e as NodemailerError]));
          resolve(recipients.map((address) => replyFor(address, rejected.get(address) ?? null, info.response)));
          return;
        }
        const err = error as NodemailerError;
        if (err.code === 'EMESSAGE' && err.command === 'MAIL FROM' && !err.responseCode) {
          // nodemailer's own check against the peer's SIZE (RFC 1870 §6).
          resolve(recipients.map((address) => ({ address, code: 552, reply: `552 5.3.4 message larger than ${this.host} accepts (SIZE)` })));
          return;
        }
        if (!err.responseCode) this.broken = true;
        const perRecipient = new Map((err.rejectedErrors ?? peer._envelope?.rejectedErrors ?? []).map((e) => [e.recipient ?? '', e]));
        resolve(recipients.map((address) => replyFor(address, perRecipient.get(address) ?? err, null)));
      });
    });
  }

  /** RSET (RFC 5321 §4.1.1.5); false (and unusable) when the peer did not take it or the connection broke. */
  private reset(): Promise<boolean> {
    if (this.broken) return Promise.resolve(false);
    return new Promise((resolve) => {
      const settle = (ok: boolean): void => {
        this.resets.delete(settle);
        if (!ok) this.broken = true;
        resolve(ok);
      };
      this.resets.add(settle);
      this.client.reset((error) => settle(!error));
    });
  }

  close(): void {
    if (!this.broken) this.client.quit();
    else this.client.close();
    this.broken = true;
  }
}

export class ConnectFailure extends Error {}

function replyFor(address: string, error: NodemailerError | null, accepted: string | null): RecipientReply {
  if (!error) return { address, code: Number(/^\d{3}/.exec(accepted ?? '')?.[0] ?? 250), reply: (accepted ?? '250').trim() };
  if (error.responseCode) return { address, code: error.responseCode, reply: (error.response ?? String(error.responseCode)).trim() };
  return { address, code: null, reply: describe(error) };
}

function describe(error: NodemailerError): string {
  const cause = (error as { originalCode?: string }).originalCode;
  const text = error.response ?? error.message;
  return `${error.code ?? 'ERROR'}${cause ? `/${cause}` : ''}: ${text}`.slice(0, 500);
}

function connectOne(host: HopHost, address: string, settings: ConnectionSettings): Promise<SMTPConnection> {
  const client = new SMTPConnection({
    host: address,
    port: host.port,
    name: settings.ehloName,
    // RFC 3207 §4: a relay may use STARTTLS opportunistically; "require" refuses a plain session.
    requireTLS: settings.tls === 'require',
    opportunisticTLS: settings.tls === 'opportunistic',
    // Certificates of MX hosts are rarely verifiable (RFC 7672 needs DANE for that): encrypt, do not verify.
    tls: { rejectUnauthorized: false, servername: isHostName(host.name) ? host.name : undefined },
    connectionTimeout: settings.connectTimeoutMs,
    greetingTimeout: settings.connectTimeoutMs,
    socketTimeout: settings.socketTimeoutMs,
    socketCloseTimeout: 0,
    allowInternalNetworkInterfaces: true,
  });
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      client.close();
      reject(error);
    };
    client.once('error', fail);
    client.connect((error) => {
      if (error) return fail(error);
      if (!settings.auth) {
        client.removeListener('error', fail);
        return resolve(client);
      }
      client.login({ user: settings.auth.user, pass: settings.auth.pass }, (loginError) => {
        if (loginError) return fail(loginError);
        client.removeListener('error', fail);
        resolve(client);
      });
    });
  });
}

function isHostName(name: string): boolean {
  return /[a-z]/i.test(name) && !name.includes(':');
}
