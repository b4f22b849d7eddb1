/**
 * The selected mailbox as one session sees it (RFC 3501 §2.3.1): the message sequence numbers,
 * their UIDs (store ids, strictly ascending), flags, sizes and dates, and the changes made
 * elsewhere that this session has not yet been told about.
 *
 * The sequence-number ↔ UID map changes only as §7.4.1 and §5.2 allow: new messages are appended
 * and announced by EXISTS; a message deleted elsewhere keeps its number until an EXPUNGE
 * response is sent, and that is never while answering FETCH, STORE or SEARCH (§7.4.1), only
 * after other commands, in IDLE and on NOOP. Flag changes may be reported at any time.
 *
 * "\Recent" (§2.3.2) belongs to one session: the first read-write session told of a message
 * claims it (recent.ts), at SELECT for the messages already there and at the EXISTS that
 * announces a new one; a read-only session (EXAMINE) sees the unclaimed ones without claiming.
 *
 * A sequence set naming a number past EXISTS (or `*` in an empty mailbox) is a client error,
 * answered BAD (RFC 9051 §6.4.5's "invalid message sequence numbers", as common servers do);
 * a UID set may name UIDs that do not exist (§6.4.8), they are simply not there.
 */
import type { StoreEvent } from '../events/bus.js';
import type { Flag, MailboxEntry, MessageId } from '../store/types.js';
import { flagList } from './format.js';
import type { RecentClaims } from './recent.js';
import { ImapSyntaxError, STAR, type SequenceSet } from './syntax.js';

export interface MessageRef {
  seq: number;
  uid: MessageId;
}

interface Entry {
  size: number;
  receivedAtMs: number;
  flags: Flag[];
}

export class SelectedMailbox {
  /** uids[seq - 1] is the UID of message `seq`. */
  readonly uids: MessageId[] = [];
  private readonly entries = new Map<MessageId, Entry>();
  private readonly recent = new Set<MessageId>();
  private readonly expungedElsewhere = new Set<MessageId>();
  private readonly arrived = new Map<MessageId, Entry>();
  private readonly flagsChanged = new Set<MessageId>();

  constructor(
    /** The store's mailbox key: the inbox, or `<inbox>/<folder>` (folders.ts); events and \Recent claims are per key. */
    readonly inbox: string,
    readonly readOnly: boolean,
    messages: MailboxEntry[],
    private readonly claims: RecentClaims,
  ) {
    for (const m of messages) {
      this.uids.push(m.id);
      this.entries.set(m.id, { size: m.size, receivedAtMs: m.receivedAtMs, flags: [...m.flags] });
    }
    this.noteRecent(this.uids);
  }

  /** This session is told of `ids` (ascending): those no read-write session saw before are \Recent here. */
  private noteRecent(ids: readonly MessageId[]): void {
    for (const id of this.claims.take(this.inbox, ids, !this.readOnly)) this.recent.add(id);
  }

  isRecent(uid: MessageId): boolean {
    return this.recent.has(uid);
  }

  get recentCount(): number {
    return this.recent.size;
  }

  get exists(): number {
    return this.uids.length;
  }

  /**
   * The UID the next new message will have at least, from the UIDs this session knows; SELECT and
   * STATUS send the larger of this and the store's `nextId`, which does not go down when the
   * newest messages are deleted (RFC 3501 §2.3.1.1).
   */
  get uidNext(): number {
    return (this.uids[this.uids.length - 1] ?? 0) + 1;
  }

  entry(uid: MessageId): Entry | undefined {
    return this.entries.get(uid);
  }

  flags(uid: MessageId): Flag[] {
    return this.entries.get(uid)?.flags ?? [];
  }

  /** Deleted elsewhere but not yet announced: its data is gone. */
  isGone(uid: MessageId): boolean {
    return this.expungedElsewhere.has(uid);
  }

