/**
 * The SMTP listener and its connections. A connection is the glue between the connection shell
 * (protocol/shell.ts: socket, writes, timers, TLS) and the pure session (session.ts): it frames
 * input as command lines (protocol/input.ts) or, after 354, as the DATA stream (data.ts), turns
 * the session's steps into the shell's turns, and carries out the effects that are SMTP's own:
 * handing a complete message to its delivery target and reporting the outcome back, checking a
 * submission login, and, with a per-recipient target (proxy mode), asking it for each
 * recipient's verdict.
 *
 * The same listener serves the submission port (`startSubmissionServer`, RFC 6409): the same
 * session in submission mode, with AUTH checked here (the users file, the brute-force throttle)
 * and no spam filter chain, since every sender there has logged in. Credentials never reach the
 * transcript (it is shown with the message and in the public refused log): an AUTH line keeps
 * only its mechanism, a SASL response is `<sasl response>`.
 *
 * A per-recipient target's transaction follows the session's: it is opened when the session
 * has one (MAIL accepted), committed with the message, and aborted as soon as the session's
 * transaction is gone without a commit (RSET, EHLO, QUIT, a refusal at DATA, the end of the
 * connection). Following the session's state rather than each verb keeps every way out covered.
 */
import type tls from 'node:tls';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { AliasLookup } from '../aliases/file.js';
import type { SubmissionAuthenticator } from '../auth/users.js';
import type { DeliveryOutcome, DeliveryTarget, Incoming, TargetTransaction } from '../delivery/ingest.js';
import { RecipientRouter } from '../delivery/router.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import type { AuthThrottle } from '../policy/auth-throttle.js';
import type { NetworkList } from '../policy/networks.js';
import type { InputBuffer } from '../protocol/input.js';
import { MAX_ERRORS_PER_SESSION } from '../protocol/limits.js';
import { startLineServer } from '../protocol/line-server.js';
import type { LineProtocol, ShellHandle, Turn } from '../protocol/shell.js';
import type { RunningServer } from '../protocol/tcp-server.js';
import { redactAuthLine, type AuthVerdict } from './auth.js';
import { DataReader } from './data.js';
import type { SmtpTranscript } from '../mail/model.js';
import { nextQueueId } from './queue-id.js';
import { R, formatReply, stored } from './replies.js';
import { TranscriptRecorder } from './transcript.js';
import { OPEN_POLICY, type ClientPolicy, type SmtpPolicy } from '../policy/smtp-policy.js';
import { SmtpSession, wire, type SessionSettings, type Step, type Transaction } from './session.js';

/** RFC 5321 §4.5.3.1.4 allows 512 octets; we allow more for long ESMTP parameters. */
export const MAX_COMMAND_LINE_BYTES = 2048;

export interface SmtpDeps {
  config: Pick<
    Config,
    'smtp' | 'submission' | 'allowInsecureAuth' | 'hostname' | 'domains' | 'maxMessageBytes' | 'maxRecipients' | 'smtpIdleTimeoutMs' | 'maxConnections' | 'maxConnectionsPerIp' | 'maxConnectionsPerNetwork' | 'stressIdleTimeoutMs'
  >;
  delivery: DeliveryTarget;
  /** The filter chain, tarpit and pregreet for untrusted clients; absent: every client is trusted. */
  policy?: SmtpPolicy;
  /** Whether the store's disk is full (new mail refused); absent: never. */
  storageFull?: () => boolean;
  tls: tls.SecureContext;
  /** --aliases; absent: none. */
  aliases?: AliasLookup;
  /** --relay-networks: clients that may relay without AUTH; absent: none. */
  relayNetworks?: NetworkList;
  /** Whether `delivery` can relay (a RelayQueue is wired); absent: no. */
  relayAvailable?: boolean;
  log: Logger;
  metrics: Metrics;
  clock: Clock;
}

/** What the submission listener adds: who may log in, and the brute-force throttle. */
export interface SubmissionDeps {
  users: SubmissionAuthenticator;
  throttle: AuthThrottle;
}

class SmtpConnection implements LineProtocol {
  private readonly session: SmtpSession;
  private readonly policy: ClientPolicy;
  private readonly transcript: TranscriptRecorder;
  /** Set between 354 and the end of data: input is the message, not commands. */
  private data: DataReader | null = null;
  /** A per-recipient target's transaction, and the session transaction it belongs to. */
  private target: { owner: Transaction; steps: TargetTransaction } | null = null;

