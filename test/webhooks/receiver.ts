/**
 * A webhook receiver for the tests: a real node:http server on loopback that checks every
 * request's Standard Webhooks signature (src/webhooks/sign.ts `verify`) and answers as the test
 * scripts it: a status, or `hold` (no answer until the test releases it: a slow receiver).
 * Requests are announced as they arrive, so tests wait on them, never on sleeps.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../src/webhooks/sign.js';

export interface ReceivedHook {
  id: string;
  timestamp: number;
  signatureValid: boolean;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, unknown> };
  path: string;
}

export type Answer = number | 'hold';

export class HookReceiver {
  readonly received: ReceivedHook[] = [];
  /** Answers for the next requests, in order; when empty, 200. */
  readonly script: Answer[] = [];
  private readonly held: http.ServerResponse[] = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private server: http.Server | null = null;
  port = 0;

  constructor(private readonly secret: string) {}

  async listen(port = 0): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const id = String(req.headers['webhook-id'] ?? '');
        const timestamp = Number(req.headers['webhook-timestamp'] ?? NaN);
        const signatureValid = verify(this.secret, id, timestamp, body, String(req.headers['webhook-signature'] ?? ''));
        this.received.push({ id, timestamp, signatureValid, body, json: JSON.parse(body) as ReceivedHook['json'], path: req.url ?? '' });
        const answer = this.script.shift() ?? 200;
        if (answer === 'hold') this.held.push(res);
        else res.writeHead(answer).end();
        this.waiters = this.waiters.filter((w) => (this.received.length >= w.count ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  /** Resolves once `count` requests in all have arrived. */
  requests(count: number, timeoutMs = 20_000): Promise<ReceivedHook[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`webhook receiver: ${this.received.length} of ${count} requests arrived`)), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve(this.received);
      };
      if (this.received.length >= count) done();
      else this.waiters.push({ count, resolve: done });
    });
  }

  /** Answer every held request with `status`. */
  release(status = 200): void {
    for (const res of this.held.splice(0)) res.writeHead(status).end();
  }

  get heldCount(): number {
    return this.held.length;
  }

  async close(): Promise<void> {
    for (const res of this.held.splice(0)) res.destroy();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }
}
