/**
 * The SMTP session as a state machine (RFC 5321 §4.1.4, §4.3.2), with no I/O.
 *
 * States: Connected (greeted, no EHLO yet) → Ready (EHLO/HELO done, no transaction) → Mail
 * (MAIL accepted) → Rcpt (at least one recipient) → Data (receiving the message) → Ready …;
 * Closed after QUIT or a fatal error. On the submission port (RFC 6409) Ready → Auth (a SASL
 * exchange in progress, RFC 4954: its lines are responses, not commands; the exchange is the
 * state's record, smtp/auth.ts) → Ready, authenticated; MAIL needs that first (530 5.7.0).
 * The table `COMMANDS` says which states allow each verb; one dispatcher answers 503 5.5.1 for
 * anything out of sequence. Every transition goes through `enter()`.
 *
 * Who may relay (RCPT to a domain not ours): an authenticated submission client, or one from
 * --relay-networks; anyone else gets 550 5.7.1, and so does sender-specified routing in a local
 * part (`a%b@`, `a!b@`, a quoted `"a@b"@`), as Postfix's allow_untrusted_routing = no.
 *
 * With a delivery target that decides per recipient (the proxy's upstream, `targetVerdicts`),
 * a RCPT the session accepted is not answered at once: the session enters RcptPending, a state
 * that allows no command, and asks the target (`ask-target`); the connection feeds the verdict
 * back with `recipientVerdict`, which answers the RCPT and returns to Mail or Rcpt.
 *
 * A step returns the replies to send and the effects the connection must carry out (switch to
 * DATA framing, start TLS, hand the message to its delivery target, close). The connection
 * reports back with `dataReceived`, `dataFinished`, `tlsStarted`, `lineError` and `timedOut`.
 * What a message is handed over with (envelope, inboxes, trace fields) is built here, from
 * the session's own state: the connection only carries it.
 */
import { collectTargets, type FinalTarget } from '../aliases/targets.js';
import type { Incoming } from '../delivery/ingest.js';
import type { RecipientRouter } from '../delivery/router.js';
import type { Mailbox } from '../mail/address.js';
import { headerValue, unfoldHeaders } from '../mail/header-block.js';
import { decodeHeaderValue } from '../mail/decode.js';
import type { SmtpTranscript } from '../mail/model.js';
import { magicOf } from '../policy/magic.js';
import { OPEN_POLICY, type ClientPolicy, type Decision } from '../policy/smtp-policy.js';
import { A, continueSasl, startSasl, type AuthVerdict, type SaslExchange, type SaslStep } from './auth.js';
import type { DataResult } from './data.js';
import { isNonAscii, parsePathArgument, splitCommand } from './commands.js';
import { R, formatReply, reply, stored, type Reply } from './replies.js';

export type SmtpState = 'Connected' | 'Ready' | 'Auth' | 'Mail' | 'Rcpt' | 'RcptPending' | 'Data' | 'Closed';

export type Effect =
  | { kind: 'start-data' }
  | { kind: 'start-tls' }
  /**
   * Hand the received message to its delivery target, after `delayMs` (a magic `delay-…`
   * recipient); its outcome comes back as `dataFinished`.
   */
  | { kind: 'deliver'; message: Incoming; delayMs: number }
  /** Check a submission login (scrypt, the brute-force throttle); the verdict comes back as `authFinished`. */
  | { kind: 'authenticate'; user: string; password: string }
  /** Ask the delivery target's transaction for its verdict on this recipient; it comes back as `recipientVerdict`. */
  | { kind: 'ask-target'; recipient: string }
  | { kind: 'close' };

export interface Step {
  replies: Reply[];
  effects: Effect[];
  /** The policy refused something in this step (its reason): the connection logs the session. */
  refusal?: string;
}

export interface SessionSettings {
  hostname: string;
  maxMessageBytes: number;
  maxRecipients: number;
  /** Errors (5xx replies and framing errors) after which the session is closed with 421. */
  maxErrors: number;
  router: RecipientRouter;
  /** The store's filesystem is full and eviction cannot help (policy/disk.ts): new mail gets 452 4.3.1. */
  storageFull?: () => boolean;
  /** The submission port (RFC 6409): AUTH offered (after STARTTLS unless allowInsecureAuth) and required before MAIL. */
  submission?: { allowInsecureAuth: boolean };
  /** Whether a relay queue exists; without one nothing can be relayed (550 5.7.1). */
  relayAvailable?: boolean;
  /** The delivery target gives its own verdict per recipient (proxy mode): each RCPT waits for it. */
  targetVerdicts?: boolean;
}

