/**
 * The Store contract: everything a transport (SMTP, POP3, IMAP, HTTP) may ask of storage.
 *
 * Model: a *body* is one received message (raw bytes plus envelope), stored once however many
 * inboxes it went to; a *message* is that body as it appears in one inbox, with its own id and
 * flags. Ids are positive integers, unique across the store, never reused, and strictly
 * ascending in the order messages were committed: they double as IMAP UIDs and as the cursor
 * for "wait for the next message" and SSE resume.
 *
 * Durability: `append` resolves only after the message is committed and synced to stable
 * storage; a rejection means nothing was stored (the SMTP layer then answers 451 4.3.0).
 * Every write publishes on the event bus *after* it is committed, so a subscriber that reads
 * the store on an event always finds what the event announced.
 *
 * Announced ⇒ visible with its final summary: a message appears on a read surface (`list`,
 * `listAfter`, `mailbox`, `get`, `raw`, `transcript`, `search`, `bodyMatches`, the
 * `message.stored` event) only once its summary is final: the listing fields given by the caller
 * and what the full MIME parse gives (preview, attachment count, codes, links; search finds its
 * body text). After that only its flags change, and it may be deleted. `append` resolving means
 * committed, not yet visible: the parse follows off the ingest path, moments later (longer during
 * a flood). Messages become visible in id order, never id N+1 before N, so a reader that has seen
 * id N has seen every earlier one still there, and waiting for `message.stored` (or the HTTP
 * `wait` endpoint) is how a reader knows a message it sent can be read. `get` answers with the
 * full parse as made once, never parsing on the read.
 *
 * Every engine must pass `test/store/conformance.ts` unchanged.
 */

import type { Address, AttachmentInfo, Envelope, Flag, Header, ParsedBody, SmtpTranscript } from '../mail/model.js';

export type { Address, AttachmentInfo, Envelope, Flag, Header, ParsedBody, SmtpTranscript };

export type MessageId = number;

/** What a transport hands the store. */
export interface NewMessage {
  /** Exactly the bytes to keep: our trace header followed by the message as received. */
  raw: Buffer;
  /** Normalised inbox names (see mail/address.ts), de-duplicated; one message per inbox. */
  inboxes: string[];
  envelope: Envelope;
  receivedAtMs: number;
  /** Listing fields, parsed from the header block while the client waits. */
  from: Address | null;
  to: Address[];
  subject: string;
  /** The Date header, if present and parseable. */
  dateMs: number | null;
  /**
   * The SMTP session that delivered it, up to its 250 (kept per body, shown by `transcript`);
   * null for a message that did not come over SMTP (an IMAP APPEND), which then has none.
   */
  transcript: SmtpTranscript | null;
}

/** A message made by `copy` or `renameInbox`: the id it came from and its own. */
export interface CopiedMessage {
  source: MessageId;
  id: MessageId;
}

/** At most this many links travel in a summary (the full list is in the parse). */
export const SUMMARY_LINKS = 10;


export interface MessageSummary {
  id: MessageId;
  inbox: string;
  from: Address | null;
  to: Address[];
  subject: string;
  dateMs: number | null;
  receivedAtMs: number;
  /** Size of the raw bytes, trace header included. */
  size: number;
  /** First characters of the text body (final: a message is visible only once parsed). */
  preview: string;
  /** Number of attachments. */
  attachments: number;
  /** One-time codes in the subject and text, most likely first. */
  codes: string[];
  /** At most SUMMARY_LINKS links, the likely action link first. */
  links: string[];
  flags: Flag[];
}


export interface StoredMessage extends MessageSummary {
  envelope: Envelope;
  parsed: ParsedBody;
}

export interface ListOptions {
  limit: number;
  offset: number;
}

export interface MessagePage {
  inbox: string;
  total: number;
  /** Newest first. */
  messages: MessageSummary[];
}

/** One row of an inbox as a mailbox client sees it (POP3 scan listing, IMAP message sequence). */
export interface MailboxEntry {
  id: MessageId;
  size: number;
  receivedAtMs: number;
  flags: Flag[];
}

export interface SearchQuery {
  /** Free text, matched against subject, addresses and body text (all words must match). */
  text: string;
  inbox?: string;
  limit: number;
}

export type FlagOperation = 'add' | 'remove' | 'replace';