  constructor(
    private readonly shell: ShellHandle,
    private readonly settings: SessionSettings,
    private readonly deps: SmtpDeps,
    private readonly submission: SubmissionDeps | null,
  ) {
    this.policy = (submission ? null : deps.policy?.forClient(shell.remoteAddress)) ?? OPEN_POLICY;
    const relayAllowed = deps.relayNetworks?.has(shell.remoteAddress) ?? false;
    this.session = new SmtpSession(settings, { remoteAddress: shell.remoteAddress, policy: this.policy, relayAllowed });
    const clock = deps.clock;
    this.transcript = new TranscriptRecorder(shell.remoteAddress, clock.now(), () => clock.now());
  }

  /**
   * The greeting; for an untrusted client under the pregreet test, its first line now and the
   * last after --greet-wait: a client that talks before then is a bot that does not wait for
   * the server (postscreen's test), refused with 554 5.7.1.
   */
  greeting(): Turn {
    const waitMs = this.policy.greetWaitMs;
    const greeting = this.session.greeting();
    if (waitMs === 0 || greeting.effects.length > 0) return this.turn(greeting);
    const clock = this.deps.clock;
    const rest = new Promise<Turn>((resolve) =>
      clock.after(waitMs, () => resolve(this.turn(this.shell.heldInputBytes > 0 ? this.session.talkedFirst() : greeting))),
    );
    const firstLine = this.session.greetingFirstLine();
    this.transcript.server(firstLine);
    return { output: [firstLine], effect: { kind: 'await', work: rest } };
  }

  /** Shed only untrusted clients that are between transactions (never a message in progress). */
  sheddable(): boolean {
    return !this.policy.trusted && this.data === null && (this.session.state === 'Connected' || this.session.state === 'Ready');
  }

  shed(): Turn {
    return this.turn(this.session.shed());
  }

  next(input: InputBuffer): Turn | null {
    if (this.data) {
      if (input.size === 0) return null;
      const result = this.data.feed(input.takeAll());
      if (!result) return null;
      this.data = null;
      input.push(result.rest);
      this.deps.metrics.messagesReceived.inc();
      this.transcript.client(`<message, ${result.bytes} bytes>`);
      if (result.outcome !== 'complete') {
        this.deps.metrics.messagesRejected.inc({ reason: result.outcome });
        return this.endTransaction(this.turn(this.session.dataReceived(result, () => this.delivery())));
      }
      return this.turn(this.session.dataReceived(result, () => this.delivery()));
    }
    const framed = input.readTextLine(MAX_COMMAND_LINE_BYTES);
    if (!framed) return null;
    if (framed.kind !== 'line') {
      this.transcript.client(`<${framed.kind} line>`);
      return this.turn(this.session.lineError(framed.kind));
    }
    this.transcript.client(this.session.state === 'Auth' ? '<sasl response>' : redactAuthLine(framed.text));
    return this.turn(this.session.command(framed.text));
  }

  /**
   * What a complete message is handed over with: its queue id, and the transcript up to the 250
   * it gets if stored (a message is stored exactly when that reply is sent).
   */
  private delivery(): { queueId: string; transcript: SmtpTranscript } {
    const queueId = nextQueueId(this.deps.clock.now());
    this.transcript.helo = this.session.helo;
    const transcript = this.transcript.snapshot();
    transcript.lines.push({ atMs: this.deps.clock.now() - transcript.connectedAtMs, from: 'server', text: formatReply(stored(queueId)).trimEnd() });
    return { queueId, transcript };
  }

  private endTransaction(turn: Turn): Turn {
    this.transcript.transactionEnded();
    return turn;
  }

  idle(): Turn {
    return this.turn(this.session.timedOut());
  }

  /** Idle sessions are told 421 now; a transfer in progress finishes first. */
  shutdown(): Turn | null {
    return this.data ? null : this.turn(this.session.shuttingDown());
  }

  tlsStarted(): null {
    this.session.tlsStarted();
    this.transcript.tls = this.shell.tlsInfo();
    return null;
  }

  ended(): void {
    this.target?.steps.abort();
    this.target = null;
  }