/** Who is on the other end, as the connection knows it, and the policy that applies to it. */
export interface ClientInfo {
  remoteAddress: string;
  /** Without one, nothing is refused (a trusted client) and magic addresses work. */
  policy?: ClientPolicy;
  /** The client is in --relay-networks: it may relay without AUTH. */
  relayAllowed?: boolean;
}

export interface Recipient {
  address: string;
  /** The inbox (or alias name) its local part names; '' for a relayed recipient. */
  inbox: string;
  /** Where it is delivered at DATA: its inbox, an alias's expansion, or the relay. */
  targets: FinalTarget[];
}

export interface Transaction {
  /** '' for the null reverse path. */
  mailFrom: string;
  recipients: Recipient[];
  smtputf8: boolean;
  /** MAIL's SIZE= (RFC 1870) and BODY= (RFC 6152), passed on to a per-recipient target. */
  declaredBytes: number | null;
  body: '7BIT' | '8BITMIME' | null;
  /** The recipient in RcptPending, waiting for the target's verdict. */
  pending: Recipient | null;
  /** What magic recipients ask of the end of DATA: a refusal, a delay. */
  magicRefusal: 452 | 554 | null;
  magicDelayMs: number;
}

/** How a DATA transfer ended, as the shell saw it. */
export type DataFinish =
  /** `upstream`: the target's own reply (an upstream's 250), whose code and text the client gets after ours. */
  | { kind: 'stored'; queueId: string; upstream?: Reply }
  | { kind: 'too-big' }
  | { kind: 'bare-newline' }
  | { kind: 'store-failed' }
  /** The delivery target refused it with its own reply (an upstream's verdict, a rule's drop). */
  | { kind: 'refused'; reply: Reply };

type Handler = (session: SmtpSession, args: string) => Step;

const ANY_OPEN: SmtpState[] = ['Connected', 'Ready', 'Mail', 'Rcpt'];

/** The protocol as data: each verb, the states it is allowed in, and what it does. */
const COMMANDS: Record<string, { states: SmtpState[]; handler: Handler; outOfSequence?: Reply }> = {
  EHLO: { states: ANY_OPEN, handler: (s, args) => s.hello(args, true) },
  HELO: { states: ANY_OPEN, handler: (s, args) => s.hello(args, false) },
  MAIL: { states: ['Ready'], handler: (s, args) => s.mail(args), outOfSequence: R.noHello },
  RCPT: { states: ['Mail', 'Rcpt'], handler: (s, args) => s.rcpt(args) },
  DATA: { states: ['Rcpt'], handler: (s, args) => s.data(args), outOfSequence: R.noRecipients },
  RSET: { states: ANY_OPEN, handler: (s, args) => s.rset(args) },
  NOOP: { states: ANY_OPEN, handler: () => ok(R.ok) },
  HELP: { states: ANY_OPEN, handler: () => ok(R.help) },
  VRFY: { states: ANY_OPEN, handler: (_s, args) => (args.trim() ? ok(R.vrfy) : ok(R.syntax('VRFY needs an argument'))) },
  QUIT: { states: ANY_OPEN, handler: (s) => s.quit() },
  AUTH: { states: ['Ready'], handler: (s, args) => s.auth(args), outOfSequence: R.noHello },
  STARTTLS: { states: ['Ready'], handler: (s, args) => s.startTls(args), outOfSequence: R.noHello },
};

function ok(r: Reply, effects: Effect[] = []): Step {
  return { replies: [r], effects };
}

export class SmtpSession {
  state: SmtpState = 'Connected';
  helo = '';
  esmtp = false;
  tls = false;
  errors = 0;
  transaction: Transaction | null = null;
  /** The SASL exchange of the Auth state. */
  sasl: SaslExchange | null = null;
  /** Who logged in on the submission port (null: nobody). */
  user: string | null = null;
  private readonly policy: ClientPolicy;

  constructor(
    private readonly settings: SessionSettings,
    private readonly client: ClientInfo,
  ) {
    this.policy = client.policy ?? OPEN_POLICY;
  }

