/**
 * One webhook request: POST the body with its signed headers and say what came back. A 2xx is
 * delivered; any other status, a connection failure or no complete answer within the timeout
 * is a failure to retry. Redirects are not followed (a 3xx is a failure): a receiver that moved
 * is configured anew, never followed silently with a signed body.
 *
 * The timeout runs on the injected clock, so a unit test drives a slow receiver past it
 * without waiting ten real seconds. The response body is read (so the socket can be reused)
 * and dropped past a few KiB.
 */
import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../clock.js';

export interface PostResult {
  status: number | null;
  error: string | null;
  latencyMs: number;
}

export type Post = (url: string, headers: Record<string, string>, body: string) => Promise<PostResult>;

const MAX_RESPONSE_BYTES = 16 * 1024;

export function httpPost(clock: Clock, timeoutMs: number): Post {
  return (url, headers, body) =>
    new Promise<PostResult>((resolve) => {
      const started = clock.now();
      const target = new URL(url);
      const client = target.protocol === 'https:' ? https : http;
      let settled = false;
      const finish = (status: number | null, error: string | null): void => {
        if (settled) return;
        settled = true;
        timer.cancel();
        resolve({ status, error, latencyMs: clock.now() - started });
      };
      const req = client.request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Tidemail-Webhooks', ...headers, 'content-length': String(Buffer.byteLength(body)) },
      });
      const timer = clock.after(timeoutMs, () => {
        finish(null, `no answer within ${timeoutMs} ms`);
        req.destroy();
      });
      req.on('error', (error: NodeJS.ErrnoException) => finish(null, error.code ?? error.message));
      req.on('response', (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) res.destroy();
        });
        res.on('close', () => finish(res.statusCode ?? null, null));
        res.on('error', () => finish(res.statusCode ?? null, null));
      });
      req.end(body);
    });
}
