/**
 * The mailbox namespace (RFC 3501 §6.3): a login sees one mailbox, INBOX (its inbox), so LIST,
 * LSUB and STATUS describe exactly that one, and CREATE, DELETE, RENAME and APPEND are refused
 * with NO [CANNOT] and a reason (mail arrives over SMTP only). INBOX is case-insensitive (§5.1).
 */
import { ImapSyntaxError, astring, end, list } from '../syntax.js';
import { no, ok, type Completion, type Handler } from '../command.js';
import type { ImapSession } from '../session.js';

export function isInbox(name: string): boolean {
  return name.toUpperCase() === 'INBOX';
}

export function noSuchMailbox(name: string): Completion {
  return no(`No mailbox "${name.slice(0, 60)}": only INBOX exists here`, 'NONEXISTENT');
}

/** `*` matches anything, `%` anything but the hierarchy delimiter "/" (§6.3.8). */
function matches(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/%/g, '[^/]*');
  if (source.length > 2000) return false;
  return new RegExp(`^${source}$`, 'i').test(name);
}

function listing(kind: 'LIST' | 'LSUB'): Handler {
  return async ({ args, out }) => {
    const reference = astring(args.next(), 'a reference name');
    const pattern = astring(args.next(), 'a mailbox name pattern');
    end(args, kind);
    if (pattern === '') {
      // §6.3.8: an empty pattern asks for the hierarchy delimiter and the root.
      if (kind === 'LIST') await out.send('* LIST (\\Noselect) "/" ""');
    } else if (matches(reference + pattern, 'INBOX')) {
      await out.send(`* ${kind} (\\HasNoChildren) "/" INBOX`);
    }
    return ok(`${kind} completed`);
  };
}

export const listCommand = listing('LIST');
export const lsub = listing('LSUB');

const STATUS_ITEMS = new Set(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN']);

/**
 * §2.3.2: the messages no read-write session has been told of, plus those this session holds
 * if it has the mailbox selected read-write (a read-only one holds only unclaimed ones).
 */
function recentCount(session: ImapSession, ids: number[]): number {
  const unclaimed = session.services.recent.unclaimed(session.inbox!, ids);
  const view = session.mailbox;
  return view && !view.readOnly ? view.recentCount + unclaimed : unclaimed;
}

export const status: Handler = async ({ session, args, out }) => {
  const name = astring(args.next(), 'a mailbox name');
  const items = list(args.next(), 'status data items').map((t) => astring(t, 'a status item').toUpperCase());
  end(args, 'STATUS');
  if (items.length === 0) throw new ImapSyntaxError('STATUS needs at least one item');
  const unknown = items.find((i) => !STATUS_ITEMS.has(i));
  if (unknown) throw new ImapSyntaxError(`unknown STATUS item ${unknown.slice(0, 30)}`);
  if (!isInbox(name)) return noSuchMailbox(name);
  const messages = await session.services.store.mailbox(session.inbox!);
  const values: Record<string, number> = {
    MESSAGES: messages.length,
    RECENT: recentCount(session, messages.map((m) => m.id)),
    // Never just the last UID + 1: that goes down when the newest messages are deleted (RFC 3501 §2.3.1.1).
    UIDNEXT: Math.max((messages[messages.length - 1]?.id ?? 0) + 1, await session.services.store.nextId(session.inbox!)),
    UIDVALIDITY: session.services.store.uidValidity(),
    UNSEEN: messages.filter((m) => !m.flags.includes('seen')).length,
  };
  await out.send(['* STATUS ', 'INBOX', ` (${items.map((i) => `${i} ${values[i]}`).join(' ')})`]);
  return ok('STATUS completed');
};

export const subscribe: Handler = async ({ args }) => {
  const name = astring(args.next(), 'a mailbox name');
  end(args, 'SUBSCRIBE');
  return isInbox(name) ? ok('SUBSCRIBE completed (INBOX is always subscribed)') : noSuchMailbox(name);
};

export const unsubscribe: Handler = async ({ args }) => {
  const name = astring(args.next(), 'a mailbox name');
  end(args, 'UNSUBSCRIBE');
  return isInbox(name) ? no('INBOX is always subscribed', 'CANNOT') : noSuchMailbox(name);
};

function refuse(what: string): Handler {
  return async () => no(what, 'CANNOT');
}

export const create = refuse('Only INBOX exists here: mailboxes cannot be created');
export const deleteCommand = refuse('INBOX cannot be deleted (delete its messages instead)');
export const rename = refuse('Only INBOX exists here: mailboxes cannot be renamed');
export const append = refuse('APPEND is not supported: mail arrives over SMTP only');