  private enter(state: SmtpState): void {
    this.state = state;
    if (state === 'Ready' || state === 'Connected' || state === 'Closed') this.transaction = null;
    if (state !== 'Auth') this.sasl = null;
  }

  /** The greeting, or a banned client's 421 4.7.1 and hang-up (RFC 5321 §3.1: a server may refuse at connect). */
  greeting(): Step {
    const banned = this.policy.connect();
    if (banned) return this.refuse(banned);
    return ok({ code: 220, text: `${this.settings.hostname} ESMTP Tidemail ready` });
  }

  /**
   * The first line of a greeting held for the pregreet test, on the wire: a multi-line 220
   * (RFC 5321 §4.2.1) whose last line `greeting()` sends later. A client must wait for that
   * last line before it speaks; a bot that does not is caught.
   */
  greetingFirstLine(): string {
    return `220-${this.settings.hostname} ESMTP Tidemail\r\n`;
  }

  /** The pregreet test failed: the client sent before the greeting was complete. */
  talkedFirst(): Step {
    this.enter('Closed');
    return { replies: [R.pregreet], effects: [{ kind: 'close' }], refusal: 'pregreet' };
  }

  /** A policy decision as the reply to send: a ban hangs up, a deferral and a refusal do not. */
  private refuse(decision: NonNullable<Decision>): Step {
    if (decision.action === 'ban') {
      this.enter('Closed');
      return { replies: [R.banned(decision.text)], effects: [{ kind: 'close' }], refusal: decision.reason };
    }
    // A greylisted recipient is routine for a first attempt, not a refused session to log.
    if (decision.action === 'greylist') return ok(R.greylisted(decision.waitS));
    const r = decision.action === 'defer' ? R.deferredByPolicy(decision.text) : R.refusedByPolicy(decision.text);
    return { replies: [r], effects: [], refusal: decision.reason };
  }

  /** One command line (without CRLF). */
  command(line: string): Step {
    // In Auth a line is the client's SASL response, not a command (RFC 4954 §4).
    if (this.state === 'Auth') return this.countErrors(this.saslStep(continueSasl(this.sasl!, line)));
    const { verb, args } = splitCommand(line);
    const entry = COMMANDS[verb];
    const step = !entry ? ok(R.unknownCommand) : entry.states.includes(this.state) ? entry.handler(this, args) : ok(this.outOfSequence(verb, entry.outOfSequence));
    return this.countErrors(step);
  }

  private outOfSequence(verb: string, specific: Reply | undefined): Reply {
    if (verb === 'MAIL' && this.state !== 'Connected') return R.nestedMail;
    if (verb === 'AUTH' && (this.state === 'Mail' || this.state === 'Rcpt')) return R.badSequence; // not within a transaction (RFC 4954 §4)
    if (verb === 'STARTTLS' && this.tls) return R.tlsActive;
    if (verb === 'DATA' && this.state === 'Connected') return R.noHello;
    return specific ?? R.badSequence;
  }

  /** A framing error from the shell: an over-long line or a bare CR/LF in a command. */
  lineError(kind: 'too-long' | 'bare-newline' | 'bad-utf8'): Step {
    const r = kind === 'too-long' ? R.lineTooLong : kind === 'bare-newline' ? R.bareNewline : R.badUtf8;
    return this.countErrors(ok(r));
  }

  private countErrors(step: Step): Step {
    if (this.state === 'Closed') return step;
    // --strict: a protocol violation (5.5.x: unknown, out of sequence, bad syntax) ends an untrusted session.
    if (this.policy.strict && step.replies.some((r) => r.enhanced?.startsWith('5.5.'))) {
      this.enter('Closed');
      return { ...step, effects: [...step.effects, { kind: 'close' }], refusal: step.refusal ?? 'strict' };
    }
    if (step.replies.some((r) => r.code >= 500)) this.errors++;
    if (this.errors >= this.settings.maxErrors) {
      this.enter('Closed');
      return { replies: [...step.replies, R.tooManyErrors], effects: [{ kind: 'close' }] };
    }
    return step;
  }

