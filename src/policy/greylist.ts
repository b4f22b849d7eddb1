/**
 * Greylisting (`--greylist`), asked at RCPT for untrusted clients: an unknown triplet
 * (client network, envelope sender, recipient) gets `451 4.7.1 Greylisted, try again in N
 * seconds` for that recipient; a real MTA retries (RFC 5321 §4.5.4.1), a bot mostly does not.
 *
 * The rules, with Postgrey's numbers as defaults (BACKGROUND.md):
 * - the client network is its /24 or /64 (networks.ts), so a provider retrying from another
 *   host of its pool passes (Gmail does);
 * - a retry at least `delayMs` after the first attempt and within `retryWindowMs` of it
 *   passes, and the triplet turns white for `lifetimeMs`, refreshed on every pass; a grey
 *   entry not retried within the window expires and the triplet starts over;
 * - `hammerMs` (Kamaelia's anti-hammer rule, 0 = off): a retry sooner than that after the
 *   previous attempt, while still grey, restarts the triplet's clock;
 * - every pass also counts for the client network; after `autoWhitelistPasses` passes the
 *   network is whitelisted as a whole for `lifetimeMs` from its last pass (0 = off);
 * - the whitelist file (greylist-whitelist.ts) is asked first and never greylisted.
 *
 * Bounded: at most `maxEntries` triplets. A new grey triplet at the cap evicts the oldest grey
 * ones first, 1 % of the cap at a time (a flood of one-shot triplets only pushes out other
 * unretried ones); white ones are evicted, least recently passed first, only when no grey one
 * is left. Client networks are capped at the same number, the least recently passed evicted. Expired entries are swept every
 * SWEEP_MS on the injected clock.
 */
import type { Clock, Timer } from '../clock.js';
import type { Decision, Filter } from './filters.js';
import type { GreyEntry, GreylistState } from './greylist-state.js';
import type { GreyCandidate, GreylistWhitelist } from './greylist-whitelist.js';
import { networkOf } from './networks.js';

export const SWEEP_MS = 60_000;
/** At the cap, this share of it is evicted at once (makeRoom). */
export const EVICT_SHARE = 0.01;

export interface GreylistSettings {
  delayMs: number;
  retryWindowMs: number;
  lifetimeMs: number;
  /** 0 = off. */
  hammerMs: number;
  /** Passes after which a client network is whitelisted; 0 = off. */
  autoWhitelistPasses: number;
  maxEntries: number;
}

export interface GreylistEvents {
  deferred(): void;
  passed(): void;
  /** Let through without a look at the triplet: `file-<kind>` or `auto` (a whitelisted client network). */
  whitelisted(by: string): void;
}

/** The greylist's verdict on one recipient. */
export type GreyVerdict = { kind: 'defer'; waitMs: number } | { kind: 'pass' } | { kind: 'whitelisted'; by: string };

export class Greylist {
  private sweeper: Timer | null = null;

  constructor(
    readonly settings: GreylistSettings,
    readonly state: GreylistState,
    private readonly clock: Clock,
    private readonly events: GreylistEvents,
    readonly whitelist: GreylistWhitelist | null = null,
  ) {
    // Nothing would ever pass: every retry would come after its window closed.
    if (settings.retryWindowMs <= settings.delayMs) throw new Error('--greylist-retry-window must be longer than --greylist-delay');
    if (settings.maxEntries < 1) throw new Error('--greylist-max-entries must be at least 1');
  }

  /** Sweep expired entries every SWEEP_MS from now on (and make writes durable as often). */
  start(): void {
    const run = (): void => {
      this.state.sweep(this.clock.now());
      this.state.flush();
      this.sweeper = this.clock.after(SWEEP_MS, run);
    };
    this.sweeper = this.clock.after(SWEEP_MS, run);
  }

  stop(): void {
    this.sweeper?.cancel();
    this.sweeper = null;
    this.state.close();
  }

  check(candidate: GreyCandidate): GreyVerdict {
    const verdict = this.decide(candidate, this.clock.now());
    if (verdict.kind === 'defer') this.events.deferred();
    else if (verdict.kind === 'pass') this.events.passed();
    else this.events.whitelisted(verdict.by);
    return verdict;
  }

