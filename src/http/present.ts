/**
 * The store's records as the API shows them (api-types.ts). The listing path runs this
 * for every row of every page, so it is plain property copying and nothing more.
 */
import type { MessageSummary, StoredMessage } from '../store/types.js';
import type { ApiMessage, ApiSummary } from './api-types.js';

export function presentSummary(m: MessageSummary): ApiSummary {
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
  };
}

export function presentMessage(m: StoredMessage): ApiMessage {
  const { parsed } = m;
  return {
    ...presentSummary(m),
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