  hello(args: string, extended: boolean): Step {
    const domain = args.trim();
    if (!domain || /\s/.test(domain)) return ok(R.syntax(`${extended ? 'EHLO' : 'HELO'} needs exactly one domain or address literal`));
    this.helo = domain;
    this.esmtp = extended;
    this.enter('Ready'); // EHLO in a transaction also resets it (§4.1.4)
    const greet = `${this.settings.hostname} greets ${domain}`;
    if (!extended) return ok(reply(250, '', greet));
    const extensions = ['PIPELINING', `SIZE ${this.settings.maxMessageBytes}`, '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES'];
    if (!this.tls) extensions.push('STARTTLS');
    if (this.authOffered()) extensions.push('AUTH PLAIN LOGIN');
    extensions.push('HELP');
    return ok(reply(250, '', [greet, ...extensions].join('\n')));
  }

  mail(args: string): Step {
    const parsed = parsePathArgument(args, 'FROM');
    if (!parsed.ok) return ok(R.badAddress(parsed.reason));
    let smtputf8 = false;
    let declaredBytes: number | null = null;
    let body: Transaction['body'] = null;
    for (const [name, value] of parsed.params) {
      if (name === 'SIZE') {
        if (value === true || !/^\d{1,15}$/.test(value)) return ok(R.syntax('SIZE needs a number'));
        if (Number(value) > this.settings.maxMessageBytes) return ok(R.declaredTooBig(this.settings.maxMessageBytes));
        declaredBytes = Number(value);
      } else if (name === 'BODY') {
        // RFC 6152: 7BIT and 8BITMIME; BINARYMIME needs CHUNKING's BDAT and is not offered.
        if (value === true || !/^(7BIT|8BITMIME)$/i.test(value)) return ok(R.unsupportedParameter(`BODY=${String(value)}`));
        body = value.toUpperCase() as Transaction['body'];
      } else if (name === 'SMTPUTF8' && value === true) {
        smtputf8 = true;
      } else if (name === 'AUTH' && this.settings.submission) {
        // RFC 4954 §5: a server offering AUTH accepts the parameter; we trust only our own login.
      } else {
        return ok(R.unsupportedParameter(name));
      }
    }
    if (this.settings.submission && this.user === null) return ok(A.required);
    const mailFrom = parsed.mailbox?.address ?? '';
    if (isNonAscii(mailFrom) && !smtputf8) return ok(R.needSmtpUtf8);
    if (this.settings.storageFull?.()) return ok(R.storageFull);
    const decision = this.policy.mail(mailFrom);
    if (decision) return this.refuse(decision);
    this.enter('Mail');
    this.transaction = { mailFrom, recipients: [], smtputf8, declaredBytes, body, pending: null, magicRefusal: null, magicDelayMs: 0 };
    return ok(R.senderOk);
  }

  rcpt(args: string): Step {
    const transaction = this.transaction!;
    const parsed = parsePathArgument(args, 'TO');
    if (!parsed.ok) return ok(R.badRecipient(parsed.reason));
    if (!parsed.mailbox) return ok(R.badRecipient('a recipient cannot be <>'));
    const [unknown] = parsed.params.keys();
    if (unknown !== undefined) return ok(R.unsupportedParameter(unknown));
    const mailbox: Mailbox = parsed.mailbox;
    if (isNonAscii(mailbox.address) && !transaction.smtputf8) return ok(R.needSmtpUtf8);
    if (transaction.recipients.length >= this.settings.maxRecipients) return ok(R.tooManyRecipients);
    const mayRelay = this.user !== null || this.client.relayAllowed === true;
    if (!mayRelay && /[@%!]/.test(mailbox.localPart)) return ok(R.senderRouting);
    const route = this.settings.router.route(mailbox);
    if (route.kind === 'reject' && route.reason === 'not-our-domain') {
      if (!mayRelay) return ok(R.notOurDomain);
      if (!this.settings.relayAvailable) return ok(R.noRelayQueue);
      transaction.recipients.push({ address: mailbox.address, inbox: '', targets: [{ kind: 'relay', address: mailbox.address }] });
      this.enter('Rcpt');
      return ok(R.recipientOk);
    }
    if (route.kind === 'reject') return ok(route.reason === 'alias-too-deep' ? R.aliasTooDeep : R.noSuchInbox);
    const greylisted = this.policy.rcpt({ helo: this.helo, mailFrom: transaction.mailFrom, rcptTo: mailbox.address });
    if (greylisted) return this.refuse(greylisted);
    const magic = this.policy.magicAddresses ? magicOf(mailbox.localPart) : null;
    if (magic) {
      switch (magic.kind) {
        case 'rcpt':
          return ok(magic.code === 451 ? R.magicDeferred : R.magicNoSuchUser);
        case 'greylist': {
          const waitMs = this.policy.greylistWaitMs(magic, transaction.mailFrom, mailbox.address);
          if (waitMs > 0) return ok(R.greylisted(Math.ceil(waitMs / 1000)));
          break;
        }
        case 'disconnect':
          this.enter('Closed');
          return { replies: [], effects: [{ kind: 'close' }] };
        case 'data':
          transaction.magicRefusal = transaction.magicRefusal === 554 || magic.code === 554 ? 554 : 452;
          break;
        case 'delay':
          transaction.magicDelayMs = Math.max(transaction.magicDelayMs, magic.ms);
          break;
      }
    }
    const inbox = route.kind === 'inbox' ? route.inbox : route.name;
    const targets: FinalTarget[] = route.kind === 'inbox' ? [{ kind: 'inbox', inbox }] : route.targets;
    if (this.settings.targetVerdicts) {
      transaction.pending = { address: mailbox.address, inbox, targets };
      this.enter('RcptPending');
      return { replies: [], effects: [{ kind: 'ask-target', recipient: mailbox.address }] };
    }
    transaction.recipients.push({ address: mailbox.address, inbox, targets });
    this.enter('Rcpt');
    return ok(R.recipientOk);
  }

