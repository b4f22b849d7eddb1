/**
 * Who sees a message as \Recent (RFC 3501 §2.3.2): "this session is the first session to have
 * been notified about this message; if the session is read-write, subsequent sessions will not
 * see \Recent set for this message". So \Recent is shared state across sessions: the first
 * read-write session to learn of a message (at SELECT, or by an EXISTS while selected) claims
 * it; a read-only one (EXAMINE) sees unclaimed messages as \Recent without claiming them.
 *
 * Sessions see only `RecentClaims`. One process uses the in-memory table below: per inbox, the
 * highest message id any read-write session has been told about (ids only grow, and an inbox's
 * messages arrive in id order, so "not yet seen by anyone" is "above the mark"). A distributed
 * engine can supply the same calls backed by its store, as pop3/lock.ts's MaildropLocks is.
 *
 * Why not in the store now: a restart forgets the marks, so after one the first session of each
 * inbox sees its whole mailbox as \Recent once. §2.3.2 ties \Recent to sessions, which a
 * restart ends anyway; a disposable inbox's mail is minutes old; and the store is changing
 * under other hands. The calls are synchronous because a session learns of messages inside
 * synchronous code (its view's update); a store-backed version would keep the marks it owns in
 * memory and write them through.
 */
import type { MessageId } from '../store/types.js';

export interface RecentClaims {
  /**
   * The ids among `ids` (ascending) that no read-write session has been told about. With
   * `claim`, they become this caller's: no later call returns them again.
   */
  take(inbox: string, ids: readonly MessageId[], claim: boolean): MessageId[];
  /** How many of `ids` (ascending) no read-write session has been told about (STATUS RECENT). */
  unclaimed(inbox: string, ids: readonly MessageId[]): number;
}

/** Inboxes remembered; past this the least recently used mark is dropped (its inbox then starts over). */
const MAX_INBOXES = 100_000;

export class InProcessRecentClaims implements RecentClaims {
  /** inbox → the highest id claimed, kept in least-recently-used order. */
  private readonly marks = new Map<string, MessageId>();

  private mark(inbox: string): MessageId {
    const mark = this.marks.get(inbox);
    if (mark === undefined) return 0;
    this.marks.delete(inbox);
    this.marks.set(inbox, mark);
    return mark;
  }

  take(inbox: string, ids: readonly MessageId[], claim: boolean): MessageId[] {
    const mark = this.mark(inbox);
    const fresh = ids.filter((id) => id > mark);
    if (claim && fresh.length > 0) {
      this.marks.set(inbox, fresh[fresh.length - 1]!);
      if (this.marks.size > MAX_INBOXES) this.marks.delete(this.marks.keys().next().value!);
    }
    return fresh;
  }

  unclaimed(inbox: string, ids: readonly MessageId[]): number {
    const mark = this.mark(inbox);
    let count = 0;
    for (let i = ids.length - 1; i >= 0 && ids[i]! > mark; i--) count++;
    return count;
  }
}
