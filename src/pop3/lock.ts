/**
 * The maildrop lock (RFC 1939 §4: once the client is authenticated, "the POP3 server then
 * acquires an exclusive-access lock on the maildrop"). While one session is in TRANSACTION, another
 * login to the same inbox is refused with -ERR [IN-USE] (RFC 2449 §8.1) rather than waiting.
 *
 * Sessions see only `MaildropLocks`; one process uses the in-memory table below, and a
 * distributed engine can supply a lock shared by every node (a lease in its own store) behind
 * the same two calls. A lease is released exactly when its session ends, however it ends;
 * releasing twice is harmless.
 */

export interface MaildropLease {
  readonly inbox: string;
  release(): void;
}

export interface MaildropLocks {
  /** Take the lock for `inbox`, or null if another session holds it. */
  acquire(inbox: string): Promise<MaildropLease | null>;
}

export class InProcessMaildropLocks implements MaildropLocks {
  private readonly held = new Set<string>();

  async acquire(inbox: string): Promise<MaildropLease | null> {
    if (this.held.has(inbox)) return null;
    this.held.add(inbox);
    let released = false;
    return {
      inbox,
      release: () => {
        if (released) return;
        released = true;
        this.held.delete(inbox);
      },
    };
  }
}