  /** The target's verdict on the pending recipient: its reply answers the RCPT. */
  recipientVerdict(verdict: { accepted: boolean; reply: Reply }): Step {
    if (this.state !== 'RcptPending') return { replies: [], effects: [] }; // closed meanwhile: nobody waits for it
    const transaction = this.transaction!;
    if (verdict.accepted) transaction.recipients.push(transaction.pending!);
    transaction.pending = null;
    this.enter(transaction.recipients.length > 0 ? 'Rcpt' : 'Mail');
    return this.countErrors(ok(verdict.reply));
  }

  data(args: string): Step {
    if (args.trim() !== '') return ok(R.syntax('DATA takes no arguments'));
    this.enter('Data');
    return ok(R.startData, [{ kind: 'start-data' }]);
  }

  /**
   * The connection's DATA framing found the end of the message. A complete one is handed to
   * delivery with everything the trace header and the store need; a refused one is answered.
   */
  dataReceived(result: DataResult, handOver: () => { queueId: string; transcript: SmtpTranscript }): Step {
    if (result.outcome !== 'complete') return this.dataFinished({ kind: result.outcome });
    const transaction = this.transaction!;
    if (transaction.magicRefusal) {
      this.enter('Ready');
      return ok(transaction.magicRefusal === 452 ? R.magicFull : R.magicRefused);
    }
    const decision = this.policy.trusted ? null : this.policy.data(subjectOf(result.segments));
    if (decision) {
      this.enter('Ready');
      return this.refuse(decision);
    }
    const delivery = handOver();
    const targets = collectTargets(transaction.recipients.flatMap((r) => r.targets));
    const message: Incoming = {
      trace: {
        helo: this.helo,
        remoteAddress: this.client.remoteAddress,
        hostname: this.settings.hostname,
        esmtp: this.esmtp,
        tls: this.tls,
        smtputf8: transaction.smtputf8,
        id: delivery.queueId,
      },
      envelope: {
        mailFrom: transaction.mailFrom,
        rcptTo: transaction.recipients.map((r) => r.address),
        remoteAddress: this.client.remoteAddress,
        helo: this.helo,
        tls: this.tls,
      },
      inboxes: targets.inboxes,
      relayTo: targets.relayTo,
      ...(targets.files.length ? { files: targets.files } : {}),
      ...(targets.programs.length ? { programs: targets.programs } : {}),
      relayOrigin: this.user !== null ? 'submission' : this.client.relayAllowed ? 'relay-network' : 'alias',
      ...(this.user !== null ? { user: this.user } : {}),
      segments: result.segments,
      transcript: delivery.transcript,
    };
    return { replies: [], effects: [{ kind: 'deliver', message, delayMs: transaction.magicDelayMs }] };
  }