  private decide(candidate: GreyCandidate, nowMs: number): GreyVerdict {
    const listed = this.whitelist?.match(candidate);
    if (listed) return { kind: 'whitelisted', by: `file-${listed}` };
    const s = this.settings;
    const network = networkOf(candidate.ip);
    const client = this.state.get('client', network);
    const clientLive = client && client.expiresAtMs > nowMs ? client : undefined;
    if (clientLive && s.autoWhitelistPasses > 0 && clientLive.passes >= s.autoWhitelistPasses) {
      this.passedBy(clientLive, nowMs);
      return { kind: 'whitelisted', by: 'auto' };
    }
    const sender = candidate.sender.toLowerCase();
    const recipient = candidate.recipient.toLowerCase();
    const found = this.state.get('triplet', network, sender, recipient);
    const entry = found && found.expiresAtMs > nowMs ? found : undefined;
    if (!entry) {
      this.makeRoom();
      this.state.put({ kind: 'grey', network, sender, recipient, firstSeenMs: nowMs, lastSeenMs: nowMs, passes: 0, expiresAtMs: nowMs + s.retryWindowMs });
      return { kind: 'defer', waitMs: s.delayMs };
    }
    if (entry.kind === 'grey') {
      const waitedMs = nowMs - entry.firstSeenMs;
      if (waitedMs < s.delayMs) {
        const hammering = s.hammerMs > 0 && nowMs - entry.lastSeenMs < s.hammerMs;
        const firstSeenMs = hammering ? nowMs : entry.firstSeenMs;
        this.state.put({ ...entry, firstSeenMs, lastSeenMs: nowMs, expiresAtMs: firstSeenMs + s.retryWindowMs });
        return { kind: 'defer', waitMs: firstSeenMs + s.delayMs - nowMs };
      }
    }
    this.passedBy(entry, nowMs);
    this.passedBy(clientLive ?? { kind: 'client', network, sender: '', recipient: '', firstSeenMs: nowMs, lastSeenMs: nowMs, passes: 0, expiresAtMs: 0 }, nowMs);
    return { kind: 'pass' };
  }

  /** A pass: the entry (a triplet turning or staying white, or a client network) counts it and lives `lifetimeMs` more. */
  private passedBy(entry: GreyEntry, nowMs: number): void {
    const kind = entry.kind === 'client' ? 'client' : 'white';
    if (kind === 'client' && !this.state.get('client', entry.network) && this.state.count('client') >= this.settings.maxEntries) {
      this.state.evictOldest('client', Math.ceil(this.settings.maxEntries * EVICT_SHARE));
    }
    this.state.put({ ...entry, kind, lastSeenMs: nowMs, passes: entry.passes + 1, expiresAtMs: nowMs + this.settings.lifetimeMs });
  }

  /**
   * At the cap, a new triplet pushes out the oldest grey ones, or the least recently passed
   * white ones if none is grey: EVICT_SHARE of the cap at a time, because finding the oldest
   * entry of a Map costs a walk over the holes its earlier deletions left (V8 compacts it only
   * when it grows), and one walk per insert at the cap made each RCPT O(cap).
   */
  private makeRoom(): void {
    const over = this.state.count('grey') + this.state.count('white') - this.settings.maxEntries + 1;
    if (over <= 0) return;
    const batch = Math.max(over, Math.ceil(this.settings.maxEntries * EVICT_SHARE));
    const fromGrey = this.state.evictOldest('grey', batch);
    if (fromGrey < over) this.state.evictOldest('white', batch - fromGrey);
  }

  /** For the policy page and API. */
  view(limit: number): { counts: Record<'grey' | 'white' | 'clients' | 'whitelistLines', number>; entries: GreyEntry[] } {
    const now = this.clock.now();
    return {
      counts: {
        grey: this.state.count('grey'),
        white: this.state.count('white'),
        clients: this.state.count('client'),
        whitelistLines: this.whitelist?.size ?? 0,
      },
      entries: this.state.recent(limit).filter((e) => e.expiresAtMs > now),
    };
  }
}

/** The greylist as a link of the filter chain, asked at RCPT. */
export function greylistFilter(greylist: Greylist): Filter {
  return {
    name: 'greylist',
    atRcpt: ({ ip, helo, mailFrom, rcptTo }): Decision => {
      const verdict = greylist.check({ ip, helo, sender: mailFrom, recipient: rcptTo });
      if (verdict.kind !== 'defer') return null;
      const waitS = Math.max(1, Math.ceil(verdict.waitMs / 1000));
      return { action: 'greylist', reason: 'greylisted', text: `Greylisted, try again in ${waitS} seconds`, waitS };
    },
  };
}
