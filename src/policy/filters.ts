/**
 * The filter chain's links: small filters with one interface, each deciding on the client's
 * address (at connect and MAIL), the envelope (at RCPT: the greylist) or the subject (at the
 * end of DATA), never the body. A filter
 * answers null to let the message on, or a Decision; the chain (smtp-policy.ts) asks them in
 * order and the first decision wins. Each keeps its own bounded state.
 */
import { AgingCounter } from './aging-counter.js';
import type { Ban, Bans } from './bans.js';

import type { BlockedWords } from './words.js';

export interface Rate {
  count: number;
  windowMs: number;
}

/**
 * What the policy says: null lets the command through. `defer` is a 450 4.7.1, `greylist` the
 * 451 4.7.1 of a greylisted recipient (with the seconds to wait), `refuse` a 550 5.7.1, `ban`
 * a 421 4.7.1 and a hang-up.
 */
export type Decision =
  | { action: 'defer' | 'refuse' | 'ban'; reason: string; text: string }
  | { action: 'greylist'; reason: string; text: string; waitS: number }
  | null;

/** What a filter sees of the client and the message at the point it is asked. */
export interface FilterContext {
  ip: string;
  /** The client's /24 or /64. */
  network: string;
  nowMs: number;
  /** At MAIL and after: the reverse path ('' for `<>`). */
  mailFrom?: string;
  /** At RCPT: the client's HELO/EHLO name and the recipient. */
  helo?: string;
  rcptTo?: string;
  /** At the end of DATA: the decoded Subject, and the normalised form the flood filter counts. */
  subject?: string;
  normalizedSubject?: string;
}

export interface Filter {
  readonly name: string;
  atConnect?(context: FilterContext): Decision;
  atMail?(context: Required<Pick<FilterContext, 'mailFrom'>> & FilterContext): Decision;
  atRcpt?(context: Required<Pick<FilterContext, 'mailFrom' | 'helo' | 'rcptTo'>> & FilterContext): Decision;
  atData?(context: Required<Pick<FilterContext, 'subject' | 'normalizedSubject'>> & FilterContext): Decision;
}

export function banDecision(ban: Ban, nowMs: number): Decision {
  const minutes = Math.max(1, Math.ceil((ban.untilMs - nowMs) / 60_000));
  return { action: 'ban', reason: `banned-${ban.kind}`, text: `Banned for ${minutes} more minutes: ${ban.reason}` };
}

/** Addresses and networks banned earlier: refused at connect, and at MAIL once a ban begins mid-session. */
export function bannedClients(bans: Bans): Filter {
  const check = ({ ip, network, nowMs }: FilterContext): Decision => {
    const ban = bans.find('ip', ip, nowMs) ?? bans.find('network', network, nowMs);
    return ban ? banDecision(ban, nowMs) : null;
  };
  return { name: 'bans', atConnect: check, atMail: check };
}

/** Bounces (`<>`, MAILER-DAEMON): at a disposable-mail site nearly all are backscatter (Mailinator dropped them). */
export function bounces(): Filter {
  return {
    name: 'bounce',
    atMail: ({ mailFrom }) =>
      mailFrom === '' || /^mailer-daemon(@|$)/i.test(mailFrom) ? { action: 'refuse', reason: 'bounce', text: 'Bounces are not accepted here' } : null,
  };
}

/**
 * Messages per client address or network in an aging window: over the limit deferred with the
 * time to wait, past twice the limit banned (a client that will not wait is not a mail server).
 */
export function rateLimit(kind: 'ip' | 'network', limit: Rate, maxKeys: number, bans: Bans, banMs: number): Filter & { counts: AgingCounter } {
  const counts = new AgingCounter(limit.windowMs, maxKeys);
  const who = kind === 'ip' ? 'your address' : 'your network';
  return {
    name: `${kind}-rate`,
    counts,
    atMail: (context) => {
      const key = kind === 'ip' ? context.ip : context.network;
      const count = counts.hit(key, context.nowMs);
      if (count <= limit.count) return null;
      if (count > 2 * limit.count) {
        const ban = bans.add(kind, key, `${kind}-rate: over ${2 * limit.count} messages in ${limit.windowMs / 1000} s`, context.nowMs, context.nowMs + banMs);
        return banDecision(ban, context.nowMs);
      }
      const waitS = Math.max(1, Math.ceil((counts.resetAtMs(key, context.nowMs) - context.nowMs) / 1000));
      return { action: 'defer', reason: `${kind}-rate`, text: `Too much mail from ${who}; try again in ${waitS} seconds` };
    },
  };
}

/** `--blocked-subject-words`: whole words or phrases refused in the subject. */
export function blockedWords(words: BlockedWords): Filter {
  return {
    name: 'blocked-word',
    atData: ({ subject }) => (words.match(subject) ? { action: 'refuse', reason: 'blocked-word', text: 'Message refused by the subject filter' } : null),
  };
}

/**
 * The zombie-network filter: too many messages with one normalised subject in a window, from any
 * addresses, ban the subject; it is refused at the end of DATA (never accepted and dropped).
 */
export function subjectFlood(limit: Rate, maxKeys: number, bans: Bans, banMs: number): Filter & { counts: AgingCounter } {
  const counts = new AgingCounter(limit.windowMs, maxKeys);
  const refused: Decision = { action: 'refuse', reason: 'subject-flood', text: 'Subject banned: too many messages with it' };
  return {
    name: 'subject-flood',
    counts,
    atData: ({ normalizedSubject, nowMs }) => {
      if (bans.find('subject', normalizedSubject, nowMs)) return refused;
      if (counts.hit(normalizedSubject, nowMs) <= limit.count) return null;
      bans.add('subject', normalizedSubject, `subject-flood: over ${limit.count} messages in ${limit.windowMs / 1000} s`, nowMs, nowMs + banMs);
      return refused;
    },
  };
}