  /** How the DATA transfer ended: refused by the framing, or the delivery target's outcome. */
  dataFinished(finish: DataFinish): Step {
    this.enter('Ready');
    switch (finish.kind) {
      case 'stored':
        return ok(finish.upstream ? storedUpstream(finish.queueId, finish.upstream) : stored(finish.queueId));
      case 'too-big':
        return this.countErrors(ok(R.tooBig(this.settings.maxMessageBytes)));
      case 'bare-newline':
        return this.countErrors(ok(R.bareNewlineInData));
      case 'store-failed':
        return ok(R.storeFailed);
      case 'refused':
        return this.countErrors(ok(finish.reply));
    }
  }

  rset(args: string): Step {
    if (args.trim() !== '') return ok(R.syntax('RSET takes no arguments'));
    this.enter(this.helo ? 'Ready' : 'Connected');
    return ok(R.reset);
  }

  quit(): Step {
    this.enter('Closed');
    return ok(R.bye, [{ kind: 'close' }]);
  }

  startTls(args: string): Step {
    if (args.trim() !== '') return ok(R.syntax('STARTTLS takes no arguments'));
    if (this.tls) return ok(R.tlsActive);
    return ok(R.startTls, [{ kind: 'start-tls' }]);
  }

  /** After the TLS handshake the session starts over, as if just connected (RFC 3207 §4.2). */
  tlsStarted(): void {
    this.tls = true;
    this.helo = '';
    this.esmtp = false;
    this.user = null;
    this.enter('Connected');
  }

  /** AUTH is offered on the submission port, once the session is encrypted or if --allow-insecure-auth. */
  private authOffered(): boolean {
    const submission = this.settings.submission;
    return submission !== undefined && (this.tls || submission.allowInsecureAuth);
  }

  auth(args: string): Step {
    if (!this.settings.submission) return ok(A.notOffered);
    if (this.user !== null) return ok(A.already);
    // RFC 4954 §4: not before encryption when only encrypted AUTH is offered (538, §6).
    if (!this.authOffered()) return ok(A.encryptionRequired);
    return this.saslStep(startSasl(args));
  }

  private saslStep(step: SaslStep): Step {
    switch (step.kind) {
      case 'challenge':
        this.enter('Auth');
        this.sasl = step.exchange;
        return ok(step.reply);
      case 'failed':
        this.enter('Ready');
        return ok(step.reply);
      case 'credentials':
        this.enter('Auth');
        this.sasl = null;
        return { replies: [], effects: [{ kind: 'authenticate', user: step.user, password: step.password }] };
    }
  }

  /** The connection checked the credentials of the last `authenticate` effect. */
  authFinished(user: string, verdict: AuthVerdict): Step {
    this.enter('Ready');
    switch (verdict.kind) {
      case 'ok':
        this.user = user;
        return ok(A.succeeded);
      case 'invalid':
        return this.countErrors(ok(A.invalid)); // a wrong password counts toward the session's errors
      case 'throttled':
        return ok(A.throttled(Math.ceil(verdict.retryAfterMs / 1000)));
      case 'error':
        return ok(A.temporary);
    }
  }

  timedOut(): Step {
    this.enter('Closed');
    return ok(R.idleTimeout, [{ kind: 'close' }]);
  }

  /** Closed by the listener to make room for a newcomer (connection shedding). */
  shed(): Step {
    this.enter('Closed');
    return ok(R.shed, [{ kind: 'close' }]);
  }

  shuttingDown(): Step {
    this.enter('Closed');
    return ok(R.shuttingDown, [{ kind: 'close' }]);
  }
}

/** A 250 after an upstream's: its code and enhanced code, our queue id, then its words (RFC 5321 §4.2: the text is free). */
function storedUpstream(queueId: string, upstream: Reply): Reply {
  return reply(upstream.code, upstream.enhanced || '2.0.0', `${stored(queueId).text}; ${upstream.text}`);
}

export function wire(step: Step): string {
  return step.replies.map(formatReply).join('');
}

/** The decoded Subject of a message received as DATA segments (the header block is in the first ones). */
function subjectOf(segments: readonly Buffer[]): string {
  let head = segments[0] ?? Buffer.alloc(0);
  for (let i = 1; i < segments.length && head.indexOf('\r\n\r\n') === -1 && head.length < 64 * 1024; i++) head = Buffer.concat([head, segments[i]!]);
  const value = headerValue(unfoldHeaders(head, 0, undefined, SUBJECT), 'subject');
  return value === null ? '' : decodeHeaderValue(value);
}

const SUBJECT: ReadonlySet<string> = new Set(['subject']);
