/**
 * Mailbox names as commands read and write them: decoded from modified UTF-7 (RFC 3501 §5.1.3,
 * mailbox-name.ts) when read, so handlers see Unicode, and encoded when written, as an atom when
 * the grammar allows one (INBOX, Sent) and quoted otherwise.
 */
import { decodeMailboxName, encodeMailboxName } from '../mailbox-name.js';
import { UNDECODABLE, canonicalName } from '../folders.js';
import { str, type Chunk } from '../format.js';
import { astring, type Token } from '../syntax.js';

/**
 * A mailbox argument, decoded; INBOX in any case is "INBOX". A name that is not modified UTF-7
 * names no mailbox (so SELECT of it is `NO [NONEXISTENT]`, not BAD, as imaptest expects) and
 * cannot be created: it comes back marked (folders.ts, UNDECODABLE) for the namespace to say so.
 */
export function mailboxArgument(token: Token | null | undefined, what = 'a mailbox name'): string {
  const wire = astring(token, what);
  const name = decodeMailboxName(wire);
  return name === null ? UNDECODABLE + wire : canonicalName(name);
}

// ATOM-CHAR: no "(", ")", "{", SP, CTL, "%", "*", '"', "\" or "]".
// eslint-disable-next-line no-control-regex
const ATOM = /^[^(){ \x00-\x1f\x7f%*"\\\]]+$/;

/** A mailbox name for a response. */
export function mailboxOut(name: string): Chunk {
  const wire = encodeMailboxName(name);
  return ATOM.test(wire) ? wire : str(wire);
}
