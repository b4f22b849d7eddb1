/**
 * One-time codes in a message, the most likely first.
 *
 * A candidate is a run of digits and capital letters that a verification mail could show: 4–8
 * digits (`482913`), two equal groups of 3 or 4 digits (`482 913`, `4829-1038`), 4–8 capitals and
 * digits mixed with at most two dashes (`F7K2Q`, `Q7X-4NP`), or 4–8 single digits spaced out
 * (`4 8 2 9 1 3`, what an HTML mail drawing one digit per cell reads as). A run joined to its
 * neighbours by `.` `,` `/` `:` is a date, price, time, version or address and never a code; so is
 * a run glued to a currency sign, a unit, `#`, a mask (`••••4417`) or `年`.
 *
 * What makes a candidate a code is the words around it, in English, German, French, Spanish and
 * Japanese: a code noun before it on its line ("Verification code: 482913", "確認コード【4829】"),
 * after it ("482190 is your security code"), or on the line above when it stands alone on its own
 * line (how most senders lay a code out). Words that announce another number — order, invoice,
 * tracking, booking, phone, postcode, card ending, promo/coupon code — count against it when they
 * are right before it and nearer than the code noun. A candidate needs `THRESHOLD` points to be
 * reported, and a mail whose subject and body name no code at all has none (the common case of
 * receipts and newsletters then costs one regex pass). Full-width digits and capitals (４８２９１３)
 * are read as ASCII; numbers inside URLs and mail addresses are not candidates.
 *
 * Codes are reported as displayed (`482 913`, `ABC-123`): some forms need the dash, and a reader
 * compares what the API says with what the mail shows. NBSP and thin spaces become plain spaces;
 * spaced-out single digits are joined, since that spacing is typography, not part of the code.
 */

export const MAX_CODES = 5;
const THRESHOLD = 5;
/** What each clue is worth; a code noun in the sentence alone reaches THRESHOLD. */
const POINTS = {
  nounAdjacent: 9, // "code: 482913", "確認コード【4829】"
  nounNear: 7, // "Votre code de vérification : 482 910"
  nounInSentence: 5, // "Ihre TAN für den Auftrag vom … lautet: 482913"
  verbBefore: 2, // "Enter 4829 …"
  nounAfter: 5, // "482190 is your security code"
  purposeAfter: 3, // "… to sign in"
  alone: 2, // on a line of its own
  headingAbove: 5, // … under a line that names a code (at most this much from above)
  otherNumber: -8, // "card ending in 4417", "Order #58291"
  discountAfter: -10, // "SPRING25 for 25% off"
  yearLike: -4, // 1998, 2026
  repeated: 2, // in the subject and again in the body
} as const;
const WINDOW = 100;
/** How far before a candidate a word like "order" or "phone" still names it. */
const OTHER_NUMBER_REACH = 25;

/** One regex from words per language: case-insensitive, global, alternatives in the order given. */
function wordsRegExp(words: Record<string, readonly string[]>, suffix = ''): RegExp {
  return new RegExp(`(?:${Object.values(words).flat().join('|')})${suffix}`, 'gi');
}