  seqOf(uid: MessageId): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.uids[mid]!;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /**
   * The messages a sequence set names, ascending; with `byUid`, the set holds UIDs (§6.4.8).
   * Works range by range (a binary search per UID range), never message by message.
   */
  resolve(set: SequenceSet, byUid: boolean): MessageRef[] {
    const count = this.uids.length;
    const spans: Array<[number, number]> = []; // 0-based index ranges, inclusive
    for (const [a, b] of set) {
      if (byUid) {
        const largest = this.uids[count - 1] ?? 0;
        const x = a === STAR ? largest : a;
        const y = b === STAR ? largest : b;
        const lo = this.firstIndexAtLeast(Math.min(x, y));
        const hi = this.firstIndexAtLeast(Math.max(x, y) + 1) - 1;
        if (lo <= hi) spans.push([lo, hi]);
        continue;
      }
      const x = a === STAR ? count : a;
      const y = b === STAR ? count : b;
      if (count === 0 || Math.max(x, y) > count) {
        throw new ImapSyntaxError(count === 0 ? 'Invalid message sequence number: the mailbox is empty' : `Invalid message sequence number ${Math.max(x, y)}: the mailbox has ${count} messages`);
      }
      spans.push([Math.min(x, y) - 1, Math.max(x, y) - 1]);
    }
    spans.sort((p, q) => p[0] - q[0]);
    const out: MessageRef[] = [];
    let next = 0;
    for (const [lo, hi] of spans) {
      for (let i = Math.max(lo, next); i <= hi; i++) out.push({ seq: i + 1, uid: this.uids[i]! });
      next = Math.max(next, hi + 1);
    }
    return out;
  }

  /** Index of the first UID ≥ `uid` (the length if none). */
  private firstIndexAtLeast(uid: number): number {
    let lo = 0;
    let hi = this.uids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.uids[mid]! < uid) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A change committed by anyone; returns whether this session has something new to report. */
  apply(event: StoreEvent): boolean {
    if (event.inbox !== this.inbox) return false;
    switch (event.type) {
      case 'message.stored': {
        const last = this.uids[this.uids.length - 1] ?? 0;
        if (event.id <= last || this.entries.has(event.id)) return false;
        const s = event.summary;
        this.arrived.set(event.id, { size: s.size, receivedAtMs: s.receivedAtMs, flags: [...s.flags] });
        return true;
      }
      case 'message.deleted':
        if (this.arrived.delete(event.id)) return false;
        if (!this.entries.has(event.id)) return false;
        this.expungedElsewhere.add(event.id);
        return true;
      case 'message.flags': {
        const entry = this.entries.get(event.id) ?? this.arrived.get(event.id);
        if (!entry || sameFlags(entry.flags, event.flags)) return false;
        entry.flags = [...event.flags];
        if (this.entries.has(event.id)) this.flagsChanged.add(event.id);
        return true;
      }
    }
  }

  /** Our own STORE already answered with these flags; do not report them again. */
  flagsSet(uid: MessageId, flags: Flag[]): void {
    const entry = this.entries.get(uid);
    if (entry) entry.flags = [...flags];
    this.flagsChanged.delete(uid);
  }

  /** Our own EXPUNGE removed these (the store's events may already have said so). */
  expunged(uids: MessageId[]): void {
    for (const uid of uids) if (this.entries.has(uid)) this.expungedElsewhere.add(uid);
  }

  /**
   * The untagged responses that bring the client up to date: EXPUNGE (only when allowed), then
   * EXISTS and RECENT for new messages, then FETCH FLAGS for flags changed elsewhere.
   */
  sync(allowExpunge: boolean): string[] {
    const out: string[] = [];
    if (allowExpunge && this.expungedElsewhere.size > 0) {
      for (const uid of [...this.expungedElsewhere].sort((a, b) => b - a)) {
        const seq = this.seqOf(uid);
        if (seq === 0) continue;
        this.uids.splice(seq - 1, 1);
        this.entries.delete(uid);
        this.recent.delete(uid);
        this.flagsChanged.delete(uid);
        out.push(`* ${seq} EXPUNGE`);
      }
      this.expungedElsewhere.clear();
    }
    if (this.arrived.size > 0) {
      const announced: MessageId[] = [];
      for (const uid of [...this.arrived.keys()].sort((a, b) => a - b)) {
        if (uid <= (this.uids[this.uids.length - 1] ?? 0)) continue;
        this.uids.push(uid);
        this.entries.set(uid, this.arrived.get(uid)!);
        announced.push(uid);
      }
      this.arrived.clear();
      this.noteRecent(announced);
      out.push(`* ${this.uids.length} EXISTS`, `* ${this.recent.size} RECENT`);
    }
    for (const uid of this.flagsChanged) {
      const seq = this.seqOf(uid);
      if (seq !== 0) out.push(`* ${seq} FETCH (UID ${uid} FLAGS ${flagList(this.flags(uid), this.recent.has(uid))})`);
    }
    this.flagsChanged.clear();
    return out;
  }
}

function sameFlags(a: readonly Flag[], b: readonly Flag[]): boolean {
  return a.length === b.length && a.every((f) => b.includes(f));
}
