/** Mapping between SQLite rows and the Store's types, shared by the reader and the writer. */
import type { Address, Flag, MessageSummary } from '../types.js';

export const FLAG_BITS: Record<Flag, number> = { seen: 1, answered: 2, flagged: 4, deleted: 8, draft: 16 };

export function flagsToMask(flags: readonly Flag[]): number {
  let mask = 0;
  for (const flag of flags) mask |= FLAG_BITS[flag];
  return mask;
}

export function maskToFlags(mask: number): Flag[] {
  const flags: Flag[] = [];
  for (const [flag, bit] of Object.entries(FLAG_BITS) as Array<[Flag, number]>) if (mask & bit) flags.push(flag);
  return flags;
}

/** The columns every summary query selects, in this order. */
export const SUMMARY_COLUMNS =
  'm.id AS id, m.inbox AS inbox, m.flags AS flags, b.from_json AS from_json, b.to_json AS to_json, b.subject AS subject, ' +
  'b.date AS date, b.received_at AS received_at, b.size AS size, b.preview AS preview, b.attachments AS attachments, ' +
  'b.codes AS codes, b.links AS links';

export interface SummaryRow {
  id: number;
  inbox: string;
  flags: number;
  from_json: string | null;
  to_json: string;
  subject: string;
  date: number | null;
  received_at: number;
  size: number;
  preview: string;
  attachments: number;
  /** JSON arrays of strings. */
  codes: string;
  links: string;
}

export function toSummary(row: SummaryRow): MessageSummary {
  return {
    id: row.id,
    inbox: row.inbox,
    from: row.from_json ? (JSON.parse(row.from_json) as Address) : null,
    to: JSON.parse(row.to_json) as Address[],
    subject: row.subject,
    dateMs: row.date,
    receivedAtMs: row.received_at,
    size: row.size,
    preview: row.preview,
    attachments: row.attachments,
    codes: JSON.parse(row.codes) as string[],
    links: JSON.parse(row.links) as string[],
    flags: maskToFlags(row.flags),
  };
}
