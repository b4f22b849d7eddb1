/**
 * The folder registry: which folders each inbox's mail clients made (IMAP CREATE and RENAME),
 * empty ones included, and which names they subscribed to (SUBSCRIBE, RFC 3501 §6.3.6). The
 * messages of a folder are the store's, under the mailbox key `<inbox>/<folder>` (inbox names
 * never hold "/", mail/address.ts); this is only the list of names, state of its own that must
 * survive a restart. Kept behind this interface so a distributed engine can hold it as it holds
 * the store; `sqlite/folders.ts` is the engine on the shared `state.db`.
 *
 * Paths are Unicode (decoded from IMAP's modified UTF-7 at the protocol edge), levels separated
 * by "/", compared exactly (only INBOX is case-insensitive in IMAP, and it is never stored here).
 * The registry checks nothing about names or counts: the IMAP namespace (imap/folders.ts) does.
 */

export interface FolderRegistry {
  /** The folders made in `inbox`, by path, in code-point order. */
  folders(inbox: string): Promise<string[]>;
  /** Add these paths, all in one commit; paths already there are left as they are. */
  create(inbox: string, paths: readonly string[]): Promise<void>;
  /** Remove one path (not its inferiors); subscriptions stay (RFC 3501 §6.3.6). */
  remove(inbox: string, path: string): Promise<void>;
  /** Rename each `[from, to]`, and the subscription of each, all in one commit. */
  rename(inbox: string, pairs: ReadonlyArray<readonly [string, string]>): Promise<void>;
  /** The paths subscribed to in `inbox`, in code-point order (existing or not). */
  subscriptions(inbox: string): Promise<string[]>;
  subscribe(inbox: string, path: string, subscribed: boolean): Promise<void>;
}
