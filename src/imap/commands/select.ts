/**
 * Entering and leaving the Selected state and removing messages: SELECT and EXAMINE (RFC 3501
 * §6.3.1–2), CLOSE (§6.4.2), UNSELECT (RFC 3691), EXPUNGE (§6.4.3), UID EXPUNGE (RFC 4315 §2.1),
 * and COPY/MOVE, refused: a login sees one mailbox, so there is nowhere to copy to.
 *
 * Keywords are not kept (PERMANENTFLAGS lists the system flags only, without \*): STORE accepts
 * and ignores them. Deleting is shared with POP3 and the web UI: EXPUNGE removes the messages
 * from the store, and every other session learns it from the store's events.
 */
import type { MessageId } from '../../store/types.js';
import { astring, atom, end, parseSequenceSet } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import type { ImapSession } from '../session.js';
import { isInbox, noSuchMailbox } from './mailboxes.js';

const FLAGS = '(\\Answered \\Flagged \\Deleted \\Seen \\Draft)';

function opener(readOnly: boolean): Handler {
  const name = readOnly ? 'EXAMINE' : 'SELECT';
  return async ({ session, args, out }) => {
    const mailbox = astring(args.next(), 'a mailbox name');
    end(args, name);
    if (!isInbox(mailbox)) {
      // §6.3.1: a failed SELECT leaves no mailbox selected.
      return { ...noSuchMailbox(mailbox), next: 'Authenticated' };
    }
    const view = await session.openMailbox(readOnly);
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
async function removeDeleted(session: ImapSession, only: Set<MessageId> | null): Promise<MessageId[]> {
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

function refuseCopy(name: string): Handler {
  return async ({ args }) => {
    parseSequenceSet(atom(args.next(), 'a sequence set'));
    const target = astring(args.next(), 'a mailbox name');
    end(args, name);
    if (!isInbox(target)) return no(`No mailbox "${target.slice(0, 60)}": only INBOX exists here, so ${name} is not supported`, 'NONEXISTENT');
    return no(`${name} is not supported: INBOX is the only mailbox and the messages are already in it`, 'CANNOT');
  };
}

export const copy = refuseCopy('COPY');
export const move = refuseCopy('MOVE');
