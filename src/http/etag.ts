/**
 * Entity tags for the message document (RFC 9110 §8.8.3) and the `If-None-Match` check
 * (§13.1.2). A message's document changes only with its flags and tags (message-json.ts), so its
 * tag is a digest of the serialised rest, taken once when it is cached, plus the flags spelled
 * out and a digest of the tags: a client polling a message it holds gets `304` until a flag moves.
 */
import { createHash } from 'node:crypto';
import type { Flag } from '../store/types.js';

const FLAG_LETTERS: Record<Flag, string> = { seen: 's', answered: 'a', flagged: 'f', deleted: 'd', draft: 'r' };

/** The part of the tag that never changes for a message: 96 bits of SHA-256 of its kept JSON. */
export function contentTag(json: Buffer): string {
  return createHash('sha256').update(json).digest('base64url').slice(0, 16);
}

/** The strong entity tag of the whole document, quotes included. */
export function entityTag(content: string, flags: readonly Flag[], tags: readonly string[]): string {
  const letters = flags.map((flag) => FLAG_LETTERS[flag]).join('');
  return tags.length === 0 ? `"${content}.${letters}"` : `"${content}.${letters}.${tagsDigest(tags)}"`;
}

/**
 * Whether `If-None-Match` names `etag` (or is `*`): then the answer is `304`. The weak
 * comparison applies (§13.1.2), so a `W/` prefix a proxy added still matches.
 */
export function noneMatchHolds(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  for (const candidate of header.split(',')) {
    const trimmed = candidate.trim();
    if ((trimmed.startsWith('W/') ? trimmed.slice(2) : trimmed) === etag) return true;
  }
  return false;
}

/** FNV-1a over the tags, in base 36: tags are rule labels, a handful of short words. */
function tagsDigest(tags: readonly string[]): string {
  let hash = 0x811c9dc5;
  const text = tags.join('\u0000');
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(36);
}