  /** Open, keep or abort the target's transaction so that it matches the session's (see the head comment). */
  private followTransaction(): void {
    const open = this.deps.delivery.transaction;
    if (!open) return;
    const current = this.session.transaction;
    if (this.target && this.target.owner !== current) {
      this.target.steps.abort();
      this.target = null;
    }
    if (!this.target && current) {
      const { mailFrom, smtputf8, declaredBytes, body } = current;
      this.target = { owner: current, steps: open.call(this.deps.delivery, { mailFrom, smtputf8, declaredBytes, body }) };
    }
  }

  /**
   * A session step as a shell turn: its replies, and its effect carried out here or by the shell.
   * Under the tarpit the replies wait first; they go into the transcript when they are sent, so
   * its times are the client's.
   */
  private turn(step: Step): Turn {
    this.followTransaction();
    const output = step.replies.length ? wire(step) : null;
    let effect: Turn['effect'];
    for (const e of step.effects) {
      if (e.kind === 'start-data') {
        this.data = new DataReader(this.settings.maxMessageBytes);
        this.target?.steps.expectBody?.();
      }
      else if (e.kind === 'deliver') effect = { kind: 'await', work: this.deliverAfter(e.delayMs, e.message) };
      else if (e.kind === 'authenticate') effect = { kind: 'await', work: this.authenticate(e.user, e.password) };
      else if (e.kind === 'ask-target') effect = { kind: 'await', work: this.askTarget(e.recipient) };
      else effect = e;
    }
    const send = (): Turn => {
      if (output) this.transcript.server(output);
      if (step.refusal) {
        this.transcript.helo = this.session.helo;
        this.policy.refused({ helo: this.session.helo, reason: step.refusal, transcript: this.transcript.snapshot() });
      }
      return { ...(output ? { output: [output] } : {}), ...(effect ? { effect } : {}) };
    };
    const delayMs = output ? this.policy.replyDelayMs() : 0;
    if (delayMs === 0) return send();
    return { effect: { kind: 'await', work: new Promise<void>((resolve) => this.deps.clock.after(delayMs, resolve)).then(send) } };
  }

  /** The password check of an AUTH: the throttle first (no scrypt for a throttled address), then the users file. */
  private async authenticate(user: string, password: string): Promise<Turn> {
    const ip = this.shell.remoteAddress;
    let verdict: AuthVerdict;
    const throttle = this.submission?.throttle;
    const retryAfterMs = throttle?.retryAfterMs(ip) ?? 0;
    if (!this.submission) verdict = { kind: 'error' };
    else if (retryAfterMs > 0) verdict = { kind: 'throttled', retryAfterMs };
    else {
      try {
        verdict = (await this.submission.users.verify(user, password)) ? { kind: 'ok' } : { kind: 'invalid' };
      } catch (error) {
        this.deps.log.error({ err: String(error) }, 'password check failed');
        verdict = { kind: 'error' };
      }
    }
    if (verdict.kind === 'invalid') throttle?.failed(ip);
    this.deps.metrics.submissionLogins.inc({ outcome: verdict.kind });
    if (verdict.kind !== 'ok') this.deps.log.warn({ remoteAddress: ip, user, outcome: verdict.kind }, 'submission login refused');
    return this.turn(this.session.authFinished(user, verdict));
  }

  /** A magic `delay-…` recipient holds the reply, before anything is stored. */
  private deliverAfter(delayMs: number, message: Parameters<DeliveryTarget['deliver']>[0]): Promise<Turn> {
    if (delayMs === 0) return this.deliver(message);
    return new Promise<void>((resolve) => this.deps.clock.after(delayMs, resolve)).then(() => this.deliver(message));
  }

  /** The target's verdict on one recipient, as the session's next step; a failure of ours is 451 4.3.0. */
  private async askTarget(recipient: string): Promise<Turn> {
    let verdict: { accepted: boolean; reply: { code: number; enhanced: string; text: string } };
    try {
      verdict = await this.target!.steps.recipient(recipient);
    } catch (error) {
      this.deps.log.error({ err: String(error) }, 'recipient verdict failed; answered 451');
      verdict = { accepted: false, reply: { code: R.storeFailed.code, enhanced: R.storeFailed.enhanced ?? '', text: R.storeFailed.text } };
    }
    return this.turn(this.session.recipientVerdict(verdict));
  }

