/**
 * The route table as data: each route is a method, a path pattern with `{name}` segments and a
 * handler. One dispatcher answers 404 for a path no route knows and 405 with `Allow` (RFC 9110
 * §15.5.6) for a known path asked with a method it lacks, so no handler repeats those checks.
 * HEAD is answered by the GET handler (node omits the body, RFC 9110 §9.3.2).
 *
 * Paths are matched segment by segment on the raw (still percent-encoded) path, and each
 * parameter is decoded once; a segment that does not decode is a 400, not a crash.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpDeps } from './deps.js';
import { HttpError } from './errors.js';

export type Method = 'GET' | 'DELETE' | 'POST';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** Decoded `{name}` segments of the path. */
  params: Record<string, string>;
  query: URLSearchParams;
  app: HttpDeps;
  /** The request body as read (at most MAX_REQUEST_BODY_BYTES); empty when there is none. */
  body: Buffer;
  /** Aborted when the server shuts down: long-lived responses (wait, SSE) end on it. */
  shutdown: AbortSignal;
}

export type Handler = (request: RequestContext) => Promise<void> | void;

export interface Route {
  method: Method;
  /** e.g. `/api/v1/messages/{id}/raw`; a final `{*rest}` matches the remaining path. */
  path: string;
  handler: Handler;
}

interface CompiledRoute extends Route {
  segments: string[];
  rest: boolean;
}

export interface Match {
  handler: Handler;
  params: Record<string, string>;
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: Route[]) {
    this.routes = routes.map((route) => {
      const segments = route.path.split('/').slice(1);
      const rest = segments.at(-1)?.startsWith('{*') ?? false;
      return { ...route, segments: rest ? segments.slice(0, -1) : segments, rest };
    });
  }

  /** The handler for `method` on `path` (no query string), or an HttpError to answer. */
  match(method: string, path: string): Match {
    const parts = path.split('/').slice(1);
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route, parts);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params };
      allowed.add(route.method);
      if (route.method === 'GET') allowed.add('HEAD');
    }
    if (allowed.size === 0) throw new HttpError(404, 'not_found', `no such resource: ${path.slice(0, 200)}`);
    const allow = [...allowed].join(', ');
    throw new HttpError(405, 'method_not_allowed', `${method.slice(0, 20)} is not allowed here; allowed: ${allow}`, { Allow: allow });
  }
}

function matchSegments(route: CompiledRoute, parts: string[]): Record<string, string> | null {
  if (route.rest ? parts.length < route.segments.length : parts.length !== route.segments.length) return null;
  let params: Record<string, string> | null = null;
  for (let i = 0; i < route.segments.length; i++) {
    const pattern = route.segments[i]!;
    const part = parts[i]!;
    if (pattern.charCodeAt(0) === 123 /* { */) {
      if (part === '') return null;
      (params ??= {})[pattern.slice(1, -1)] = decodeSegment(part);
    } else if (pattern !== part) {
      return null;
    }
  }
  params ??= {};
  if (route.rest) params.rest = parts.slice(route.segments.length).join('/');
  return params;
}

function decodeSegment(part: string): string {
  if (!part.includes('%')) return part;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, 'bad_request', 'malformed percent-encoding in the path');
  }
}
