/**
 * The links of a message, the likely action link first.
 *
 * Which URLs count (issue 13 §3): the targets of `<a href>` that are http(s), and URLs written in
 * the text part. Nothing else in the HTML is read: not `<script>`/`<style>` content, not event-handler
 * attributes, not `javascript:` URLs, not the `src` of images, media or frames — those are code and
 * tracking pixels, never something a reader is asked to follow. The anchors come from a real HTML
 * tokenizer (extract.ts, htmlparser2), so entities in hrefs are decoded as a browser would.
 *
 * Ranking: a reader waiting on a sign-up or sign-in mail wants the verify / confirm / activate /
 * reset / sign-in / magic link. Each candidate is scored on its words — anchor text or the text
 * before a plain-text URL (strongest), the URL's path and query, and whether it carries a one-time
 * token — minus the words of links nobody waits for (unsubscribe, privacy, help, social profiles)
 * and of "if this wasn't you" escape hatches. A URL found several times keeps its best score and its
 * first position; equal scores keep the mail's order. The cap applies after ranking, so an action
 * link deep in a long newsletter is not cut off.
 */

/** An `<a href>` as the HTML reader saw it: raw target, visible text (with image alts), and the text just before it. */
export interface Anchor {
  href: string;
  text: string;
  before: string;
}

export const MAX_LINKS = 10;