  /** The message to its target: the open transaction's commit, or the one-step hand-over. */
  private handOver(message: Incoming): Promise<DeliveryOutcome> {
    const target = this.target;
    if (!target) return this.deps.delivery.deliver(message);
    return target.steps.commit(message);
  }

  private async deliver(message: Parameters<DeliveryTarget['deliver']>[0]): Promise<Turn> {
    const started = process.hrtime.bigint();
    const { metrics, log } = this.deps;
    try {
      const outcome = await this.handOver(message);
      if (outcome.kind === 'refused') {
        metrics.messagesRejected.inc({ reason: 'refused-by-target' });
        const { code, enhanced, text } = outcome.reply;
        return this.endTransaction(this.turn(this.session.dataFinished({ kind: 'refused', reply: { code, enhanced, text } })));
      }
      metrics.messagesStored.inc(outcome.ids.length);
      metrics.ingestSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      const upstream = outcome.reply ? { code: outcome.reply.code, enhanced: outcome.reply.enhanced, text: outcome.reply.text } : undefined;
      return this.endTransaction(this.turn(this.session.dataFinished({ kind: 'stored', queueId: message.trace.id, ...(upstream ? { upstream } : {}) })));
    } catch (error) {
      log.error({ err: String(error) }, 'store failed; answered 451');
      metrics.messagesRejected.inc({ reason: 'store-failed' });
      return this.endTransaction(this.turn(this.session.dataFinished({ kind: 'store-failed' })));
    }
  }
}

const BUSY = { total: R.tooManyConnections, 'per-ip': R.tooManyConnectionsFromIp, 'per-network': R.tooManyConnectionsFromNetwork } as const;

/** The MX listener (--smtp): anyone may deliver to our domains; relaying only from --relay-networks. */
export function startSmtpServer(deps: SmtpDeps): Promise<RunningServer> {
  return startListener(deps, null);
}

/** The submission listener (--submission): AUTH required before MAIL; authenticated users may relay. */
export function startSubmissionServer(deps: SmtpDeps, submission: SubmissionDeps): Promise<RunningServer> {
  return startListener(deps, submission);
}

function startListener(deps: SmtpDeps, submission: SubmissionDeps | null): Promise<RunningServer> {
  const { config } = deps;
  const settings: SessionSettings = {
    hostname: config.hostname,
    maxMessageBytes: config.maxMessageBytes,
    maxRecipients: config.maxRecipients,
    maxErrors: MAX_ERRORS_PER_SESSION.smtp,
    router: new RecipientRouter({ domains: config.domains, ...(deps.aliases ? { aliases: deps.aliases } : {}) }),
    ...(deps.storageFull ? { storageFull: deps.storageFull } : {}),
    ...(submission ? { submission: { allowInsecureAuth: config.allowInsecureAuth } } : {}),
    relayAvailable: deps.relayAvailable ?? false,
    ...(deps.delivery.transaction ? { targetVerdicts: true } : {}),
  };
  const targetLimit = deps.delivery.maxMessageBytes?.bind(deps.delivery);
  if (targetLimit) {
    // The target's limit can change (an upstream's EHLO SIZE, learnt when it answers): read it each time.
    Object.defineProperty(settings, 'maxMessageBytes', { get: () => Math.min(config.maxMessageBytes, targetLimit() ?? Infinity) });
  }
  return startLineServer({
    listen: submission ? config.submission : config.smtp,
    limits: {
      maxConnections: config.maxConnections,
      maxConnectionsPerIp: config.maxConnectionsPerIp,
      maxConnectionsPerNetwork: config.maxConnectionsPerNetwork,
      isTrusted: (ip) => deps.policy?.isTrusted(ip) ?? true,
    },
    busyReply: (reason) => formatReply(BUSY[reason]),
    stressIdleTimeoutMs: config.stressIdleTimeoutMs,
    shell: { name: submission ? 'submission' : 'smtp', idleTimeoutMs: config.smtpIdleTimeoutMs, tls: deps.tls, log: deps.log, metrics: deps.metrics, clock: deps.clock },
    protocol: (shell) => new SmtpConnection(shell, settings, deps, submission),
  });
}
