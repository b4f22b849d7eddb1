/**
 * The full MIME parse of a stored message, by postal-mime, into our `ParsedBody`: the one
 * decoding of bodies (transfer encodings and charsets of the inline text parts, see decode.ts), whose
 * text the message JSON shows, the search index holds and IMAP SEARCH matches.
 * Hostile or malformed MIME never throws out of here: the worst case is a body with no parts,
 * and the raw bytes are kept untouched by the store whatever happens.
 */
import PostalMime, { type Attachment } from 'postal-mime';
import { extractCodes, extractLinks, htmlToText, previewOf } from './extract.js';
import { unfoldHeaders } from './header-block.js';
import type { AttachmentInfo, ParsedBody } from './model.js';

function attachmentSize(content: Attachment['content']): number {
  if (typeof content === 'string') return Buffer.byteLength(content);
  return content.byteLength;
}

function describe(attachments: Attachment[]): AttachmentInfo[] {
  return attachments.map((a, index) => ({
    index,
    filename: a.filename ?? null,
    contentType: a.mimeType || 'application/octet-stream',
    size: attachmentSize(a.content),
    contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
    disposition: a.disposition === 'inline' ? 'inline' : 'attachment',
  }));
}

function fallbackHeaders(raw: Buffer): ParsedBody['headers'] {
  return unfoldHeaders(raw).map(([name, value]) => ({ name, value }));
}

export async function parseBody(raw: Buffer, subject: string): Promise<ParsedBody> {
  try {
    const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
    const html = email.html ?? '';
    const text = email.text ?? (html ? htmlToText(html) : '');
    return {
      headers: email.headers.map((h) => ({ name: h.key, value: h.value })),
      text,
      html,
      attachments: describe(email.attachments),
      links: extractLinks(text, html),
      codes: extractCodes(subject, text),
      preview: previewOf(text),
    };
  } catch {
    return { headers: fallbackHeaders(raw), text: '', html: '', attachments: [], links: [], codes: [], preview: '' };
  }
}

/** The bytes of one attachment, by its index in `ParsedBody.attachments`; null if there is none. */
export async function attachmentContent(raw: Buffer, index: number): Promise<Buffer | null> {
  try {
    const email = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' });
    const attachment = email.attachments[index];
    if (!attachment) return null;
    const { content } = attachment;
    return typeof content === 'string' ? Buffer.from(content) : Buffer.from(content as ArrayBuffer);
  } catch {
    return null;
  }
}
