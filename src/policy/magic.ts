/**
 * Magic addresses, for QA suites that must exercise their own error handling: the recipient's
 * local part scripts the outcome (`rcpt-550-anything@our.domain` is refused at RCPT). They apply
 * to every client, trusted or not, under `--magic-addresses` (on by default); the README lists
 * them with an example each. None of them ever leaves an acknowledged message half-stored: the
 * refusals happen before a 250, and a delay comes before the message is handed to the store.
 */

export type Magic =
  /** Refused at RCPT: 451 4.3.0 or 550 5.1.1. */
  | { kind: 'rcpt'; code: 451 | 550 }
  /** Accepted at RCPT; the message is refused at the end of DATA: 452 4.3.1 or 554 5.6.0. */
  | { kind: 'data'; code: 452 | 554 }
  /** Accepted; the reply after DATA waits this long (capped at MAX_DELAY_MS). */
  | { kind: 'delay'; ms: number }
  /** 451 4.7.1 at RCPT until `ms` after the first attempt of this client, sender and recipient. */
  | { kind: 'greylist'; ms: number }
  /** The connection is closed after RCPT, with no reply: a dropped connection. */
  | { kind: 'disconnect' };

export const MAX_DELAY_MS = 5 * 60_000;
const DEFAULT_GREYLIST_MS = 60_000;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** `30`, `30s`, `500ms`, `2m` at the start of `text` (seconds without a unit), or null. */
function durationAt(text: string): number | null {
  const match = /^(\d{1,7})(ms|s|m)?(?![a-z])/i.exec(text);
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[(match[2] ?? 's').toLowerCase()]!;
}

export function magicOf(localPart: string): Magic | null {
  const local = localPart.toLowerCase();
  if (local.startsWith('rcpt-451')) return { kind: 'rcpt', code: 451 };
  if (local.startsWith('rcpt-550')) return { kind: 'rcpt', code: 550 };
  if (local.startsWith('data-452')) return { kind: 'data', code: 452 };
  if (local.startsWith('data-554')) return { kind: 'data', code: 554 };
  if (local.startsWith('disconnect')) return { kind: 'disconnect' };
  if (local.startsWith('delay-')) {
    const ms = durationAt(local.slice(6));
    return ms === null ? null : { kind: 'delay', ms: Math.min(ms, MAX_DELAY_MS) };
  }
  if (local.startsWith('greylist')) {
    const rest = local.slice(8);
    const ms = rest.startsWith('-') ? durationAt(rest.slice(1)) : null;
    return { kind: 'greylist', ms: ms ?? DEFAULT_GREYLIST_MS };
  }
  return null;
}
