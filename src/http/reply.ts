/**
 * Writing responses. Every response carries `X-Content-Type-Options: nosniff` so a browser never
 * second-guesses a type we chose (an attachment is never rendered as HTML because it looks like it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';

/** Request bodies (the JSON of the rules API, release and the queue's operations) are read up to this; a larger one is refused with 413. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store' };

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...JSON_HEADERS, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** A JSON body already serialised (the error shape, pre-built documents). */
export function sendJsonText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...JSON_HEADERS, ...headers, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * `text` as UTF-8 in a buffer of its own, for a cache to keep: `Buffer.from` hands out slices of a
 * shared 8 KiB pool for short texts, and one kept slice would keep its whole pool alive.
 */
export function ownBytes(text: string): Buffer {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  return bytes;
}

/** A JSON body already encoded (a cached page or message: listing-cache.ts, message-cache.ts). */
export function sendJsonBytes(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { ...JSON_HEADERS, 'Content-Length': body.length });
  res.end(body);
}

/** A JSON body in pieces (message-json.ts), sent in one write: `end` flushes the corked pieces together. */
export function sendJsonChunks(res: ServerResponse, status: number, chunks: ReadonlyArray<Buffer | string>, headers: Record<string, string> = {}): void {
  let length = 0;
  for (const chunk of chunks) length += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
  res.writeHead(status, { ...JSON_HEADERS, ...headers, 'Content-Length': length });
  res.cork();
  for (let i = 0; i < chunks.length - 1; i++) res.write(chunks[i]);
  res.end(chunks[chunks.length - 1]);
}

export function sendBytes(res: ServerResponse, status: number, body: Buffer | string, headers: Record<string, string>): void {
  res.writeHead(status, { 'X-Content-Type-Options': 'nosniff', ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** RFC 9110 §15.4.5: a 304 carries the headers the 200 would have, its validator among them, and no body. */
export function sendNotModified(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(304, { 'X-Content-Type-Options': 'nosniff', 'Cache-Control': 'no-store', ...headers });
  res.end();
}

export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204, { 'Cache-Control': 'no-store' });
  res.end();
}

/**
 * Read the request body, if any, before we answer (so keep-alive stays in step; handlers that
 * take none ignore it) and refuse one too large to bother with. Resolves at once for the usual
 * bodiless GET.
 */
export function drainBody(req: IncomingMessage): Promise<Buffer> {
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if ((declared === undefined || declared === '0') && !chunked) return Promise.resolve(Buffer.alloc(0));
  if (declared !== undefined && Number(declared) > MAX_REQUEST_BODY_BYTES) {
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    let received = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
      if (received > MAX_REQUEST_BODY_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge());
      }
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', () => reject(new HttpError(400, 'bad_request', 'request body could not be read')));
  });
}

function tooLarge(): HttpError {
  return new HttpError(413, 'payload_too_large', `request bodies are limited to ${MAX_REQUEST_BODY_BYTES} bytes`);
}

/** RFC 6266 filename parameters: an ASCII fallback plus the exact name in RFC 8187 encoding. */
export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'attachment';
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
