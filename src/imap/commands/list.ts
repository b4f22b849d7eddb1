/**
 * LIST and LSUB (RFC 3501 §6.3.8–9) and NAMESPACE (RFC 2342). One personal namespace, prefix ""
 * and delimiter "/": INBOX, the special-use folders with their attributes (RFC 6154 §2: `\Sent`
 * and the others are in every LIST response for them, no selection option needed), and the
 * folders clients made, each with `\HasChildren` or `\HasNoChildren` (RFC 3348 CHILDREN).
 *
 * Patterns are matched against names as the client writes them (modified UTF-7, which is
 * canonical, so this is the same as matching their Unicode text): the reference name and the
 * pattern are joined, `*` matches anything and `%` anything but "/". INBOX matches in any case
 * (§5.1), other names exactly. LSUB lists the subscribed names (INBOX and the special-use
 * folders always are), with `\Noselect` for one that names no mailbox now (§6.3.9).
 */
import { ImapSyntaxError, astring, end } from '../syntax.js';
import { ok, type Handler } from '../command.js';
import type { MailboxListing } from '../folders.js';
import { encodeMailboxName } from '../mailbox-name.js';
import { mailboxOut } from './names.js';

function matcher(pattern: string): (name: string) => boolean {
  if (pattern.length > 1000) throw new ImapSyntaxError('mailbox pattern too long');
  const source = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/%/g, '[^/]*');
  const exact = new RegExp(`^${source}$`);
  const anyCase = new RegExp(`^${source}$`, 'i');
  return (wire) => (wire === 'INBOX' ? anyCase.test(wire) : exact.test(wire));
}

function listing(kind: 'LIST' | 'LSUB'): Handler {
  return async ({ session, args, out }) => {
    const reference = astring(args.next(), 'a reference name');
    const pattern = astring(args.next(), 'a mailbox name pattern');
    end(args, kind);
    if (pattern === '') {
      // §6.3.8: an empty pattern asks for the hierarchy delimiter and the root.
      if (kind === 'LIST') await out.send('* LIST (\\Noselect) "/" ""');
      return ok(`${kind} completed`);
    }
    const matches = matcher(reference + pattern);
    const inbox = session.inbox!;
    const mailboxes = await session.services.folders.all(inbox);
    let shown: MailboxListing[] = mailboxes;
    if (kind === 'LSUB') {
      const byPath = new Map(mailboxes.map((m) => [m.path, m]));
      shown = (await session.services.folders.subscriptions(inbox)).map((path) => byPath.get(path) ?? { path, attributes: ['\\Noselect'] });
    }
    for (const { path, attributes } of shown) {
      if (matches(encodeMailboxName(path))) await out.send([`* ${kind} (${attributes.join(' ')}) "/" `, mailboxOut(path)]);
    }
    return ok(`${kind} completed`);
  };
}

export const listCommand = listing('LIST');
export const lsub = listing('LSUB');

/** RFC 2342: one personal namespace with no prefix; no other users' or shared ones. */
export const namespace: Handler = async ({ args, out }) => {
  end(args, 'NAMESPACE');
  await out.send('* NAMESPACE (("" "/")) NIL NIL');
  return ok('NAMESPACE completed');
};