export interface StoreStats {
  messages: number;
  bodies: number;
  /** Bytes of raw message data held (each body counted once). */
  bytes: number;
  /** Bytes they take in the store (compressed, shared parts once): what --max-store-size counts. */
  storedBytes: number;
}

export interface RetentionPolicy {
  /** Messages older than this are removed; 0 keeps them forever. */
  maxAgeMs: number;
  /** Oldest messages of an inbox beyond this count are removed; 0 = no cap. */
  maxPerInbox: number;
  /** Oldest messages anywhere are removed while the bytes stored (StoreStats.storedBytes) exceed this; 0 = no cap. */
  maxTotalBytes: number;
}

export interface Store {
  /**
   * Commit durably; resolves with one id per inbox, in order. The messages become visible, and
   * `message.stored` is published for each with its final summary, once parsed (see above).
   */
  append(message: NewMessage): Promise<MessageId[]>;
  /** Newest first. */
  list(inbox: string, options: ListOptions): Promise<MessagePage>;
  /** Messages of `inbox` with an id greater than `afterId`, oldest first (for "wait" and resume). */
  listAfter(inbox: string, afterId: MessageId, limit: number): Promise<MessageSummary[]>;
  /** Every message of an inbox, oldest first. */
  mailbox(inbox: string): Promise<MailboxEntry[]>;
  get(id: MessageId): Promise<StoredMessage | null>;
  raw(id: MessageId): Promise<Buffer | null>;
  /** The SMTP transcript of the session that delivered it; null for an unknown id or a message stored before transcripts were kept. */
  transcript(id: MessageId): Promise<SmtpTranscript | null>;
  /** Apply a flag change; resolves with the new flags of each message that exists, and announces `message.flags` only for those whose flags changed. */
  setFlags(ids: MessageId[], operation: FlagOperation, flags: Flag[]): Promise<Map<MessageId, Flag[]>>;
  /** Resolves with the ids actually deleted. */
  delete(ids: MessageId[]): Promise<MessageId[]>;
  deleteInbox(inbox: string): Promise<MessageId[]>;
  /**
   * Copy messages into `mailbox` (IMAP COPY, RFC 3501 §6.4.7): for each id that exists, a new
   * message on the same body (its bytes are not stored again) with the source's flags, its ids
   * ascending in the order of the source ids; unknown ids are skipped. Committed, then each
   * announced as `message.stored`; the per-inbox cap applies to `mailbox` as at append.
   */
  copy(ids: MessageId[], mailbox: string): Promise<CopiedMessage[]>;
  /**
   * Move every message of `from` to `to` (IMAP RENAME, RFC 3501 §6.3.5) in one commit, as new
   * messages with new ids, ascending in their old order, flags kept; announced as a
   * `message.deleted` for each old id and a `message.stored` for each new one. New ids, not the
   * old ones relabelled: ids double as UIDs under one store-wide UIDVALIDITY, and a name's UIDs
   * must only ever grow (§2.3.1.1), also when a name that was deleted comes back by a rename.
   */
  renameInbox(from: string, to: string): Promise<CopiedMessage[]>;
  search(query: SearchQuery): Promise<MessageSummary[]>;
  /**
   * Whether the body text of message `id` holds every word of `text` as `search` matches words
   * (same tokenizer and prefix rule), at once after `append` resolves: a reader matching one
   * message it was just told about (HTTP `wait?contains=`) cannot wait for the index. False for
   * an unknown id or a text without words.
   */
  bodyMatches(id: MessageId, text: string): Promise<boolean>;
  /** Apply the age and total-size rules now (the per-inbox cap is applied at every append). */
  expire(nowMs: number): Promise<MessageId[]>;
  /** Remove the `count` oldest messages whatever their age (a full disk's FIFO push-out); publishes as delete does. */
  evictOldest(count: number): Promise<MessageId[]>;
  stats(): Promise<StoreStats>;
  /** Space inside the store's own files that new mail reuses before the files grow (0 for an engine without such). */
  reusableBytes(): Promise<number>;
  /**
   * One more than the highest id this inbox ever showed, whatever was deleted since: never goes
   * down (IMAP UIDNEXT, RFC 3501 §2.3.1.1), and changes only when a message becomes visible there.
   */
  nextId(inbox: string): Promise<MessageId>;
  /** A value that changes only if ids could have been reused (IMAP UIDVALIDITY). */
  uidValidity(): number;
  /** Finish pending writes and close; further calls reject. */
  close(): Promise<void>;
}
