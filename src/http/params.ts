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

/** An optional whole number in [min, max]; absent or empty gives the default. */
export function integerParam(query: URLSearchParams, name: string, defaultValue: number, min: number, max: number): number {
  const text = query.get(name);
  if (text === null || text === '') return defaultValue;
  const value = /^[0-9]{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw badParameter(name, `must be a whole number from ${min} to ${max}`);
  return value;
}
