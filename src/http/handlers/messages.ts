/**
 * One message: its full parse (which marks it seen, as opening it in a mail client would; with an
 * ETag, so a client polling it gets `304` while nothing changed: etag.ts), its raw source byte for
 * byte, the SMTP transcript of its delivery, its attachments as downloads, its HTML as a safe
 * document for the web UI's iframe, and deletion.
 */
import { attachmentContent } from '../../mail/parse.js';
import { HttpError, notFound, badParameter } from '../errors.js';
import { integerParam, messageIdParam } from '../params.js';
import type { MessageCache } from '../message-cache.js';
import { contentTag, entityTag, noneMatchHolds } from '../etag.js';
import { jsonParts, messageChunks } from '../message-json.js';
import { noTags } from '../present.js';
import { attachmentDisposition, sendBytes, sendJson, sendJsonChunks, sendNoContent, sendNotModified } from '../reply.js';
import type { Handler, RequestContext } from '../router.js';
import { safeDocument } from '../safe-html.js';

/**
 * The message handler, answering from `cache` what was serialised before (message-cache.ts). A
 * message read from the store is kept before it is marked seen: the `message.flags` event of that
 * very write brings the entry's flags up to date.
 */
export function getMessage(cache: MessageCache): Handler {
  return async ({ params, req, res, app }) => {
    const id = messageIdParam(params.id!);
    const tagsOf = app.tagsOf ?? noTags;
    let entry = cache.get(id);
    if (!entry) {
      const token = cache.token();
      const message = await app.store.get(id);
      if (!message) throw notFound(`message ${id}`);
      const parts = jsonParts(message, tagsOf);
      entry = { ...parts, flags: message.flags, contentTag: contentTag(parts.json) };
      cache.set(id, entry, token);
    }
    let flags = entry.flags;
    if (!flags.includes('seen')) {
      const changed = await app.store.setFlags([id], 'add', ['seen']);
      flags = changed.get(id) ?? [...flags, 'seen'];
    }
    const tags = tagsOf(id);
    const etag = entityTag(entry.contentTag, flags, tags);
    if (noneMatchHolds(req.headers['if-none-match'], etag)) return sendNotModified(res, { ETag: etag });
    sendJsonChunks(res, 200, messageChunks(entry, flags, tags), { ETag: etag });
  };
}

export async function getRaw({ params, res, app }: RequestContext): Promise<void> {
  const id = messageIdParam(params.id!);
  const raw = await app.store.raw(id);
  if (!raw) throw notFound(`message ${id}`);
  // RFC 2046 §5.2.1: message/rfc822; shown as text by browsers only if the reader asks.
  sendBytes(res, 200, raw, { 'Content-Type': 'message/rfc822', 'Content-Disposition': `inline; filename="message-${id}.eml"`, 'Cache-Control': 'no-store' });
}

/**
 * The SMTP session that delivered the message (connection, TLS, every command and reply up to its
 * 250), as JSON. Messages stored before transcripts were kept (schema 4 and older) have none: a
 * 404 that says so, unlike the one for an unknown id.
 */
export async function getTranscript({ params, res, app }: RequestContext): Promise<void> {
  const id = messageIdParam(params.id!);
  const transcript = await app.store.transcript(id);
  if (transcript) return sendJson(res, 200, transcript);
  if (!(await app.store.raw(id))) throw notFound(`message ${id}`);
  throw new HttpError(404, 'not_found', `message ${id} has no SMTP transcript: it was stored before transcripts were kept`);
}

export async function getAttachment({ params, res, app }: RequestContext): Promise<void> {
  const id = messageIdParam(params.id!);
  if (!/^[0-9]{1,5}$/.test(params.index!)) throw badParameter('index', 'must be a whole number');
  const index = Number(params.index);
  const message = await app.store.get(id);
  if (!message) throw notFound(`message ${id}`);
  const info = message.parsed.attachments[index];
  const raw = info ? await app.store.raw(id) : null;
  const content = raw ? await attachmentContent(raw, index) : null;
  if (!info || !content) throw notFound(`attachment ${index} of message ${id}`);
  // Always a download, never rendered here: an HTML or SVG attachment must not run on our origin.
  sendBytes(res, 200, content, {
    'Content-Type': safeContentType(info.contentType),
    'Content-Disposition': attachmentDisposition(info.filename ?? `attachment-${index}`),
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Cache-Control': 'private, max-age=3600',
  });
}

/** The HTML part as a sanitised document with its CSP (see safe-html.ts); `?remote=1` lets remote images and CSS load. */
export async function getHtml({ params, query, res, app }: RequestContext): Promise<void> {
  const id = messageIdParam(params.id!);
  const allowRemote = integerParam(query, 'remote', 0, 0, 1) === 1;
  const message = await app.store.get(id);
  if (!message) throw notFound(`message ${id}`);
  const html = message.parsed.html || `<pre>${escapeHtml(message.parsed.text)}</pre>`;
  const doc = safeDocument(id, html, message.parsed.attachments, allowRemote);
  sendBytes(res, 200, doc.html, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': doc.contentSecurityPolicy,
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-store',
  });
}

export async function deleteMessage({ params, res, app }: RequestContext): Promise<void> {
  const id = messageIdParam(params.id!);
  const deleted = await app.store.delete([id]);
  if (deleted.length === 0) throw notFound(`message ${id}`);
  sendNoContent(res);
}

/** A declared type we pass on only if it is a plain `type/subtype`; parameters and oddities become octet-stream. */
function safeContentType(type: string): string {
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i.test(type) ? type.toLowerCase() : 'application/octet-stream';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