// Printable ASCII except space, quotes and angle brackets: a URL in text ends at the first
// character that cannot be in one (RFC 3986 §2; RFC 3986 Appendix C: delimiting URIs in context).
const URL_IN_TEXT = /\bhttps?:\/\/[!#-&(-;=?-~]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?*'"]+$/;
// WHATWG URL §4.4 basic URL parser: leading/trailing C0 controls and spaces are stripped, and
// ASCII tab and newline removed anywhere, which is what a mail client does with a wrapped href.
const TAB_OR_NEWLINE = /[\t\n\r]/g;
const LOOKS_LIKE_ADDRESS = /^\s*(?:https?:\/\/|www\.)|^\s*[\w-]+(?:\.[\w-]+)+\/?\s*$/i;

/** One case-insensitive regex from words per language. */
function wordsRegExp(words: Record<string, readonly string[]>): RegExp {
  return new RegExp(Object.values(words).flat().join('|'), 'i');
}

const ACTION_WORDS = wordsRegExp({
  en: [String.raw`\bverif`, String.raw`\bconfirm`, String.raw`\bactivat`, String.raw`\bvalidat`, String.raw`\breset\b`, String.raw`\bsign[ -]?in\b`, String.raw`\blog[ -]?in\b`, String.raw`\bmagic link`],
  de: ['bestätig', 'verifizier', 'aktivier', 'freischalt', 'zurücksetz', String.raw`\banmelden`, 'einloggen'],
  fr: ['confirmer', 'confirmez', 'vérifi', 'valider', 'validez', 'activer', 'activez', 'réinitialis', 'se connecter', 'connexion'],
  es: ['confirmar', String.raw`\bconfirma\b`, 'verificar', String.raw`\bverifica\b`, 'validar', 'activar', String.raw`\bactiva\b`, 'restablec', 'iniciar sesión', 'inicia sesión'],
  ja: ['メールアドレスを確認', 'メールアドレスの確認', '本登録', '認証', 'ログイン', 'サインイン', 'パスワード(?:の)?再設定', '有効化'],
});
const ACTION_IN_URL = /verif|confirm|activat|activar|aktivier|validat|bestaetig|best%c3%a4tig|reset|magic|passwordless|sign[-_]?in|log[-_]?in|auth/i;
const NOT_AN_ACTION_WORDS = wordsRegExp({
  en: [
    'unsubscribe', 'opt[ -]out', 'preferences', 'notification settings', 'privacy', String.raw`\bterms\b`, String.raw`\blegal\b`, String.raw`\bhelp\b`,
    'support', 'contact', String.raw`\bfaq\b`, 'view (?:it )?in (?:your )?browser', 'view online', 'view this email', 'policies', 'cookie',
  ],
  de: ['abmelden', 'abbestellen', 'datenschutz', 'impressum', 'hilfe', 'kontakt', String.raw`\bagb\b`],
  fr: ['désinscri', 'désabonn', 'confidentialité', 'données personnelles', 'mentions légales', String.raw`\baide\b`],
  es: ['darse de baja', 'cancelar suscripción', String.raw`\bbaja\b`, 'privacidad', 'ayuda', 'aviso legal'],
  ja: ['配信停止', '登録解除', 'プライバシー', 'ヘルプ', 'お問い合わせ', '個人情報'],
});
const NOT_AN_ACTION_IN_URL =
  /unsubscri|opt-?out|preferences|notification|privacy|datenschutz|legal|terms|\/help|help\.|support|faq|contact|abmelden|desinscri|d%c3%a9sinscri|baja|privacidad|ayuda|aide|cookie|\/mail\/stop/i;
const SOCIAL_HOST =
  /(?:^|\.)(?:facebook|twitter|x|instagram|linkedin|youtube|tiktok|pinterest)\.com$|^(?:t\.me|dis\.gd|apps\.apple\.com|play\.google\.com)$/i;
const NOT_YOU = wordsRegExp({
  en: ['didn[’\']?t', 'did not', 'not you', 'wasn[’\']?t you', 'weren[’\']?t you'],
  de: ['nicht angefordert', 'nicht du', 'nicht sie'],
  fr: ['pas vous', "pas à l'origine"],
  es: ['no has sido', 'no fuiste', 'no lo solicitaste'],
  ja: ['心当たり'],
});
// A one-time link carries a token: a long run of letters and digits mixed, in the path or query.
const TOKEN = /[A-Za-z0-9_-]{12,}/g;

const WEIGHT = { actionWords: 10, actionInUrl: 6, token: 3, notAnAction: -10, notAnActionInUrl: -8, social: -6, notYou: -8 } as const;

function hasToken(pathAndQuery: string): boolean {
  for (const [run] of pathAndQuery.matchAll(TOKEN)) if (/\d/.test(run) && /[A-Za-z]/.test(run)) return true;
  return false;
}

function urlScore(url: URL): number {
  const pathAndQuery = url.pathname + url.search + url.hash;
  let score = 0;
  if (ACTION_IN_URL.test(pathAndQuery)) score += WEIGHT.actionInUrl;
  if (NOT_AN_ACTION_IN_URL.test(url.hostname + pathAndQuery)) score += WEIGHT.notAnActionInUrl;
  if (SOCIAL_HOST.test(url.hostname)) score += WEIGHT.social;
  if (hasToken(pathAndQuery)) score += WEIGHT.token;
  return score;
}

/** The score of the words around a link: its label (anchor text or the text that introduces it) and what precedes it. */
function wordsScore(label: string, before: string): number {
  const words = LOOKS_LIKE_ADDRESS.test(label) ? '' : label;
  let score = 0;
  if (ACTION_WORDS.test(words)) score += WEIGHT.actionWords;
  if (NOT_AN_ACTION_WORDS.test(words)) score += WEIGHT.notAnAction;
  if (NOT_YOU.test(before)) score += WEIGHT.notYou;
  return score;
}

function parseHttpUrl(candidate: string): URL | null {
  const cleaned = candidate.replace(TAB_OR_NEWLINE, '').trim();
  if (!/^https?:\/\/./i.test(cleaned)) return null;
  try {
    const url = new URL(cleaned);
    return url.hostname ? url : null;
  } catch {
    return null;
  }
}

const CLOSERS: Record<string, string> = { ')': '(', ']': '[' };

/** A URL at the end of a sentence or inside brackets brings its punctuation along; drop what cannot end it. */
function trimUrlInText(raw: string): string {
  let url = raw.replace(TRAILING_PUNCTUATION, '');
  for (let last = url.at(-1); last && CLOSERS[last]; last = url.at(-1)) {
    const opener = CLOSERS[last];
    if (url.split(opener).length >= url.split(last).length) break; // balanced: part of the URL
    url = url.slice(0, -1).replace(TRAILING_PUNCTUATION, '');
  }
  return url;
}

/** The last line of `text`: the sentence a link sits in. */
function lastLine(text: string): string {
  const end = text.trimEnd();
  return end.slice(end.lastIndexOf('\n') + 1).slice(-120);
}

interface Candidate {
  display: string;
  order: number;
  score: number;
}

class Ranking {
  private readonly byKey = new Map<string, Candidate>();

  add(raw: string, label: string, before: string): void {
    const url = parseHttpUrl(raw);
    if (!url) return;
    const score = urlScore(url) + wordsScore(label, before);
    const known = this.byKey.get(url.href);
    if (known) known.score = Math.max(known.score, score);
    else this.byKey.set(url.href, { display: raw.replace(TAB_OR_NEWLINE, '').trim(), order: this.byKey.size, score });
  }

  best(max: number): string[] {
    return [...this.byKey.values()]
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .slice(0, max)
      .map((c) => c.display);
  }
}

/**
 * URLs of the text, each labelled by the words before it on its line, or by the last non-blank line
 * before it when it stands on a line of its own ("Confirm your address:\n<url>"). One scan of the
 * whole text (a URL never spans a line: URL_IN_TEXT takes no CR or LF); lines are looked at only
 * around a URL, so a text without any costs one regex pass.
 */
function addTextUrls(ranking: Ranking, text: string): void {
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const lineStart = text.lastIndexOf('\n', match.index - 1) + 1;
    const prefix = text.slice(lineStart, match.index).slice(-120);
    const label = /\p{L}{3}/u.test(prefix) ? prefix : lineBefore(text, lineStart);
    ranking.add(trimUrlInText(match[0]), label, label);
  }
}

/** The last non-blank line ending before `lineStart`, its URLs blanked, its last 120 characters. */
function lineBefore(text: string, lineStart: number): string {
  let end = lineStart - 1;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end);
    if (line.trim()) return line.replace(URL_IN_TEXT, ' ').slice(-120);
    end = start - 1;
  }
  return '';
}

/** http(s) links from the anchors of the HTML and the URLs of the text, deduplicated, the likely action link first. */
export function rankLinks(text: string, anchors: readonly Anchor[], max = MAX_LINKS): string[] {
  const ranking = new Ranking();
  for (const anchor of anchors) ranking.add(anchor.href, anchor.text, lastLine(anchor.before));
  addTextUrls(ranking, text);
  return ranking.best(max);
}
