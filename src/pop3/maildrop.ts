/**
 * The maildrop a POP3 session works on (RFC 1939 §5): a snapshot of the inbox taken at login,
 * so message numbers 1…n stay fixed for the session even while new mail arrives or other
 * clients change the inbox. DELE only marks a message here; the marks are applied to the store
 * in the UPDATE state and forgotten on RSET or when the session ends any other way.
 *
 * Sizes are the stored byte counts: the stored message already uses CRLF line ends, so they
 * are exactly what RETR sends before dot-stuffing (§5). Pure; no I/O.
 */
import { headerEnd } from '../mail/headers.js';
import type { MailboxEntry, MessageId } from '../store/types.js';

export type Lookup =
  | { kind: 'found'; number: number; entry: MailboxEntry }
  | { kind: 'no-such-message' }
  | { kind: 'deleted' };

export interface Listed {
  number: number;
  entry: MailboxEntry;
}

export class Maildrop {
  private readonly marked = new Set<number>();

  constructor(
    readonly inbox: string,
    private readonly entries: readonly MailboxEntry[],
  ) {}

  /** Messages not marked as deleted, with their message numbers. */
  listing(): Listed[] {
    const out: Listed[] = [];
    this.entries.forEach((entry, i) => {
      if (!this.marked.has(i + 1)) out.push({ number: i + 1, entry });
    });
    return out;
  }

  /** Count and total octets of the messages not marked as deleted (STAT, §5). */
  totals(): { count: number; octets: number } {
    let octets = 0;
    const listed = this.listing();
    for (const { entry } of listed) octets += entry.size;
    return { count: listed.length, octets };
  }

  lookup(number: number): Lookup {
    const entry = this.entries[number - 1];
    if (!Number.isSafeInteger(number) || number < 1 || !entry) return { kind: 'no-such-message' };
    if (this.marked.has(number)) return { kind: 'deleted' };
    return { kind: 'found', number, entry };
  }

  markDeleted(number: number): void {
    this.marked.add(number);
  }

  /** RSET: unmark everything. */
  unmarkAll(): void {
    this.marked.clear();
  }

  /** The store ids to remove in the UPDATE state, in message-number order. */
  markedIds(): MessageId[] {
    return [...this.marked].sort((a, b) => a - b).map((n) => this.entries[n - 1]!.id);
  }
}

/**
 * TOP (RFC 1939 §7): the header block, the blank line after it, and the first `bodyLines`
 * lines of the body. A message without a blank line is all header and is returned whole.
 */
export function topOf(raw: Buffer, bodyLines: number): Buffer {
  let end = headerEnd(raw);
  for (let i = 0; i < bodyLines && end < raw.length; i++) {
    const lf = raw.indexOf(0x0a, end);
    end = lf === -1 ? raw.length : lf + 1;
  }
  return raw.subarray(0, end);
}

