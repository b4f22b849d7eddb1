/**
 * Entering and leaving the Selected state and removing messages: SELECT and EXAMINE (RFC 3501
 * §6.3.1–2) of INBOX or any folder, CLOSE (§6.4.2), UNSELECT (RFC 3691), EXPUNGE (§6.4.3),
 * UID EXPUNGE (RFC 4315 §2.1).
 *
 * Keywords are not kept (PERMANENTFLAGS lists the system flags only, without \*): STORE accepts
 * and ignores them. Deleting is shared with POP3 and the web UI: EXPUNGE removes the messages
 * from the store, and every other session learns it from the store's events.
 */
import type { MessageId } from '../../store/types.js';
import { atom, end, parseSequenceSet } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import { mailboxKey, shown } from '../folders.js';
import type { ImapSession } from '../session.js';
import { mailboxArgument } from './names.js';

const FLAGS = '(\\Answered \\Flagged \\Deleted \\Seen \\Draft)';

function opener(readOnly: boolean): Handler {
  const name = readOnly ? 'EXAMINE' : 'SELECT';
  return async ({ session, args, out }) => {
    const mailbox = mailboxArgument(args.next());
    end(args, name);
    if (!(await session.services.folders.exists(session.inbox!, mailbox))) {
      // §6.3.1: a failed SELECT leaves no mailbox selected.
      return { ...no(`No mailbox "${shown(mailbox)}"`, 'NONEXISTENT'), next: 'Authenticated' };
    }
    const view = await session.openMailbox(mailboxKey(session.inbox!, mailbox), readOnly);
    // The store's, never just the last UID + 1: that goes down when the newest messages are deleted (RFC 3501 §2.3.1.1).
    const uidNext = Math.max(view.uidNext, await session.services.store.nextId(view.inbox));
    await out.send(`* FLAGS ${FLAGS}`);
    await out.send(`* OK [PERMANENTFLAGS ${readOnly ? '()' : FLAGS}] ${readOnly ? 'Read-only' : 'Keywords are accepted but not kept'}`);
    await out.send(`* ${view.exists} EXISTS`);
    await out.send(`* ${view.recentCount} RECENT`);
    const firstUnseen = view.uids.findIndex((uid) => !view.flags(uid).includes('seen'));
    if (firstUnseen !== -1) await out.send(`* OK [UNSEEN ${firstUnseen + 1}] First unseen message`);
    await out.send(`* OK [UIDVALIDITY ${session.services.store.uidValidity()}] UIDs valid`);
    await out.send(`* OK [UIDNEXT ${uidNext}] Predicted next UID`);
    return { ...ok(`${name} completed`, readOnly ? 'READ-ONLY' : 'READ-WRITE'), next: 'Selected' };
  };
}

export const select = opener(false);
export const examine = opener(true);

/** Remove the messages marked \Deleted (all, or those among `only`); returns the UIDs removed. */
export async function removeDeleted(session: ImapSession, only: Set<MessageId> | null): Promise<MessageId[]> {
  const view = session.mailbox!;
  const doomed = view.uids.filter((uid) => view.flags(uid).includes('deleted') && !view.isGone(uid) && (!only || only.has(uid)));
  if (doomed.length === 0) return [];
  const removed = await session.services.store.delete(doomed);
  view.expunged(removed);
  return removed;
}

export const expunge: Handler = async ({ session, args, uid }) => {
  let only: Set<MessageId> | null = null;
  if (uid) {
    const set = parseSequenceSet(atom(args.next(), 'a UID set'));
    only = new Set(session.mailbox!.resolve(set, true).map((m) => m.uid));
  }
  end(args, uid ? 'UID EXPUNGE' : 'EXPUNGE');
  if (session.mailbox!.readOnly) return no('The mailbox is read-only (EXAMINE); SELECT it to expunge', 'READ-ONLY');
  await removeDeleted(session, only);
  return ok(`${uid ? 'UID EXPUNGE' : 'EXPUNGE'} completed`);
};

export const close: Handler = async ({ session, args }) => {
  end(args, 'CLOSE');
  // §6.4.2: CLOSE expunges silently, and not at all in a read-only mailbox.
  if (!session.mailbox!.readOnly) await removeDeleted(session, null);
  return { ...ok('CLOSE completed'), next: 'Authenticated' };
};

export const unselect: Handler = async ({ args }) => {
  end(args, 'UNSELECT');
  return { ...ok('UNSELECT completed'), next: 'Authenticated' };
};