// The nouns that name a one-time code. German compounds end in "code" (Bestätigungscode,
// Sicherheitscode, Anmeldecode), hence no word boundary before it.
const CODE_NOUN = wordsRegExp({
  en: [String.raw`code\b`, 'passcode', String.raw`\botp\b`, 'one[- ]time password', String.raw`\bpin\b`],
  de: [String.raw`\btan\b`, 'einmalpasswort', 'einmalkennwort'],
  fr: ['mot de passe à usage unique'],
  es: ['código', String.raw`\bclave\b`],
  ja: ['コード', '認証番号', 'ワンタイムパスワード', 'パスコード'],
});
const CODE_NOUN_ANYWHERE = new RegExp(CODE_NOUN.source, 'i');
// Words announcing a different number. Compounds with the code noun ("promo code", "booking code",
// "Gutscheincode", "code promo") end where the noun ends or after it, and a tie goes to this list.
const OTHER_NUMBER = wordsRegExp(
  {
    en: [
      String.raw`\border\b`, String.raw`\bbuild\b`, String.raw`\bversion\b`, String.raw`\brelease\b`, String.raw`\bissue\b`, 'pull request',
      String.raw`\binvoice`, 'receipt', 'tracking', 'shipment', 'parcel', 'package', 'reference', String.raw`\bref\b`, 'booking',
      'reservation', 'ticket', 'flight', String.raw`\bseat\b`, String.raw`\bgate\b`, 'account (?:number|id)', String.raw`\bid\b`, 'customer',
      'member', 'patient', String.raw`\bcase\b`, 'phone', String.raw`\btel\b`, String.raw`\bcall\b`, String.raw`\bfax\b`, String.raw`\bzip(?: ?code)?\b`,
      'postal(?: code)?', 'post ?code', 'promo(?:tion(?:al)?)?(?: ?code)?', 'coupon(?: ?code)?', 'voucher(?: ?code)?', 'gift(?: ?code)?',
      'discount(?: ?code)?', 'referral(?: ?code)?', 'error code', 'source code',
      'code (?:review|scanning|coverage|owners|quality|freeze|search|snippet|changes?)', 'qr[- ]code', 'bar ?code', 'area code', 'country code',
      'product code', String.raw`\bending\b`, 'ends in', String.raw`\biban\b`, String.raw`\bno\.`,
    ],
    de: [
      String.raw`\bplz\b`, 'bestellung', 'bestellnummer', 'rechnung', 'kundennummer', 'sendung', 'auftrag', 'gutschein(?:code)?',
      'rabatt(?:code)?', 'aktionscode', 'promocode', 'fehlercode', 'endet auf', String.raw`\bnr\.`,
    ],
    fr: ['commande', 'facture', 'colis', 'suivi', 'référence', 'dossier', 'billet', 'code promo', 'code postal', 'se terminant par', 'n°'],
    es: [
      String.raw`\bcp\b`, 'pedido', 'factura', 'envío', 'seguimiento', 'referencia', 'matrícula', 'teléfono', 'código postal',
      'código de descuento', 'código promocional', 'terminada en', String.raw`n\.º`,
    ],
    ja: ['注文', '受注', '請求', '伝票', '追跡', 'お問い合わせ', '電話', '〒', '口座', 'クーポン(?:コード)?', '割引コード', 'プロモーションコード'],
    any: ['#'],
  },
  String.raw`(?:[ -]?(?:code|number|nummer|numéro|número)\b)?`,
);
const DISCOUNT_AFTER = /^[^\n]{0,40}?(?:%|\boff\b|\bOFF|discount|rabatt|réduction|descuento|割引)/i;
// "Use 482913 to sign in": what the number is for, said after it.
const PURPOSE_AFTER = /^\s*(?:to (?:verify|confirm|sign in|log in|login|continue)|zur (?:anmeldung|bestätigung)|pour (?:vous connecter|confirmer|valider)|para (?:iniciar sesión|confirmar|verificar))/i;
const ACTION_VERB = /\benter\b|\buse\b|\bverify\b|\bconfirm\b|eingeben|verwenden|saisi|utilisez|introduce|\busa\b|入力/i;

