/**
 * FETCH and UID FETCH (RFC 3501 §6.4.5, §6.4.8). One untagged FETCH response per message, in
 * the order the items were asked for, written as it is built so a large fetch streams instead of
 * being held in memory. The bytes of BODY[] and RFC822 are exactly the store's raw bytes.
 * ENVELOPE comes from the shared header cache (message-cache.ts) without reading the store; the
 * MIME structure is parsed only for the items that need it.
 *
 * Fetching a body section without .PEEK (or RFC822 / RFC822.TEXT) marks the message \Seen in the
 * store, shared with POP3 and the web UI, and the response then carries FLAGS (§6.4.5).
 *
 * Messages expunged by another session but not yet announced by EXPUNGE (§7.4.1 forbids
 * announcing it during FETCH) follow RFC 2180 §4.1.3: FETCH responses for the messages that
 * still exist, and a tagged `NO [EXPUNGEISSUED]` (RFC 5530 §3) so the client knows why some
 * are missing and that a NOOP will tell it which.
 */
import type { Flag, MessageId } from '../../store/types.js';
import { atom, end, parseSequenceSet } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import { flagList, internalDate, literal, type Chunk } from '../format.js';
import type { LoadedMessage, MessageHeaders } from '../message-cache.js';
import { sectionBytes } from '../section.js';
import { bodyStructure } from '../structure.js';
import type { SelectedMailbox } from '../mailbox.js';
import { fetchNeeds, parseFetchItems, responseLabel, setsSeen, type FetchItem } from './fetch-items.js';

function partial(bytes: Buffer, start: number | null, length: number | null): Buffer {
  if (start === null) return bytes;
  return bytes.subarray(start, length === null ? undefined : start + length);
}

/** What one message's response is built from; `message` and `headers` are loaded only when an item needs them. */
interface Source {
  uid: MessageId;
  view: SelectedMailbox;
  message: LoadedMessage | null;
  headers: MessageHeaders | null;
}

function itemChunks(item: FetchItem, { uid, view, message, headers }: Source): Chunk[] {
  if (item.kind === 'section') {
    const bytes = message ? sectionBytes(message.raw, () => message.tree, item.section) : null;
    return [`${responseLabel(item)} `, bytes === null ? 'NIL' : literal(partial(bytes, item.start, item.length))];
  }
  const entry = view.entry(uid);
  switch (item.name) {
    case 'FLAGS':
      return [`FLAGS ${flagList(view.flags(uid), view.isRecent(uid))}`];
    case 'UID':
      return [`UID ${uid}`];
    case 'INTERNALDATE':
      return [`INTERNALDATE ${internalDate(entry?.receivedAtMs ?? 0)}`];
    case 'RFC822.SIZE':
      return [`RFC822.SIZE ${entry?.size ?? message?.raw.length ?? 0}`];
    case 'ENVELOPE':
      return ['ENVELOPE ', ...headers!.envelope()];
    case 'BODYSTRUCTURE':
      return ['BODYSTRUCTURE ', ...bodyStructure(message!.tree, true)];
    case 'BODY':
      return ['BODY ', ...bodyStructure(message!.tree, false)];
    case 'RFC822':
      return ['RFC822 ', literal(message!.raw)];
    case 'RFC822.HEADER':
      return ['RFC822.HEADER ', literal(message!.raw.subarray(0, message!.tree.bodyStart))];
    case 'RFC822.TEXT':
      return ['RFC822.TEXT ', literal(message!.raw.subarray(message!.tree.bodyStart))];
  }
}

export const fetch: Handler = async ({ session, args, uid, out }) => {
  const set = parseSequenceSet(atom(args.next(), 'a sequence set'));
  const items = parseFetchItems(args.next());
  end(args, 'FETCH');
  // §6.4.8: UID FETCH always reports the UID.
  if (uid && !items.some((i) => i.kind === 'simple' && i.name === 'UID')) items.unshift({ kind: 'simple', name: 'UID' });
  const view = session.mailbox!;
  const named = view.resolve(set, uid);
  const refs = named.filter((m) => !view.isGone(m.uid));
  let expunged = named.length - refs.length;

  const markedSeen = new Set<MessageId>();
  if (setsSeen(items) && !view.readOnly) {
    const unseen = refs.filter((m) => !view.flags(m.uid).includes('seen')).map((m) => m.uid);
    if (unseen.length > 0) {
      const changed: Map<MessageId, Flag[]> = await session.services.store.setFlags(unseen, 'add', ['seen']);
      for (const [id, flags] of changed) {
        view.flagsSet(id, flags);
        markedSeen.add(id);
      }
    }
  }
  const needs = fetchNeeds(items);
  const { messages } = session.services;
  for (const ref of refs) {
    const message = needs.raw ? await messages.load(ref.uid) : null;
    const headers = needs.headers ? await messages.headers(ref.uid) : null;
    if ((needs.raw && !message) || (needs.headers && !headers)) {
      expunged++; // deleted since the view last heard; its EXPUNGE comes later
      continue;
    }
    const parts: FetchItem[] = [...items];
    if (markedSeen.has(ref.uid) && !parts.some((i) => i.kind === 'simple' && i.name === 'FLAGS')) parts.push({ kind: 'simple', name: 'FLAGS' });
    const source: Source = { uid: ref.uid, view, message, headers };
    const line: Chunk[] = [`* ${ref.seq} FETCH (`];
    parts.forEach((item, i) => {
      if (i > 0) line.push(' ');
      line.push(...itemChunks(item, source));
    });
    line.push(')');
    await out.send(line);
  }
  const name = uid ? 'UID FETCH' : 'FETCH';
  if (expunged > 0) return no(`${name}: ${expunged} of the requested messages were expunged by another session`, 'EXPUNGEISSUED');
  return ok(`${name} completed`);
};
