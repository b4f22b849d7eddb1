/**
 * What a QA engineer waits for in a sign-up mail: the links and the one-time code, plus the plain
 * text and preview of an HTML-only mail. Pure functions over already-decoded text and HTML.
 *
 * The HTML is read once by a real tokenizer (htmlparser2, the one sanitize-html uses), never by
 * regexes: `<script>`, `<style>`, `<title>` and `<template>` content is skipped, entities are decoded
 * as a browser decodes them, and the only URLs taken from the markup are `<a href>` targets, so
 * code, event handlers and image sources cannot turn into "links". parse.ts asks for the text and
 * the links of the same HTML one after the other; the last reading is kept so that costs one pass.
 *
 * The ranking rules live in links.ts and codes.ts.
 */
import { Parser } from 'htmlparser2';
import { findCodes } from './codes.js';
import { rankLinks, type Anchor } from './links.js';

export { MAX_LINKS } from './links.js';
export { MAX_CODES } from './codes.js';

interface HtmlReading {
  text: string;
  anchors: Anchor[];
}

/** Elements whose content is never shown as text. */
const HIDDEN = new Set(['script', 'style', 'title', 'template']);
/** Elements that start a new line of text (HTML's block-level and line-breaking elements). */
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'caption', 'center', 'dd', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section', 'table', 'tr', 'ul',
]);
/** Table cells sit side by side: a space between them, not a line. */
const CELL = new Set(['td', 'th']);
const BEFORE_CHARS = 160;
// Zero-width characters that preheaders are padded with (&zwnj; &#8203; &#65279; &#847;).
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u034f\u00ad]/g;

function readHtmlOnce(html: string): HtmlReading {
  const chunks: string[] = [];
  const anchors: Anchor[] = [];
  let hiddenDepth = 0;
  let anchor: Anchor | null = null;
  let recent = '';
  const emit = (chunk: string): void => {
    chunks.push(chunk);
    recent = (recent + chunk).slice(-BEFORE_CHARS);
  };
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (HIDDEN.has(name)) hiddenDepth++;
        if (hiddenDepth > 0) return;
        if (BLOCK.has(name)) emit('\n');
        else if (CELL.has(name)) emit(' ');
        if (name === 'a') {
          if (anchor) anchors.push(anchor);
          anchor = attributes.href === undefined ? null : { href: attributes.href, text: '', before: recent };
        } else if (name === 'img' && anchor && attributes.alt) anchor.text += ` ${attributes.alt} `;
      },
      ontext(data) {
        if (hiddenDepth > 0) return;
        emit(data);
        if (anchor) anchor.text += data;
      },
      onclosetag(name) {
        if (HIDDEN.has(name)) {
          hiddenDepth = Math.max(0, hiddenDepth - 1);
          return;
        }
        if (hiddenDepth > 0) return;
        if (BLOCK.has(name)) emit('\n');
        else if (CELL.has(name)) emit(' ');
        if (name === 'a' && anchor) {
          anchors.push(anchor);
          anchor = null;
        }
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  if (anchor) anchors.push(anchor);
  for (const a of anchors) a.text = a.text.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
  return { text: tidyText(chunks.join('')), anchors };
}

/** Collapse HTML whitespace the way it renders: runs of spaces become one, blank lines go. */
function tidyText(raw: string): string {
  return raw
    .replace(INVISIBLE, '')
    .split('\n')
    .map((line) => line.replace(/[\s\u00a0]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

let lastHtml: string | null = null;
let lastReading: HtmlReading = { text: '', anchors: [] };

function readHtml(html: string): HtmlReading {
  if (html !== lastHtml) {
    lastReading = readHtmlOnce(html);
    lastHtml = html;
  }
  return lastReading;
}

/** http(s) links from `<a href>` targets and from URLs in the text, deduplicated, the likely action link first, at most `max`. */
export function extractLinks(text: string, html: string, max?: number): string[] {
  return rankLinks(text, html ? readHtml(html).anchors : [], max);
}

/**
 * One-time codes found in the subject and the body text, most likely first, without duplicates.
 * With `html`, the HTML's own text is searched too when the text part shows no code (a text part
 * that only says "view this mail in HTML", or none at all).
 */
export function extractCodes(subject: string, text: string, html = ''): string[] {
  const codes = findCodes(subject, [text]);
  if (codes.length > 0 || !html) return codes;
  return findCodes(subject, [text, readHtml(html).text]);
}

/** Plain text from HTML for previews and search when a message has no text part. */
export function htmlToText(html: string): string {
  return readHtml(html).text;
}

/**
 * The first `maxChars` of the text with its white space folded. Only a prefix long enough is
 * folded (a whole body folded only to keep its start was a sixth of a parse): once the folded
 * prefix is longer than `maxChars`, the rest cannot change what is kept.
 */
export function previewOf(text: string, maxChars = 200): string {
  for (let window = maxChars * 4; ; window *= 4) {
    const whole = window >= text.length;
    const flat = (whole ? text : text.slice(0, window)).replace(/\s+/g, ' ').trim();
    if (flat.length > maxChars) return `${flat.slice(0, maxChars - 1)}…`;
    if (whole) return flat;
  }
}
