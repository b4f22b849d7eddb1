/**
 * Reading and validating what a client put in the path and the query string. Every check
 * fails with a 400 that names the parameter, so a test author sees at once what was wrong.
 */
import { inboxFromUserInput } from '../mail/address.js';
import type { MessageId } from '../store/types.js';
import { HttpError, badParameter } from './errors.js';

/**
 * An inbox from the path or a query: an inbox name or a full address, normalised like SMTP
 * does (`Joe+tag@any.domain` → `joe`), so what a user typed into a form opens the right inbox.
 */
export function inboxParam(text: string): string {
  const inbox = text.length <= 320 ? inboxFromUserInput(text) : null;
  if (inbox === null) {
    throw new HttpError(400, 'invalid_inbox', `"${text.slice(0, 80)}" is not a valid inbox name (letters, digits and .!#$%&'*=?^_\`{|}~- , at most 64 bytes)`);
  }
  return inbox;
}

export function messageIdParam(text: string): MessageId {
  const id = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw badParameter('id', 'must be a positive whole number');
  return id;
}

/** An optional cursor: 0 (before every message) or a message id; null when absent. */
export function cursorParam(query: URLSearchParams, name: string): MessageId | null {
  const text = query.get(name);
  if (text === null) return null;
  const id = /^(0|[1-9][0-9]{0,15})$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw badParameter(name, 'must be a message id (a whole number)');
  return id;
}

/** An optional whole number in [min, max]; absent or empty gives the default. */
export function integerParam(query: URLSearchParams, name: string, defaultValue: number, min: number, max: number): number {
  const text = query.get(name);
  if (text === null || text === '') return defaultValue;
  const value = /^[0-9]{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw badParameter(name, `must be a whole number from ${min} to ${max}`);
  return value;
}

/**
 * Refuse a query with a parameter the endpoint does not take, or one given twice: a typo such
 * as `?subjet=Welcome` would otherwise widen what the caller asked for without a word.
 */
export function onlyParams(query: URLSearchParams, known: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of query.keys()) {
    if (!known.includes(name)) throw new HttpError(400, 'invalid_parameter', `unknown parameter "${name.slice(0, 40)}"; this endpoint takes ${known.join(', ')}`);
    if (seen.has(name)) throw badParameter(name, 'is given more than once');
    seen.add(name);
  }
}

/**
 * An optional piece of text, at most `maxLength` characters; null when absent. An empty one is
 * refused rather than read as "anything": it is what `?from=$UNSET_VARIABLE` sends.
 */
export function textParam(query: URLSearchParams, name: string, maxLength: number): string | null {
  const text = query.get(name);
  if (text === null) return null;
  if (text.trim() === '') throw badParameter(name, 'must not be empty (leave it out to match anything)');
  if (text.length > maxLength) throw badParameter(name, `is limited to ${maxLength} characters`);
  return text;
}
