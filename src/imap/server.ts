/**
 * The IMAP listener and its connections: the glue between the connection shell
 * (protocol/shell.ts: socket, writes, backpressure, timers, TLS) and the session (session.ts).
 * Input is framed into commands (framing.ts: lines and literals, `+` continuations for
 * synchronizing literals); each command runs as the shell's `await` effect, so commands run one
 * at a time in order while their handlers stream untagged responses through the shell's `send`
 * (a large FETCH waits for the socket instead of piling up in memory). In IDLE, the session's
 * updates wake the shell, and the next turn carries them.
 *
 * Limits: command lines of 64 KiB (RFC 7162 §4 asks for at least 8,192 octets; 64 KiB is
 * Dovecot's imap_max_line_length, so a long UID set from a real client fits), literals of
 * 64 KiB except APPEND's message, which may be --max-message-size (APPENDLIMIT); a longer
 * line is answered `tag BAD` and the connection goes on (framing.ts), an autologout timer of
 * --imap-timeout (30 minutes by default, RFC 3501 §5.4) restarted by what the client sends, so
 * IDLE ends there too; an error count that ends abusive sessions, and per-IP connection limits.
 *
 * The folder registry (folders: which folders each inbox has) is on the shared `state.db`; the
 * server opens it in the data dir unless it is given one, and then closes it with the listener.
 */
import type tls from 'node:tls';
import type { MailboxAuthenticator } from '../auth/mailbox-auth.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { EventBus } from '../events/bus.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { InputBuffer } from '../protocol/input.js';
import { MAX_ERRORS_PER_SESSION } from '../protocol/limits.js';
import { startLineServer } from '../protocol/line-server.js';
import type { LineProtocol, ShellHandle, Turn } from '../protocol/shell.js';
import type { RunningServer } from '../protocol/tcp-server.js';
import type { Store } from '../store/types.js';
import type { Effect, Sink } from './command.js';
import { StateDatabase } from '../store/sqlite/state-db.js';
import { SqliteFolderRegistry } from '../store/sqlite/folders.js';
import type { FolderRegistry } from '../store/folders.js';
import { Folders } from './folders.js';
import { CommandFramer, type FramingLimits } from './framing.js';
import { MessageCache } from './message-cache.js';
import { InProcessRecentClaims } from './recent.js';
import { ImapSession, type SessionServices, type SessionSettings } from './session.js';

export const LIMITS: Omit<FramingLimits, 'maxAppendBytes'> = {
  maxLineBytes: 64 * 1024,
  maxLiteralBytes: 64 * 1024,
  maxCommandBytes: 128 * 1024,
};

export interface ImapDeps {
  config: Pick<Config, 'imap' | 'hostname' | 'imapIdleTimeoutMs' | 'maxConnections' | 'maxConnectionsPerIp' | 'maxMessageBytes' | 'retentionMs' | 'dataDir'>;
  store: Store;
  events: EventBus;
  auth: MailboxAuthenticator;
  tls: tls.SecureContext;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
  /** The full-disk guard: APPEND is refused while it says the store is full. */
  disk?: { readonly full: boolean };
  /** The folder registry; by default one on `state.db` in the data dir, closed with the server. */
  folders?: FolderRegistry;
}

class ImapConnection implements LineProtocol {
  private readonly session: ImapSession;
  private framer: CommandFramer | null = null;
  private readonly sink: Sink;

  constructor(
    shell: ShellHandle,
    settings: SessionSettings,
    services: SessionServices,
    private readonly limits: FramingLimits,
  ) {
    this.session = new ImapSession(settings, services);
    this.session.remoteAddress = shell.remoteAddress;
    this.session.onUpdate = () => shell.wake();
    this.sink = { send: (line) => shell.send(typeof line === 'string' ? [line, '\r\n'] : [...line, '\r\n']) };
  }

  greeting(): Turn {
    return { output: [this.session.greeting(), '\r\n'] };
  }

  next(input: InputBuffer): Turn | null {
    const updates = this.session.idleUpdates();
    if (updates.length) return { output: updates.flatMap((line) => [line, '\r\n']) };
    if (this.session.awaitingLine) {
      const framed = input.readLine(this.limits.maxLineBytes);
      if (!framed) return null;
      return this.run(this.session.continueWith(framed.kind === 'line' ? framed.line.toString('utf8') : '', this.sink));
    }
    this.framer ??= new CommandFramer(input, this.limits);
    const framed = this.framer.next();
    if (!framed) return null;
    if (framed.kind === 'continue') return { output: ['+ Ready for literal data\r\n'] };
    if (framed.kind === 'error') return this.run(this.session.framingError(framed.tag, framed.text, framed.fatal, this.sink, framed.status));
    return this.run(this.session.command(framed.command, this.sink));
  }

  idle(): Turn {
    return this.run(this.session.bye('Autologout: idle for too long', this.sink));
  }

  /** Between commands (the shell waits for one in progress), the session is told BYE. */
  shutdown(): Turn {
    return this.run(this.session.bye('Server shutting down', this.sink));
  }

  tlsStarted(): null {
    this.session.tlsStarted();
    return null;
  }

  ended(): void {
    this.session.dispose();
  }

  /** A command's work as the shell's effect; the effects it returns become the next turn. */
  private run(work: Promise<Effect[]>): Turn {
    return { effect: { kind: 'await', work: work.then((effects) => this.turn(effects)) } };
  }

  private turn(effects: Effect[]): Turn {
    const effect = effects.at(-1);
    if (effect?.kind === 'start-tls') this.framer?.reset();
    return effect ? { effect } : {};
  }
}

export async function startImapServer(deps: ImapDeps): Promise<RunningServer> {
  const { config } = deps;
  const settings: SessionSettings = {
    hostname: config.hostname,
    maxErrors: MAX_ERRORS_PER_SESSION.imap,
    maxAppendBytes: config.maxMessageBytes,
    retentionMs: config.retentionMs,
  };
  const limits: FramingLimits = { ...LIMITS, maxAppendBytes: config.maxMessageBytes };
  const ownState = deps.folders ? null : StateDatabase.inDataDir(config.dataDir);
  const registry = deps.folders ?? new SqliteFolderRegistry(ownState!);
  const services: SessionServices = {
    store: deps.store,
    events: deps.events,
    auth: deps.auth,
    messages: new MessageCache(deps.store),
    recent: new InProcessRecentClaims(),
    folders: new Folders(registry, deps.store),
    storageFull: () => deps.disk?.full ?? false,
    now: () => deps.clock.now(),
    onError: (error) => deps.log.error({ err: String(error) }, 'imap command failed'),
  };
  let server: RunningServer;
  try {
    server = await startLineServer({
      listen: config.imap,
      limits: { maxConnections: config.maxConnections, maxConnectionsPerIp: config.maxConnectionsPerIp },
      busyReply: (reason) => `* BYE ${reason === 'total' ? 'Too many connections' : 'Too many connections from your address'}, try again later\r\n`,
      shell: { name: 'imap', idleTimeoutMs: config.imapIdleTimeoutMs, tls: deps.tls, log: deps.log, metrics: deps.metrics, clock: deps.clock },
      protocol: (shell) => new ImapConnection(shell, settings, services, limits),
    });
  } catch (error) {
    ownState?.close();
    throw error;
  }
  if (!ownState) return server;
  return {
    name: server.name,
    address: server.address,
    get connections() {
      return server.connections;
    },
    async close(graceMs) {
      await server.close(graceMs);
      ownState.close();
    },
  };
}
