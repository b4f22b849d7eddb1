/**
 * Brute-force throttling of submission logins, per client address: at most `limit.count`
 * failed AUTH attempts in a window of `limit.windowMs` (--auth-failures, default 5 in 10
 * minutes); past that every AUTH from that address is answered `454 4.7.0` (RFC 4954 §6,
 * temporary authentication failure) without a password check, until the window ends. A
 * success does not clear the count: an attacker who knows one password must not get fresh
 * guesses at the others.
 *
 * It applies to every client, trusted networks too: unlike the spam defences, a password guesser
 * on a private network is still a password guesser. The counts are an AgingCounter bounded to
 * COUNTER_KEYS addresses (a flood from many addresses costs at most that; a dropped address
 * only forgets its count). IPv6 clients count per /64, as a single host holds a whole one.
 */
import type { Clock } from '../clock.js';
import { AgingCounter } from './aging-counter.js';
import type { Rate } from './filters.js';
import { networkOf, unmapped } from './networks.js';
import { COUNTER_KEYS } from './smtp-policy.js';

export class AuthThrottle {
  private readonly failures: AgingCounter | null;

  constructor(
    private readonly limit: Rate,
    private readonly clock: Pick<Clock, 'now'>,
    maxKeys = COUNTER_KEYS,
  ) {
    this.failures = limit.count > 0 ? new AgingCounter(limit.windowMs, maxKeys) : null;
  }

  /** Ms until this address may try again; 0 when it may try now. */
  retryAfterMs(remoteAddress: string): number {
    if (!this.failures) return 0;
    const key = keyOf(remoteAddress);
    const now = this.clock.now();
    if (this.failures.count(key, now) < this.limit.count) return 0;
    return Math.max(1, this.failures.resetAtMs(key, now) - now);
  }

  failed(remoteAddress: string): void {
    this.failures?.hit(keyOf(remoteAddress), this.clock.now());
  }
}

function keyOf(remoteAddress: string): string {
  const plain = unmapped(remoteAddress);
  return plain.includes(':') ? networkOf(plain) : plain;
}
