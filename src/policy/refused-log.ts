/**
 * The last sessions the policy refused, for the policy page: who (address, HELO), why, when, and
 * the session's transcript. A ring of fixed size, so a flood of refusals costs a bounded amount
 * of memory and the page always shows the newest.
 */
import type { SmtpTranscript } from '../mail/model.js';

export interface RefusedSession {
  atMs: number;
  remoteAddress: string;
  helo: string;
  reason: string;
  transcript: SmtpTranscript;
}

export class RefusedLog {
  private readonly ring: RefusedSession[] = [];
  private next = 0;

  constructor(private readonly capacity = 1000) {}

  add(entry: RefusedSession): void {
    if (this.ring.length < this.capacity) this.ring.push(entry);
    else this.ring[this.next] = entry;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  list(): RefusedSession[] {
    return [...this.ring.slice(0, this.next).reverse(), ...this.ring.slice(this.next).reverse()];
  }
}
