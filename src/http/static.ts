/**
 * The web UI: static files built from `web/` by `npm run build` into `dist/web`, read into
 * memory once at start (a few tens of kilobytes) and served with an ETag. Every page of the
 * single-page app (`/`, `/inbox/{name}`, `/message/{id}`) is the same `index.html`, into which
 * the domain to show in addresses is written at start (the first of --domains, else --hostname).
 *
 * The UI's own CSP allows only this origin: no inline script, no CDN, frames only from here
 * (the sandboxed message view).
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.js';
import { notFound } from './errors.js';
import { sendBytes } from './reply.js';
import type { RequestContext } from './router.js';

export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));

const UI_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
};

interface Asset {
  body: Buffer;
  headers: Record<string, string>;
}

export class StaticFiles {
  private readonly assets = new Map<string, Asset>();
  private readonly index: Asset;

  constructor(config: Pick<Config, 'domains' | 'hostname'>, root = WEB_ROOT) {
    const domain = config.domains[0] ?? config.hostname;
    if (existsSync(root)) {
      for (const file of walk(root)) {
        const path = relative(root, file).split('\\').join('/');
        let body = readFileSync(file);
        if (path === 'index.html') body = Buffer.from(body.toString('utf8').replace('%TIDEMAIL_DOMAIN%', escapeAttribute(domain)));
        this.assets.set(path, asset(body, TYPES[extname(path)] ?? 'application/octet-stream'));
      }
    }
    this.index =
      this.assets.get('index.html') ??
      asset(Buffer.from('<!doctype html><title>Tidemail</title><p>The web UI is not built: run <code>npm run build</code>.</p>'), TYPES['.html']!);
  }

  page = ({ req, res }: RequestContext): void => this.send(req.headers['if-none-match'], res, this.index);

  file = ({ req, res, params }: RequestContext): void => {
    const found = this.assets.get(`assets/${params.rest}`);
    if (!found) throw notFound('file');
    this.send(req.headers['if-none-match'], res, found);
  };

  private send(ifNoneMatch: string | undefined, res: RequestContext['res'], found: Asset): void {
    if (ifNoneMatch === found.headers.ETag) {
      res.writeHead(304, { ETag: found.headers.ETag! });
      res.end();
      return;
    }
    sendBytes(res, 200, found.body, found.headers);
  }
}

function asset(body: Buffer, type: string): Asset {
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return {
    body,
    headers: { 'Content-Type': type, ETag: etag, 'Cache-Control': 'no-cache', 'Content-Security-Policy': UI_CSP, 'Referrer-Policy': 'no-referrer' },
  };
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
