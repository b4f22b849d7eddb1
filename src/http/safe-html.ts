/**
 * Hostile mail is shown, never run. The HTML part of a message is served to the web UI's
 * sandboxed iframe as a document of its own, defended three times over:
 *
 * 1. sanitize-html keeps formatting only: no script, no event handler attributes, no
 *    `javascript:`/`vbscript:` URLs, no forms, frames, objects, `<base>`, `<meta refresh>` or
 *    `<link>`; links open in a new tab with no referrer.
 * 2. The response carries a Content-Security-Policy (CSP Level 3) with `default-src 'none'`, no
 *    script source at all, and its own `sandbox` directive, so even opened directly in a tab the
 *    document runs no script and has an opaque origin.
 * 3. The UI's iframe is `sandbox` without `allow-scripts` and without `allow-same-origin`.
 *
 * Remote content (images, CSS, fonts on other hosts) is a tracking beacon: until the reader asks
 * for it (`?remote=1`), the CSP allows images and fonts only from `data:` and this server (inline
 * `cid:` parts, which we rewrite to their attachment URL), so the browser makes no outside request.
 */
import sanitizeHtml from 'sanitize-html';
import type { AttachmentInfo, MessageId } from '../store/types.js';

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags.filter((t) => t !== 'iframe'),
  'img', 'style', 'font', 'center', 'span', 'u', 's', 'small', 'big', 'hr',
];

const ALLOWED_ATTRIBUTES = [
  'style', 'class', 'id', 'title', 'align', 'valign', 'width', 'height', 'bgcolor', 'background', 'border', 'color', 'face',
  'size', 'dir', 'lang', 'cellpadding', 'cellspacing', 'colspan', 'rowspan', 'nowrap',
];

export interface SafeDocument {
  html: string;
  contentSecurityPolicy: string;
}

const BASE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox";

export function contentSecurityPolicy(allowRemote: boolean): string {
  const remote = allowRemote ? ' http: https:' : '';
  return `${BASE_CSP}; img-src 'self' data:${remote}; style-src 'unsafe-inline'${remote}; font-src data:${remote}; media-src 'none'`;
}

/** The message's HTML as a standalone, sanitised document plus the CSP to serve it under. */
export function safeDocument(id: MessageId, html: string, attachments: AttachmentInfo[], allowRemote: boolean): SafeDocument {
  const byContentId = new Map(attachments.filter((a) => a.contentId).map((a) => [a.contentId!.toLowerCase(), a.index]));
  const clean = sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: { '*': ALLOWED_ATTRIBUTES, a: ['href', 'name', 'target', 'rel'], img: ['src', 'alt'] },
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'data', 'cid'] },
    allowProtocolRelative: false,
    allowVulnerableTags: true, // <style> is allowed; with no script anywhere, CSS can only style (and CSP gates its URLs)
    nonTextTags: ['script', 'textarea', 'option', 'title', 'noscript'],
    transformTags: {
      '*': (tagName, attribs) => ({ tagName, attribs: allowRemote ? attribs : withoutRemoteSources(attribs) }),
      a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, target: '_blank', rel: 'noopener noreferrer' } }),
      img: (tagName, attribs) => {
        const src = attribs.src ?? '';
        if (!/^cid:/i.test(src)) return { tagName, attribs };
        const index = byContentId.get(decodeCid(src.slice(4)).toLowerCase());
        const rewritten: sanitizeHtml.Attributes = { ...attribs };
        if (index === undefined) delete rewritten.src;
        else rewritten.src = `/api/v1/messages/${id}/attachments/${index}`;
        return { tagName, attribs: rewritten };
      },
    },
  });
  const body = allowRemote ? clean : withoutRemoteCss(clean);
  const document =
    '<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">' +
    '<style>body{margin:0;padding:12px;font:15px/1.45 system-ui,sans-serif;color:#111;background:#fff;overflow-wrap:anywhere}img{max-width:100%;height:auto}</style>' +
    `</head><body>${body}</body></html>`;
  return { html: document, contentSecurityPolicy: contentSecurityPolicy(allowRemote) };
}

const REMOTE_URL = /^\s*(?:https?:)?\/\//i;
const SOURCE_ATTRIBUTES = ['src', 'srcset', 'background', 'poster'];

/** Blocked remote content is not even attempted: remote image sources are dropped (the alt text shows). */
function withoutRemoteSources(attribs: sanitizeHtml.Attributes): sanitizeHtml.Attributes {
  if (!SOURCE_ATTRIBUTES.some((name) => REMOTE_URL.test(attribs[name] ?? ''))) return attribs;
  const kept: sanitizeHtml.Attributes = {};
  for (const [name, value] of Object.entries(attribs)) if (!(SOURCE_ATTRIBUTES.includes(name) && REMOTE_URL.test(value))) kept[name] = value;
  return kept;
}

// Remote url(...) and @import in <style> and style="" (quotes may be entity-encoded in attributes).
// Not a CSS parser: the CSP is what guarantees nothing loads; this only spares the browser the attempt.
const QUOTE = `(?:["']|&quot;|&#39;|&#x27;)?`;
const REMOTE_CSS_URL = new RegExp(`url\\(\\s*${QUOTE}\\s*(?:https?:)?//[^)]*\\)`, 'gi');
const REMOTE_IMPORT = new RegExp(`@import\\s+(?:url\\()?\\s*${QUOTE}\\s*(?:https?:)?//[^;]*;?`, 'gi');

function withoutRemoteCss(html: string): string {
  return html.replace(REMOTE_IMPORT, '').replace(REMOTE_CSS_URL, 'none');
}

function decodeCid(text: string): string {
  try {
    return decodeURIComponent(text).replace(/^<|>$/g, '');
  } catch {
    return text;
  }
}
