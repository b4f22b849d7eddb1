/**
 * STATUS (RFC 3501 §6.3.10) of any mailbox of the inbox, selected or not. \Recent follows
 * §2.3.2 as SELECT does (recent.ts): the messages no read-write session has been told of, plus
 * those this session holds if it has that mailbox selected read-write.
 */
import { ImapSyntaxError, astring, end, list } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import { mailboxKey, shown } from '../folders.js';
import type { ImapSession } from '../session.js';
import { mailboxArgument, mailboxOut } from './names.js';

const STATUS_ITEMS = new Set(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN']);

function recentCount(session: ImapSession, key: string, ids: number[]): number {
  const unclaimed = session.services.recent.unclaimed(key, ids);
  const view = session.mailbox;
  return view && view.inbox === key && !view.readOnly ? view.recentCount + unclaimed : unclaimed;
}

export const status: Handler = async ({ session, args, out }) => {
  const name = mailboxArgument(args.next());
  const items = list(args.next(), 'status data items').map((t) => astring(t, 'a status item').toUpperCase());
  end(args, 'STATUS');
  if (items.length === 0) throw new ImapSyntaxError('STATUS needs at least one item');
  const unknown = items.find((i) => !STATUS_ITEMS.has(i));
  if (unknown) throw new ImapSyntaxError(`unknown STATUS item ${unknown.slice(0, 30)}`);
  if (!(await session.services.folders.exists(session.inbox!, name))) return no(`No mailbox "${shown(name)}"`, 'NONEXISTENT');
  const key = mailboxKey(session.inbox!, name);
  const messages = await session.services.store.mailbox(key);
  const values: Record<string, number> = {
    MESSAGES: messages.length,
    RECENT: recentCount(session, key, messages.map((m) => m.id)),
    // Never just the last UID + 1: that goes down when the newest messages are deleted (RFC 3501 §2.3.1.1).
    UIDNEXT: Math.max((messages[messages.length - 1]?.id ?? 0) + 1, await session.services.store.nextId(key)),
    UIDVALIDITY: session.services.store.uidValidity(),
    UNSEEN: messages.filter((m) => !m.flags.includes('seen')).length,
  };
  await out.send(['* STATUS ', mailboxOut(name), ` (${items.map((i) => `${i} ${values[i]}`).join(' ')})`]);
  return ok('STATUS completed');
};
