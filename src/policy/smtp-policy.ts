/**
 * The SMTP policy: Mailinator's filter chain and its friends, asked by each SMTP session at
 * connect, MAIL and the end of DATA. Decisions look at the client's address and the subject,
 * never at the body. Clients from trusted networks (loopback and private by default) skip all
 * of it, so a developer's `npm start` and every test suite on localhost stay fast; only the
 * magic addresses (a QA feature, magic.ts) apply to everyone.
 *
 * The chain, in order (each refusal counted in /metrics by reason and kept in the refused log):
 * 1. bans (ip, network, subject) — 421 4.7.1 and a hang-up at connect or MAIL;
 * 2. bounces (`<>`, MAILER-DAEMON) — 550 5.7.1 unless --accept-bounces (Mailinator dropped
 *    them all: at a disposable-mail site nearly every bounce is backscatter);
 * 3. per-IP and per-network rate (--ip-rate, --network-rate) — 450 4.7.1 with the wait; past
 *    twice the limit the address (or network) is banned for --ban-time;
 * 4. at the end of DATA, blocked subject words, then the subject flood (--subject-flood: the
 *    zombie-network filter; ~9 % of Mailinator's mail) — 550 5.7.1, never accepted and dropped.
 *
 * All state is bounded (COUNTER_KEYS counters per table, bans capped in bans.ts).
 */
import type { Clock } from '../clock.js';
import { type Ban, Bans } from './bans.js';
import { AgingCounter } from './aging-counter.js';
import type { Magic } from './magic.js';
import { networkOf, type NetworkList } from './networks.js';
import { RefusedLog, type RefusedSession } from './refused-log.js';
import { normalizeSubject } from './subject.js';
import type { BlockedWords } from './words.js';

/** At most this many counter keys per table (IPs, networks, subjects): ~100 bytes each. */
export const COUNTER_KEYS = 100_000;

export interface Rate {
  count: number;
  windowMs: number;
}

export interface PolicySettings {
  enabled: boolean;
  trusted: NetworkList;
  ipRate: Rate;
  networkRate: Rate;
  banMs: number;
  subjectFlood: Rate;
  subjectBanMs: number;
  acceptBounces: boolean;
  words: BlockedWords | null;
  tarpitMs: number;
  strict: boolean;
  greetWaitMs: number;
  magicAddresses: boolean;
  maxConnections: number;
}

/** What the policy says: null lets the command through. */
export type Decision = { action: 'defer' | 'refuse' | 'ban'; reason: string; text: string } | null;

/** The policy as one SMTP session sees it. */
export interface ClientPolicy {
  readonly trusted: boolean;
  /** Close on the first protocol violation (--strict). */
  readonly strict: boolean;
  /** How long to hold the greeting's last line (pregreet test); 0: greet at once. */
  readonly greetWaitMs: number;
  readonly magicAddresses: boolean;
  connect(): Decision;
  mail(mailFrom: string): Decision;
  /** At the end of DATA, with the message's Subject. */
  data(subject: string): Decision;
  /** For magic `greylist-…` recipients: ms left before this triplet passes (0: passes now). */
  greylistWaitMs(magic: Extract<Magic, { kind: 'greylist' }>, mailFrom: string, rcptTo: string): number;
  /** The tarpit's delay for each reply now. */
  replyDelayMs(): number;
  /** A refusal happened: count it and keep the session for the policy page. */
  refused(entry: Omit<RefusedSession, 'atMs' | 'remoteAddress'>): void;
}

export interface PolicyEvents {
  refused(reason: string): void;
}

export class SmtpPolicy {
  readonly bans = new Bans();
  readonly refusedLog = new RefusedLog();
  private readonly ipCounts: AgingCounter;
  private readonly networkCounts: AgingCounter;
  private readonly subjectCounts: AgingCounter;
  /** First attempt of each magic-greylist triplet; they age out after the longest magic wait. */
  private readonly greylistFirstSeen = new Map<string, number>();

  constructor(
    readonly settings: PolicySettings,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly events: PolicyEvents,
    /** SMTP sessions open now, for the tarpit's load. */
    private readonly openSessions: () => number,
  ) {
    this.ipCounts = new AgingCounter(settings.ipRate.windowMs, COUNTER_KEYS);
    this.networkCounts = new AgingCounter(settings.networkRate.windowMs, COUNTER_KEYS);
    this.subjectCounts = new AgingCounter(settings.subjectFlood.windowMs, COUNTER_KEYS);
  }

  isTrusted(address: string): boolean {
    return !this.settings.enabled || this.settings.trusted.has(address);
  }

  forClient(remoteAddress: string): ClientPolicy {
    const trusted = this.isTrusted(remoteAddress);
    const policy = this;
    const network = networkOf(remoteAddress);
    const s = this.settings;
    return {
      trusted,
      strict: !trusted && s.strict,
      greetWaitMs: trusted ? 0 : s.greetWaitMs,
      magicAddresses: s.magicAddresses,
      connect: () => (trusted ? null : policy.banned(remoteAddress, network)),
      mail: (mailFrom) => (trusted ? null : policy.mail(remoteAddress, network, mailFrom)),
      data: (subject) => (trusted ? null : policy.data(subject)),
      greylistWaitMs: (magic, mailFrom, rcptTo) => policy.greylistWaitMs(`${network} ${mailFrom} ${rcptTo}`, magic.ms),
      replyDelayMs: () => (trusted || s.tarpitMs === 0 ? 0 : policy.tarpitMs()),
      refused: (entry) => {
        policy.events.refused(entry.reason);
        policy.refusedLog.add({ ...entry, atMs: policy.clock.now(), remoteAddress });
      },
    };
  }

