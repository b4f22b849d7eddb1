/**
 * The store's records as the API shows them (api-types.ts). The listing path runs this
 * for every row of every page, so it is plain property copying and nothing more.
 */
import type { MessageId, MessageSummary, StoredMessage } from '../store/types.js';
import type { ApiMessage, ApiSummary } from './api-types.js';

/** A message's labels from routing rules (src/rules/ `tag`), kept beside the store, not in it. */
export type TagsOf = (id: MessageId) => readonly string[];
const NO_TAGS: readonly string[] = [];
export const noTags: TagsOf = () => NO_TAGS;

export function presentSummary(m: MessageSummary, tagsOf: TagsOf = noTags): ApiSummary {
  return {
    id: m.id,
    inbox: m.inbox,
    from: m.from,
    to: m.to,
    subject: m.subject,
    date: m.dateMs === null ? null : isoDate(m.dateMs),
    receivedAt: new Date(m.receivedAtMs).toISOString(),
    size: m.size,
    preview: m.preview,
    attachments: m.attachments,
    codes: m.codes,
    links: m.links,
    seen: m.flags.includes('seen'),
    flags: m.flags,
    tags: tagsOf(m.id),
  };
}

export function presentMessage(m: StoredMessage, tagsOf: TagsOf = noTags): ApiMessage {
  const { parsed } = m;
  return {
    ...presentSummary(m, tagsOf),
    headers: parsed.headers,
    text: parsed.text,
    html: parsed.html,
    attachments: parsed.attachments,
    links: parsed.links,
    codes: parsed.codes,
    envelope: m.envelope,
  };
}

/** A Date header can hold any year; one outside what ISO strings can express is shown as unknown. */
function isoDate(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
