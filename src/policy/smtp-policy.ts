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
 * 4. at RCPT, the greylist (--greylist, greylist.ts) — 451 4.7.1 for that recipient only;
 * 5. at the end of DATA, blocked subject words, then the subject flood (--subject-flood: the
 *    zombie-network filter; ~9 % of Mailinator's mail) — 550 5.7.1, never accepted and dropped.
 *
 * Each link is a small filter with one interface (filters.ts); this file puts them in order and
 * gives each session its view. All state is bounded (COUNTER_KEYS counters per table, bans
 * capped in bans.ts, greylist entries capped in greylist.ts).
 */
import type { Clock } from '../clock.js';
import type { AgingCounter } from './aging-counter.js';
import { Bans } from './bans.js';
import { greylistFilter, type Greylist } from './greylist.js';
import { bannedClients, blockedWords, bounces, rateLimit, subjectFlood, type Decision, type Filter, type FilterContext, type Rate } from './filters.js';
import type { Magic } from './magic.js';
import { networkOf, type NetworkList } from './networks.js';
import { RefusedLog, type RefusedSession } from './refused-log.js';
import { normalizeSubject } from './subject.js';
import type { BlockedWords } from './words.js';

export type { Decision, Rate };

/** At most this many counter keys per table (IPs, networks, subjects): ~100 bytes each. */
export const COUNTER_KEYS = 100_000;

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
  /** --greylist: the greylist asked at RCPT, or null when off. */
  greylist?: Greylist | null;
}

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
  /** At each RCPT, for that recipient only (the greylist); `helo` is the session's HELO/EHLO name. */
  rcpt(envelope: { helo: string; mailFrom: string; rcptTo: string }): Decision;
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
  /** The chain, in the order its filters are asked. */
  private readonly filters: Filter[];
  private readonly counters: Array<{ kind: 'ip' | 'network' | 'subject'; counts: AgingCounter }> = [];
  /** First attempt of each magic-greylist triplet; they age out after the longest magic wait. */
  private readonly greylistFirstSeen = new Map<string, number>();

  constructor(
    readonly settings: PolicySettings,
    private readonly clock: Pick<Clock, 'now'>,
    private readonly events: PolicyEvents,
    /** SMTP sessions open now, for the tarpit's load. */
    private readonly openSessions: () => number,
  ) {
    const s = settings;
    this.filters = [bannedClients(this.bans)];
    if (!s.acceptBounces) this.filters.push(bounces());
    for (const [kind, limit] of [['ip', s.ipRate], ['network', s.networkRate]] as const) {
      if (limit.count === 0) continue;
      const filter = rateLimit(kind, limit, COUNTER_KEYS, this.bans, s.banMs);
      this.filters.push(filter);
      this.counters.push({ kind, counts: filter.counts });
    }
    if (s.greylist) this.filters.push(greylistFilter(s.greylist));
    if (s.words) this.filters.push(blockedWords(s.words));
    if (s.subjectFlood.count > 0) {
      const flood = subjectFlood(s.subjectFlood, COUNTER_KEYS, this.bans, s.subjectBanMs);
      this.filters.push(flood);
      this.counters.push({ kind: 'subject', counts: flood.counts });
    }
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
      connect: () => (trusted ? null : policy.ask('atConnect', policy.context(remoteAddress, network))),
      mail: (mailFrom) => (trusted ? null : policy.ask('atMail', { ...policy.context(remoteAddress, network), mailFrom })),
      rcpt: (envelope) => (trusted ? null : policy.ask('atRcpt', { ...policy.context(remoteAddress, network), ...envelope })),
      data: (subject) => (trusted ? null : policy.ask('atData', { ...policy.context(remoteAddress, network), subject, normalizedSubject: normalizeSubject(subject) })),
      greylistWaitMs: (magic, mailFrom, rcptTo) => policy.greylistWaitMs(`${network} ${mailFrom} ${rcptTo}`, magic.ms),
      replyDelayMs: () => (trusted || s.tarpitMs === 0 ? 0 : policy.tarpitMs()),
      refused: (entry) => {
        policy.events.refused(entry.reason);
        policy.refusedLog.add({ ...entry, atMs: policy.clock.now(), remoteAddress });
      },
    };
  }

  /** Ask each filter at one point of the session, in order; the first decision wins. */
  private ask(point: 'atConnect', context: FilterContext): Decision;
  private ask(point: 'atMail', context: FilterContext & { mailFrom: string }): Decision;
  private ask(point: 'atRcpt', context: FilterContext & { helo: string; mailFrom: string; rcptTo: string }): Decision;
  private ask(point: 'atData', context: FilterContext & { subject: string; normalizedSubject: string }): Decision;
  private ask(point: 'atConnect' | 'atMail' | 'atRcpt' | 'atData', context: FilterContext): Decision {
    for (const filter of this.filters) {
      const decide = filter[point] as ((c: typeof context) => Decision) | undefined;
      const decision = decide?.(context);
      if (decision) return decision;
    }
    return null;
  }

  private context(ip: string, network: string): FilterContext {
    return { ip, network, nowMs: this.clock.now() };
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
    return this.counters
      .flatMap(({ kind, counts }) => counts.hottest(limit, now).map((c) => ({ kind, ...c })))
      .sort((a, b) => b.count - a.count)
      .slice(0, limit);
  }
}

/** The policy of a trusted client when no server policy is wired (tests, tools): nothing refused, magic on. */
export const OPEN_POLICY: ClientPolicy = {
  trusted: true,
  strict: false,
  greetWaitMs: 0,
  magicAddresses: true,
  connect: () => null,
  mail: () => null,
  rcpt: () => null,
  data: () => null,
  greylistWaitMs: () => 0,
  replyDelayMs: () => 0,
  refused: () => {},
};
