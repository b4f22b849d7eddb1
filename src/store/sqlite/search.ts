/**
 * Search: every word of the user's text must match, as a prefix, somewhere in a message's
 * subject, addresses or body. Shown messages are parsed, so the FTS5 index finds them all; one
 * message's body text is matched here (`columnMatcher`, for `bodyMatches`) with the same rules as
 * the index's tokenizer (unicode61, case and diacritics folded).
 *
 * The text itself is decoded once, by mail/decode.ts: the subject and names as the listing
 * decoded them, the body as `searchableBody` of the full parse, the same text IMAP SEARCH
 * matches and the message JSON shows. Matching differs by protocol, decoding never: here a word
 * matches a token prefix, so a word inside an unspaced run of CJK text (one unicode61 token) is
 * found by IMAP's substring match only.
 */
import type { Address } from '../types.js';

/** The words of a query, or null when it has none; anything else (quotes, operators) is ignored. */
export function queryWords(text: string): string[] | null {
  return text.match(/[\p{L}\p{N}_]+/gu);
}

/** An FTS5 query where every word must match as a prefix; user syntax is never interpreted. */
export function toFtsQuery(words: readonly string[]): string {
  return words.map((w) => `"${w}"*`).join(' ');
}

/** The text the search index holds for a message's people: names and addresses. */
export function searchableAddresses(from: Address | null, to: readonly Address[]): string {
  return [...(from ? [from] : []), ...to].map((a) => `${a.name} ${a.address}`).join(' ');
}

/**
 * unicode61 with remove_diacritics 2: letters, digits and private-use characters make up tokens;
 * case is folded, and accents are dropped from Latin letters only (a precomposed Greek ά stays
 * itself). Other marks, such as Devanagari vowel signs, separate tokens.
 */
function tokens(text: string): string[] {
  const folded = text.normalize('NFD').replace(/(\p{Script=Latin})\p{M}+/gu, '$1').normalize('NFC').toLowerCase();
  return folded.match(/[\p{L}\p{N}\p{Co}]+/gu) ?? [];
}

/**
 * The FTS query's matching on one column, `body : (…)` in FTS terms: each word is a phrase of its
 * tokens (`"foo_bar"*` is "foo" followed by a token starting "bar"), and every phrase must occur
 * in `text`.
 */
export function columnMatcher(words: readonly string[]): (text: string) => boolean {
  const phrases = toPhrases(words);
  return (text) => {
    const column = tokens(text);
    return phrases.every((phrase) => containsPhrase(column, phrase));
  };
}

function toPhrases(words: readonly string[]): string[][] {
  return words.map(tokens).filter((phrase) => phrase.length > 0);
}

function containsPhrase(column: readonly string[], phrase: readonly string[]): boolean {
  const last = phrase.length - 1;
  for (let start = 0; start + last < column.length; start++) {
    let i = 0;
    while (i < last && column[start + i] === phrase[i]) i++;
    if (i === last && column[start + last]!.startsWith(phrase[last]!)) return true;
  }
  return false;
}
