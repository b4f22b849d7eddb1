/**
 * Every error the HTTP layer answers has one shape, `{ error: { code, message } }`, and the
 * status RFC 9110 §15 gives it: 400 for a malformed parameter, 404 for an unknown resource,
 * 405 (with `Allow`, §15.5.6) for a known path with a method it lacks, 413 (§15.5.14) for a
 * body larger than we read. Handlers throw `HttpError`; the server turns it into the reply, and
 * anything else into a 500 that does not leak internals.
 */

export type ErrorCode =
  | 'bad_request'
  | 'invalid_inbox'
  | 'invalid_parameter'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'internal_error'
  | 'unavailable'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Extra response headers (e.g. `Allow` on 405). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function errorBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export const badParameter = (name: string, expected: string): HttpError =>
  new HttpError(400, 'invalid_parameter', `parameter "${name}" ${expected}`);

export const notFound = (what: string): HttpError => new HttpError(404, 'not_found', `${what} not found`);

/** A whole raw HTTP/1.1 error response, for when there is no request object (parse errors, busy). */
export function rawErrorResponse(status: number, reason: string, code: ErrorCode, message: string): string {
  const body = errorBody(code, message);
  return (
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}