  private banned(ip: string, network: string): Decision {
    const now = this.clock.now();
    const ban = this.bans.find('ip', ip, now) ?? this.bans.find('network', network, now);
    return ban ? banDecision(ban, now) : null;
  }

  private mail(ip: string, network: string, mailFrom: string): Decision {
    const banned = this.banned(ip, network);
    if (banned) return banned;
    const s = this.settings;
    if (!s.acceptBounces && isBounce(mailFrom)) return { action: 'refuse', reason: 'bounce', text: 'Bounces are not accepted here' };
    const now = this.clock.now();
    return this.rate('ip', ip, this.ipCounts, s.ipRate, now) ?? this.rate('network', network, this.networkCounts, s.networkRate, now);
  }

  /** Count one message; over the limit defer, past twice the limit ban (a client that will not wait). */
  private rate(kind: 'ip' | 'network', key: string, counts: AgingCounter, limit: Rate, now: number): Decision {
    if (limit.count === 0) return null;
    const count = counts.hit(key, now);
    if (count <= limit.count) return null;
    if (count > 2 * limit.count) {
      const ban = this.bans.add(kind, key, `${kind}-rate: over ${2 * limit.count} messages in ${limit.windowMs / 1000} s`, now, now + this.settings.banMs);
      return banDecision(ban, now);
    }
    const waitS = Math.max(1, Math.ceil((counts.resetAtMs(key, now) - now) / 1000));
    const who = kind === 'ip' ? 'your address' : 'your network';
    return { action: 'defer', reason: `${kind}-rate`, text: `Too much mail from ${who}; try again in ${waitS} seconds` };
  }

  private data(subject: string): Decision {
    const word = this.settings.words?.match(subject);
    if (word) return { action: 'refuse', reason: 'blocked-word', text: 'Message refused by the subject filter' };
    const now = this.clock.now();
    const normalized = normalizeSubject(subject);
    if (this.bans.find('subject', normalized, now)) return { action: 'refuse', reason: 'subject-flood', text: 'Subject banned: too many messages with it' };
    const flood = this.settings.subjectFlood;
    if (flood.count === 0) return null;
    if (this.subjectCounts.hit(normalized, now) <= flood.count) return null;
    this.bans.add('subject', normalized, `subject-flood: over ${flood.count} messages in ${flood.windowMs / 1000} s`, now, now + this.settings.subjectBanMs);
    return { action: 'refuse', reason: 'subject-flood', text: 'Subject banned: too many messages with it' };
  }

  private greylistWaitMs(key: string, waitMs: number): number {
    const now = this.clock.now();
    const first = this.greylistFirstSeen.get(key);
    if (first === undefined) {
      if (this.greylistFirstSeen.size >= COUNTER_KEYS) this.greylistFirstSeen.delete(this.greylistFirstSeen.keys().next().value as string);
      this.greylistFirstSeen.set(key, now);
      return waitMs;
    }
    return Math.max(0, first + waitMs - now);
  }

  /** Mailinator's tarpit: slow when the server can afford it, to nothing as sessions near the cap. */
  private tarpitMs(): number {
    const load = this.settings.maxConnections > 0 ? this.openSessions() / this.settings.maxConnections : 0;
    return Math.round(this.settings.tarpitMs * Math.max(0, 1 - load));
  }

  /** For the policy page: the hottest counters now. */
  hottest(limit = 20): Array<{ kind: 'ip' | 'network' | 'subject'; key: string; count: number; resetAtMs: number }> {
    const now = this.clock.now();
    return [
      ...this.ipCounts.hottest(limit, now).map((c) => ({ kind: 'ip' as const, ...c })),
      ...this.networkCounts.hottest(limit, now).map((c) => ({ kind: 'network' as const, ...c })),
      ...this.subjectCounts.hottest(limit, now).map((c) => ({ kind: 'subject' as const, ...c })),
    ]
      .sort((a, b) => b.count - a.count)
      .slice(0, limit);
  }
}

function banDecision(ban: Ban, now: number): Decision {
  const minutes = Math.max(1, Math.ceil((ban.untilMs - now) / 60_000));
  return { action: 'ban', reason: `banned-${ban.kind}`, text: `Banned for ${minutes} more minutes: ${ban.reason}` };
}

function isBounce(mailFrom: string): boolean {
  return mailFrom === '' || /^mailer-daemon@/i.test(mailFrom) || mailFrom.toLowerCase() === 'mailer-daemon';
}

/** The policy of a trusted client when no server policy is wired (tests, tools): nothing refused, magic on. */
export const OPEN_POLICY: ClientPolicy = {
  trusted: true,
  strict: false,
  greetWaitMs: 0,
  magicAddresses: true,
  connect: () => null,
  mail: () => null,
  data: () => null,
  greylistWaitMs: () => 0,
  replyDelayMs: () => 0,
  refused: () => {},
};
