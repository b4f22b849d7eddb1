/**
 * What a QA engineer waits for in a sign-up mail: the links and the one-time code.
 * Pure functions over already-decoded text and HTML.
 */

const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`)\]]+/gi;
const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const TRAILING_PUNCTUATION = /[.,;:!?]+$/;

function decodeEntities(text: string): string {
  return text.replace(/&amp;/g, '&').replace(/&#x2f;/gi, '/').replace(/&#47;/g, '/').replace(/&quot;/g, '"').replace(/&#39;/g, "'");
}

/** http(s) links from HTML hrefs and plain text, in order of first appearance, without duplicates. */
export function extractLinks(text: string, html: string): string[] {
  const seen = new Set<string>();
  const add = (candidate: string): void => {
    const url = decodeEntities(candidate.trim()).replace(TRAILING_PUNCTUATION, '');
    if (/^https?:\/\/[^\s]+$/i.test(url)) seen.add(url);
  };
  for (const match of html.matchAll(HREF)) add(match[1] ?? match[2] ?? match[3] ?? '');
  for (const match of html.matchAll(URL_IN_TEXT)) add(match[0]);
  for (const match of text.matchAll(URL_IN_TEXT)) add(match[0]);
  return [...seen];
}

// A code is 4–8 digits (or an uppercase letter/digit mix with at least one digit) near a word
// that announces it, so order numbers and years in running text are not mistaken for codes.
const CODE_CONTEXT =
  /\b(?:code|pin|otp|passcode|password|token|verification|verify|confirm(?:ation)?|one[- ]time|security|login|sign[- ]?in)\b[^\n]{0,40}?\b([0-9]{4,8}|(?=[A-Z0-9-]*[0-9])[A-Z0-9]{3,4}-?[A-Z0-9]{3,4})\b/gi;
const CODE_BEFORE_CONTEXT = /\b([0-9]{4,8})\b\s+(?:is|is your|as your)\b[^\n]{0,30}?\b(?:code|pin|otp|passcode)\b/gi;

/** One-time codes found in the subject and body text, most likely first, without duplicates. */
export function extractCodes(subject: string, text: string): string[] {
  const found = new Set<string>();
  for (const source of [subject, text]) {
    for (const match of source.matchAll(CODE_CONTEXT)) {
      const code = match[1];
      if (code && !/^(?:19|20)\d\d$/.test(code)) found.add(code);
    }
    for (const match of source.matchAll(CODE_BEFORE_CONTEXT)) if (match[1]) found.add(match[1]);
  }
  return [...found];
}

/** Plain text from HTML for previews and search when a message has no text part. */
export function htmlToText(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<br\s*\/?>|<\/(p|div|tr|li|h[1-6])>/gi, '\n')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>'),
  )
    .replace(/[ \t]+/g, ' ')
    .replace(/\n\s*\n+/g, '\n')
    .trim();
}

export function previewOf(text: string, maxChars = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars - 1)}…` : flat;
}
