/**
 * Signing as the Standard Webhooks convention does (standardwebhooks.com): the signed content is
 * `${id}.${timestamp}.${body}`, the signature `v1,` + base64 HMAC-SHA256 of it under the secret,
 * sent in `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`. A receiver
 * rejects a timestamp far from its clock (replay) and dedupes on `webhook-id` (at-least-once).
 * Used by webhooks and by the `http` agent kind, so a receiver checks both the same way.
 *
 * A secret given as `whsec_<base64>` (the convention's form) is the decoded bytes; any other
 * string is used as its UTF-8 bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

function secretBytes(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

export function signature(secret: string, id: string, timestampS: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secretBytes(secret));
  mac.update(`${id}.${timestampS}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

export function signedHeaders(secret: string, id: string, timestampS: number, body: string | Buffer): SignedHeaders {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestampS), 'webhook-signature': signature(secret, id, timestampS, body) };
}

/** Whether one of the space-separated `v1,…` signatures in `header` is this body's (constant-time compare). */
export function verify(secret: string, id: string, timestampS: number, body: string | Buffer, header: string): boolean {
  const expected = Buffer.from(signature(secret, id, timestampS, body));
  return header.split(' ').some((candidate) => {
    const given = Buffer.from(candidate);
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
