/**
 * The subject as the flood filter compares it: a zombie network sends one template with
 * "Re:"/"Fwd:" prefixes, ticket numbers and odd spacing varied, so those are taken out. Lower
 * case; every run of digits becomes one `#`, every run of whitespace one space.
 */
const REPLY_PREFIX = /^\s*(?:(?:re|fwd?|aw|wg|sv|vs|tr)\s*(?:\[\d+\])?\s*:\s*)+/i;

export function normalizeSubject(subject: string): string {
  return subject.replace(REPLY_PREFIX, '').toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}