// Parts are words of letters and digits; a run holds a digit somewhere. Parts join on a dash, or on
// `.` `,` `/` `:` or a space before another number (so "2026 03:00" and "1 249,00" are one run each).
const RUN = /(?<![0-9A-Za-z])(?:[0-9A-Za-z]+-)*[0-9A-Za-z]*\d[0-9A-Za-z]*(?:-[0-9A-Za-z]+|(?:[.,/:]|[ \u00a0\u202f\u2009](?=\d))[0-9A-Za-z]*\d[0-9A-Za-z]*)*/g;
// The character next to a run that makes it part of something else: `#12345`, `$49`, `L-1855`,
// `••••4417`, `user_1998`; `49€`, `20%`, `2026年`, `35,000円`.
const GLUED_BEFORE = /[-_.,/#$€£¥+•*×@&=]$/;
const MASKED_BEFORE = /[•*]\s?$/;
const GLUED_AFTER = /^(?:[_€£¥%円@]|,-|\s?(?:€|(?:eur|usd|gbp|kg|km|gb|mb|min|uhr)\b|年))/i;
const URL_OR_ADDRESS = /\bhttps?:\/\/\S+|\bwww\.\S+|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;
const YEAR = /^(?:19|20)\d\d$/;
const AROUND = /^[\s【】「」『』[\]()（）*:："'“”«»<>.,。、!！-]*$/;

/** The code a run shows, or null when its shape is not one a code takes. */
function codeShape(run: string): string | null {
  if (/[.,/:]/.test(run)) return null;
  const groups = run.split(/[- \u00a0\u202f\u2009]/);
  const joined = groups.join('');
  if (/^\d+$/.test(joined)) {
    if (groups.length === 1) return joined.length >= 4 && joined.length <= 8 ? joined : null;
    if (groups.every((g) => g.length === 1)) return groups.length >= 4 && groups.length <= 8 && !run.includes('-') ? joined : null;
    const [first, second] = groups;
    const pair = groups.length === 2 && first!.length === second!.length && (first!.length === 3 || first!.length === 4);
    return pair ? run.replace(/[\u00a0\u202f\u2009]/g, ' ') : null;
  }
  // Letters and digits: capitals only (lower case is words, hashes and identifiers), dashes only.
  if (/[a-z ]|[\u00a0\u202f\u2009]/.test(run) || groups.length > 3 || groups.some((g) => g.length < 2)) return null;
  return joined.length >= 4 && joined.length <= 8 && /[A-Z]/.test(joined) ? run : null;
}

/** Where the last match of `pattern` in `text` ends, or -1. */
function lastEnd(pattern: RegExp, text: string): number {
  let end = -1;
  for (const match of text.matchAll(pattern)) end = match.index + match[0].length;
  return end;
}

/**
 * Points from the words before a candidate: a code noun, closer is better, unless a word announcing
 * another number stands nearer and right before it ("card ending in 4417", "Order #58291"); further
 * off, or with its own number in between, it is only part of the sentence ("Ihre TAN für den
 * Auftrag vom … lautet: 482913", "Your code for order 4829103 is 739201").
 */
function wordsBefore(before: string): number {
  const noun = lastEnd(CODE_NOUN, before);
  const other = lastEnd(OTHER_NUMBER, before);
  // The other word names the number right after it: if another number stands between, it is that one's.
  const namesThis = other >= 0 && other >= noun && before.length - other <= OTHER_NUMBER_REACH && !/\d/.test(before.slice(other));
  if (namesThis) return POINTS.otherNumber;
  if (noun < 0) return ACTION_VERB.test(before.slice(-25)) ? POINTS.verbBefore : 0;
  const distance = before.length - noun;
  return distance <= 3 ? POINTS.nounAdjacent : distance <= 25 ? POINTS.nounNear : POINTS.nounInSentence;
}

function wordsAfter(after: string): number {
  if (DISCOUNT_AFTER.test(after)) return POINTS.discountAfter;
  if (PURPOSE_AFTER.test(after)) return POINTS.purposeAfter;
  const window = after.slice(0, 45);
  CODE_NOUN.lastIndex = 0;
  const noun = CODE_NOUN.exec(window);
  if (!noun) return 0;
  OTHER_NUMBER.lastIndex = 0;
  const other = OTHER_NUMBER.exec(window);
  return other && other.index <= noun.index ? 0 : POINTS.nounAfter;
}

interface Scored {
  code: string;
  score: number;
  order: number;
}

/** Points for a candidate alone on its line, from the lines above it: a code noun there is a heading. */
function wordsAbove(above: readonly string[]): number {
  return Math.min(POINTS.headingAbove, wordsBefore(above.join(' ')));
}

/** Every candidate of one text (the subject is a text of one line) with its points. */
function scoreText(text: string, order: { next: number }): Scored[] {
  const found: Scored[] = [];
  let above: string[] = []; // the last two non-empty lines
  for (const line of text.split('\n')) {
    for (const match of line.matchAll(RUN)) {
      const code = codeShape(match[0]);
      if (!code) continue;
      const start = match.index;
      const end = start + match[0].length;
      const before = line.slice(Math.max(0, start - WINDOW), start);
      const after = line.slice(end, end + WINDOW);
      if (GLUED_BEFORE.test(before) || MASKED_BEFORE.test(before) || GLUED_AFTER.test(after)) continue;
      let score = wordsBefore(before) + wordsAfter(after);
      if (AROUND.test(line.slice(0, start)) && AROUND.test(line.slice(end))) score += POINTS.alone + wordsAbove(above);
      if (YEAR.test(code)) score += POINTS.yearLike;
      found.push({ code, score, order: order.next++ });
    }
    if (line.trim()) above = [above[above.length - 1] ?? '', line.slice(-WINDOW * 2)];
  }
  return found;
}

// Japanese mails often set codes in full-width forms (４８２９１３, ＡＢＣ－１２３): read them as ASCII.
const FULL_WIDTH_ASCII = /[\uff01-\uff5e]/g;
function halfWidth(text: string): string {
  return text.replace(FULL_WIDTH_ASCII, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/** One-time codes in the subject and the body texts, most likely first, without duplicates. */
export function findCodes(subject: string, texts: readonly string[], max = MAX_CODES): string[] {
  const order = { next: 0 };
  // URLs and addresses hold numbers that are never shown as a code (a token in a link is the link).
  const plain = [subject.replace(/\n/g, ' '), ...texts].map(halfWidth);
  // Blanking URLs and addresses never makes a code noun appear (a blank is never next to a word
  // character that had no boundary there), so a text without one anywhere is done without it:
  // the blanking is the dearest step of a parse (most mail has no code).
  if (!plain.some((text) => CODE_NOUN_ANYWHERE.test(text))) return [];
  const sources = plain.map((text) => text.replace(URL_OR_ADDRESS, ' '));
  if (!sources.some((text) => CODE_NOUN_ANYWHERE.test(text))) return [];
  const best = new Map<string, { code: string; score: number; order: number; sources: number }>();
  for (const source of sources) {
    const seenHere = new Set<string>();
    for (const scored of scoreText(source, order)) {
      const known = best.get(scored.code);
      if (!known) best.set(scored.code, { ...scored, sources: 1 });
      else {
        known.score = Math.max(known.score, scored.score);
        if (!seenHere.has(scored.code)) known.sources += 1;
      }
      seenHere.add(scored.code);
    }
  }
  return [...best.values()]
    .map((c) => ({ ...c, score: c.score + (c.sources > 1 ? POINTS.repeated : 0) }))
    .filter((c) => c.score >= THRESHOLD)
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, max)
    .map((c) => c.code);
}
