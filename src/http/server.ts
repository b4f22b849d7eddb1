/**
 * The HTTP shell: node's HTTP/1.1 parser fed by the shared TCP listener (protocol/tcp-server.ts),
 * so HTTP gets the same per-IP and total connection limits and graceful close as SMTP, POP3 and
 * IMAP. Each request is split into path and query without `new URL` (a path like `//x` must not
 * turn into a host), routed by the table in routes.ts, and every failure becomes the one error
 * shape of errors.ts. Parse errors (bad method, malformed request line, headers over
 * MAX_HEADER_BYTES → 431, RFC 6585 §5) are answered on the socket and never reach a handler.
 *
 * At shutdown, idle keep-alive connections are closed at once, long polls answer 204 and event
 * streams end, so a graceful stop does not wait out the grace period for readers.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { HttpDeps } from './deps.js';
import { startTcpServer, type RunningServer } from '../protocol/tcp-server.js';
import { HttpError, errorBody, rawErrorResponse, type ErrorCode } from './errors.js';
import { drainBody, sendJsonText } from './reply.js';
import { Router, type RequestContext } from './router.js';
import { routes } from './routes.js';

export const MAX_HEADER_BYTES = 16 * 1024;
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

const CLIENT_ERRORS: Record<string, [number, string, ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'headers_too_large', `request headers are limited to ${MAX_HEADER_BYTES} bytes`],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'bad_request', 'the request took too long to arrive'],
};

export async function startHttpServer(context: HttpDeps): Promise<RunningServer> {
  const router = new Router(routes(context));
  const stopping = new AbortController();
  const server = http.createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS },
    (req, res) => handle(req, res),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const [status, reason, code, message] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad Request', 'bad_request', 'malformed HTTP request'];
    if (socket.writable && !socket.destroyed) socket.end(rawErrorResponse(status, reason, code, message));
    else socket.destroy();
  });

  // CONNECT (a proxy tunnel) is not something this server does (RFC 9110 §9.3.6).
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => {});
    socket.end(rawErrorResponse(405, 'Method Not Allowed', 'method_not_allowed', 'CONNECT is not supported'));
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    if (stopping.signal.aborted) res.setHeader('Connection', 'close');
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      let path = q === -1 ? url : url.slice(0, q);
      if (path.charCodeAt(0) !== 47 /* / */) path = absoluteFormPath(path);
      const match = router.match(req.method ?? '', path);
      const request: RequestContext = {
        req,
        res,
        params: match.params,
        query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
        app: context,
        body: Buffer.alloc(0),
        shutdown: stopping.signal,
      };
      const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
      const done = hasBody ? drainBody(req).then((body) => match.handler({ ...request, body })) : match.handler(request);
      if (done) done.catch((error: unknown) => fail(res, error));
    } catch (error) {
      fail(res, error);
    }
  }

  function fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (error instanceof HttpError) {
      if (error.status === 413) res.setHeader('Connection', 'close');
      sendJsonText(res, error.status, errorBody(error.code, error.message), error.headers);
      return;
    }
    context.log.error({ err: String(error), stack: (error as Error)?.stack }, 'http handler failed');
    sendJsonText(res, 500, errorBody('internal_error', 'the server could not answer this request'));
  }

  let closingIdle = false;
  return startTcpServer({
    name: 'http',
    listen: context.config.http,
    limits: { maxConnections: context.config.maxConnections, maxConnectionsPerIp: context.config.maxConnectionsPerIp },
    busyReply: () => rawErrorResponse(503, 'Service Unavailable', 'unavailable', 'too many connections; try again shortly'),
    onConnection: (socket) => {
      context.metrics.sessionsOpen.inc({ protocol: 'http' });
      socket.once('close', () => context.metrics.sessionsOpen.dec({ protocol: 'http' }));
      server.emit('connection', socket);
    },
    onShutdown: () => {
      if (closingIdle) return;
      closingIdle = true;
      stopping.abort();
      server.closeIdleConnections();
    },
  });
}

/** RFC 9112 §3.2.2: a server must accept the absolute form (`GET http://host/path`); we use only its path. */
function absoluteFormPath(target: string): string {
  try {
    const parsed = new URL(target);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.pathname;
  } catch {
    // fall through
  }
  throw new HttpError(400, 'bad_request', 'the request target must be a path such as /api/v1/...');
}
