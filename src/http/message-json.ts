/**
 * The JSON document of `GET /api/v1/messages/{id}`, serialised once and kept in two parts around
 * the members that change after a message is shown. A shown message's summary and parse are final
 * (issue 13 §1); only its flags change, and its tags are looked up beside the store. So the body
 * is `head` (id … links), then `"seen":…,"flags":[…],"tags":[…],` written per request, then
 * `tail` (headers … envelope): the same bytes as `JSON.stringify(presentMessage(m))`, since the
 * parts are cut from that very object in its own key order (checked in `jsonParts`).
 *
 * The parts are UTF-8 bytes already: a request then writes them as they are, not a walk of the
 * object, a string build and an encoding (a 4 KiB message: ~5 KB of JSON).
 */
import type { Flag, StoredMessage } from '../store/types.js';
import type { ApiMessage } from './api-types.js';
import { presentMessage, type TagsOf } from './present.js';
import { ownBytes } from './reply.js';

/** The members written per request, in this order, between `head` and `tail`. */
const LIVE_KEYS = ['seen', 'flags', 'tags'] as const;

export interface MessageJsonParts {
  /** `{"id":…,…,"links":[…],` then `"headers":[…],…,"envelope":{…}}` (reply.ts `ownBytes`). */
  json: Buffer;
  /** Where the head ends and the tail begins. */
  split: number;
}

/** Cut the presented message around its live members (LIVE_KEYS, which must stand together). */
export function jsonParts(message: StoredMessage, tagsOf: TagsOf): MessageJsonParts {
  const presented = presentMessage(message, tagsOf);
  const keys = Object.keys(presented) as Array<keyof ApiMessage>;
  const at = keys.indexOf(LIVE_KEYS[0]);
  if (at <= 0 || at + LIVE_KEYS.length >= keys.length || LIVE_KEYS.some((key, i) => keys[at + i] !== key)) {
    throw new Error(`presentMessage no longer has ${LIVE_KEYS.join(', ')} together inside the document`);
  }
  const pick = (from: number, to: number): Record<string, unknown> => {
    const part: Record<string, unknown> = {};
    for (const key of keys.slice(from, to)) part[key] = presented[key];
    return part;
  };
  const head = `${JSON.stringify(pick(0, at)).slice(0, -1)},`;
  const both = head + JSON.stringify(pick(at + LIVE_KEYS.length, keys.length)).slice(1);
  return { json: ownBytes(both), split: Buffer.byteLength(head) };
}

/** The live members as `jsonParts` leaves them out, with the trailing comma. */
export function liveMembers(flags: readonly Flag[], tags: readonly string[]): string {
  return `"seen":${flags.includes('seen')},"flags":${JSON.stringify(flags)},"tags":${JSON.stringify(tags)},`;
}

/**
 * The whole document as the chunks of one write: head and tail are views of the kept bytes (no
 * copy, and no fresh 5 KB buffer for each response), the live members between them.
 */
export function messageChunks({ json, split }: MessageJsonParts, flags: readonly Flag[], tags: readonly string[]): [Buffer, string, Buffer] {
  return [json.subarray(0, split), liveMembers(flags, tags), json.subarray(split)];
}
