/**
 * What a `wait` caller is waiting for: optional matchers, all of which must hold (AND).
 *
 * - `from`, `to`, `subject`: a case-insensitive substring of the From name or address, of any To
 *   name or address, of the decoded subject. Cheap, so they are tried first, on the summary.
 * - `contains`: the body text holds every word, matched as HTTP search matches words (same
 *   tokenizer, a word matching a token prefix): asked of the store (`Store.bodyMatches`), which
 *   answers for a message the search index has not reached yet, as a just-arrived one usually is.
 * - `code=1`: the message has a one-time code.
 *
 * A message passing them is answered with its summary as `get` gives it: the full parse done,
 * so preview, codes and links are final even for a message seconds old.
 */
import type { Address, MessageSummary, Store, StoredMessage } from '../store/types.js';
import { badParameter } from './errors.js';
import { textParam } from './params.js';

export const CRITERIA_PARAMS = ['from', 'to', 'subject', 'contains', 'code'] as const;

/** Longer matchers than this are a mistake (a pasted body), not a search. */
const MAX_MATCHER_LENGTH = 500;

export interface WaitCriteria {
  /** Lower-cased, as are the fields they are compared with. */
  from: string | null;
  to: string | null;
  subject: string | null;
  contains: string | null;
  hasCode: boolean;
}

export function criteriaFromQuery(query: URLSearchParams): WaitCriteria {
  const lowerText = (name: string): string | null => textParam(query, name, MAX_MATCHER_LENGTH)?.toLowerCase() ?? null;
  const contains = textParam(query, 'contains', MAX_MATCHER_LENGTH);
  if (contains !== null && !/[\p{L}\p{N}]/u.test(contains)) throw badParameter('contains', 'must hold at least one word (letters or digits)');
  const code = query.get('code');
  if (code !== null && code !== '1') throw badParameter('code', 'must be 1 (wait for a message with a code); leave it out otherwise');
  return { from: lowerText('from'), to: lowerText('to'), subject: lowerText('subject'), contains, hasCode: code === '1' };
}

/** The message `summary` announces, fully parsed, if it meets `criteria`; null if not (or if it is gone). */
export async function matchingMessage(criteria: WaitCriteria, summary: MessageSummary, store: Store): Promise<StoredMessage | null> {
  if (!headersMatch(criteria, summary)) return null;
  const message = await store.get(summary.id);
  if (message === null) return null;
  if (criteria.hasCode && message.codes.length === 0) return null;
  if (criteria.contains !== null && !(await store.bodyMatches(summary.id, criteria.contains))) return null;
  return message;
}

function headersMatch(criteria: WaitCriteria, summary: MessageSummary): boolean {
  const { from, to, subject } = criteria;
  const has = (text: string, part: string): boolean => text.toLowerCase().includes(part);
  const addressHas = (address: Address, part: string): boolean => has(address.address, part) || has(address.name, part);
  return (
    (from === null || (summary.from !== null && addressHas(summary.from, from))) &&
    (to === null || summary.to.some((address) => addressHas(address, to))) &&
    (subject === null || has(summary.subject, subject))
  );
}
