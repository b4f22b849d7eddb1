/**
 * STORE and UID STORE (RFC 3501 §6.4.6, §6.4.8): FLAGS, +FLAGS, -FLAGS, each with .SILENT.
 * The five system flags are kept in the store, shared with POP3 and the web UI. Keywords and
 * \Recent cannot be stored; they are accepted and ignored, as PERMANENTFLAGS (without \*) told
 * the client at SELECT (§7.1: "the client can expect the server to ignore" other flags).
 *
 * Without .SILENT each message gets an untagged FETCH with its new flags (and its UID for UID
 * STORE); the same change made by another session is reported to it by the mailbox view.
 * Messages expunged by another session and not yet announced are skipped, and the completion
 * is `NO [EXPUNGEISSUED]` (RFC 5530 §3) as for FETCH.
 */
import type { Flag, FlagOperation } from '../../store/types.js';
import { ImapSyntaxError, atom, end, parseSequenceSet, type Token } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import { flagFromImap, flagList } from '../format.js';

const OPERATIONS: Record<string, FlagOperation> = { FLAGS: 'replace', '+FLAGS': 'add', '-FLAGS': 'remove' };

/** The system flags named (keywords, \Recent and unknown \Extensions are dropped; STORE and APPEND both keep only these). */
export function flagsOf(tokens: Token[]): Flag[] {
  const flags = new Set<Flag>();
  for (const t of tokens) {
    const name = atom(t, 'a flag');
    if (name.startsWith('\\')) {
      const flag = flagFromImap(name);
      if (flag) flags.add(flag);
      else if (name.toLowerCase() !== '\\recent' && !/^\\[A-Za-z0-9$_.-]+$/.test(name)) throw new ImapSyntaxError(`invalid flag ${name.slice(0, 30)}`);
    }
    // Keywords (and \Recent, and unknown \Extension flags) are ignored.
  }
  return [...flags];
}

export const store: Handler = async ({ session, args, uid, out }) => {
  const set = parseSequenceSet(atom(args.next(), 'a sequence set'));
  const action = atom(args.next(), 'FLAGS, +FLAGS or -FLAGS').toUpperCase();
  const silent = action.endsWith('.SILENT');
  const operation = OPERATIONS[silent ? action.slice(0, -'.SILENT'.length) : action];
  if (!operation) throw new ImapSyntaxError(`expected FLAGS, +FLAGS or -FLAGS (optionally .SILENT), not ${action.slice(0, 30)}`);
  const rest = args.all();
  if (rest.length === 0) throw new ImapSyntaxError('STORE needs flags');
  const first = rest[0]!;
  const flags = flagsOf(first.kind === 'list' && rest.length === 1 ? first.items : rest);
  end(args, 'STORE');
  const view = session.mailbox!;
  if (view.readOnly) return no('The mailbox is read-only (EXAMINE)', 'READ-ONLY');

  const named = view.resolve(set, uid);
  const refs = named.filter((m) => !view.isGone(m.uid));
  const changed = refs.length && (flags.length || operation === 'replace') ? await session.services.store.setFlags(refs.map((m) => m.uid), operation, flags) : new Map<number, Flag[]>();
  for (const ref of refs) {
    const now = changed.get(ref.uid);
    if (now) view.flagsSet(ref.uid, now);
    if (silent || (!now && changed.size > 0)) continue;
    const flagsNow = flagList(view.flags(ref.uid), view.isRecent(ref.uid));
    await out.send(`* ${ref.seq} FETCH (${uid ? `UID ${ref.uid} ` : ''}FLAGS ${flagsNow})`);
  }
  const name = uid ? 'UID STORE' : 'STORE';
  // RFC 2180 §4.2.1 / RFC 5530 §3: the others were changed; these no longer exist.
  const expunged = named.length - refs.length;
  if (expunged > 0) return no(`${name}: ${expunged} of the messages were expunged by another session`, 'EXPUNGEISSUED');
  return ok(`${name} completed`);
};
