/**
 * COPY (RFC 3501 §6.4.7), MOVE (RFC 6851) and their UID forms, answered with UIDPLUS's COPYUID
 * (RFC 4315 §3): the UIDVALIDITY, the source UIDs and the UIDs the copies got, in the same order.
 *
 * A copy is the store's: a new message on the same body with the source's flags (and so its
 * internal date, §6.4.7); the target's sessions see it arrive, \Recent for the first of them.
 * MOVE copies, then expunges the sources, sending `* OK [COPYUID …]` before their EXPUNGE
 * responses (RFC 6851 §4.3). Those are two commits: should the second fail, the messages are in
 * both mailboxes, never in neither (§3.3 asks that no message be lost).
 *
 * A target that does not exist is `NO [TRYCREATE]` (§6.4.7), so a client creates it and tries
 * again. When some of the messages named were expunged by another session and not yet announced,
 * nothing is copied and the answer is `NO [EXPUNGEISSUED]` (RFC 2180 §4.4.1, RFC 5530 §3).
 */
import type { MessageId } from '../../store/types.js';
import { atom, end, parseSequenceSet } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import { mailboxKey, shown } from '../folders.js';
import { mailboxArgument } from './names.js';

/** Ascending ids as a compact uid-set: "4,7:9". */
export function uidSet(ids: readonly MessageId[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(i === j ? String(ids[i]) : `${ids[i]}:${ids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

function transfer(move: boolean): Handler {
  return async ({ session, args, uid, out }) => {
    const name = `${uid ? 'UID ' : ''}${move ? 'MOVE' : 'COPY'}`;
    const set = parseSequenceSet(atom(args.next(), uid ? 'a UID set' : 'a sequence set'));
    const target = mailboxArgument(args.next());
    end(args, name);
    const view = session.mailbox!;
    if (move && view.readOnly) return no('The mailbox is read-only (EXAMINE); SELECT it to move messages out', 'READ-ONLY');
    const named = view.resolve(set, uid);
    const gone = named.filter((m) => view.isGone(m.uid)).length;
    if (gone > 0) return no(`${name}: ${gone} of the messages were expunged by another session; nothing was copied`, 'EXPUNGEISSUED');
    const { folders, store } = session.services;
    const inbox = session.inbox!;
    const key = mailboxKey(inbox, target);
    if (move && key === view.inbox) return no(`The messages are in "${shown(target)}" already`, 'CANNOT');
    return folders.exclusive(inbox, async () => {
      if (!(await folders.exists(inbox, target))) return no(`No mailbox "${shown(target)}": CREATE it first`, 'TRYCREATE');
      if (named.length === 0) return ok(`${name} completed: no messages`);
      const copied = await store.copy(named.map((m) => m.uid), key);
      const code = copied.length > 0 ? `COPYUID ${store.uidValidity()} ${uidSet(copied.map((c) => c.source))} ${uidSet(copied.map((c) => c.id))}` : undefined;
      if (!move) return ok(`${name} completed`, code);
      if (code) await out.send(`* OK [${code}] Moved`);
      view.expunged(await store.delete(copied.map((c) => c.source)));
      return ok(`${name} completed`);
    });
  };
}

export const copy = transfer(false);
export const move = transfer(true);
