/**
 * CREATE, DELETE, RENAME (RFC 3501 §6.3.3–5), SUBSCRIBE and UNSUBSCRIBE (§6.3.6–7): each reads
 * its names and hands them to the namespace (folders.ts), which holds the rules; refusals carry
 * RFC 5530 codes (ALREADYEXISTS, NONEXISTENT, CANNOT, LIMIT).
 */
import { end } from '../syntax.js';
import { completed, type Handler } from '../command.js';
import { mailboxArgument } from './names.js';

export const create: Handler = async ({ session, args }) => {
  const name = mailboxArgument(args.next());
  end(args, 'CREATE');
  return completed(await session.services.folders.create(session.inbox!, name), 'CREATE completed');
};

export const deleteCommand: Handler = async ({ session, args }) => {
  const name = mailboxArgument(args.next());
  end(args, 'DELETE');
  return completed(await session.services.folders.delete(session.inbox!, name), 'DELETE completed');
};

export const rename: Handler = async ({ session, args }) => {
  const from = mailboxArgument(args.next(), 'the existing mailbox name');
  const to = mailboxArgument(args.next(), 'the new mailbox name');
  end(args, 'RENAME');
  return completed(await session.services.folders.rename(session.inbox!, from, to), 'RENAME completed');
};

function subscription(subscribed: boolean): Handler {
  const name = subscribed ? 'SUBSCRIBE' : 'UNSUBSCRIBE';
  return async ({ session, args }) => {
    const mailbox = mailboxArgument(args.next());
    end(args, name);
    return completed(await session.services.folders.subscribe(session.inbox!, mailbox, subscribed), `${name} completed`);
  };
}

export const subscribe = subscription(true);
export const unsubscribe = subscription(false);
