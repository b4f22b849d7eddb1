/**
 * Incremental HTTP/1.1 response reader for the keep-alive load generator (RFC 9112): bytes in,
 * whole responses out. Understands Content-Length and chunked bodies (§6, §7.1) and the
 * bodiless statuses (1xx, 204, 304); a response that could only end at connection close is
 * refused, since a keep-alive benchmark cannot measure it. Errors are thrown, never guessed at.
 */

export interface HttpResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

export class HttpProtocolError extends Error {}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
const MAX_HEAD_BYTES = 64 * 1024;

type Phase =
  | { kind: 'head' }
  | { kind: 'length'; left: number }
  | { kind: 'chunk-size' }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-end' }
  | { kind: 'trailer' };

export class HttpResponseReader {
  private buffer: Buffer = Buffer.alloc(0);
  private phase: Phase = { kind: 'head' };
  private status = 0;
  private headers = new Map<string, string>();
  private parts: Buffer[] = [];

  push(chunk: Buffer, out: HttpResponse[]): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    while (this.step(out));
  }

  /** Advance one phase if the buffer allows; false when more bytes are needed. */
  private step(out: HttpResponse[]): boolean {
    const phase = this.phase;
    switch (phase.kind) {
      case 'head': {
        const end = this.buffer.indexOf(HEAD_END);
        if (end === -1) {
          if (this.buffer.length > MAX_HEAD_BYTES) throw new HttpProtocolError('response head too long');
          return false;
        }
        this.head(this.buffer.toString('latin1', 0, end), out);
        this.buffer = this.buffer.subarray(end + HEAD_END.length);
        return true;
      }
      case 'length':
      case 'chunk-data': {
        if (this.buffer.length === 0) return false;
        const take = Math.min(phase.left, this.buffer.length);
        this.parts.push(this.buffer.subarray(0, take));
        this.buffer = this.buffer.subarray(take);
        phase.left -= take;
        if (phase.left > 0) return false;
        if (phase.kind === 'length') this.finish(out);
        else this.phase = { kind: 'chunk-end' };
        return true;
      }
      case 'chunk-size': {
        const end = this.buffer.indexOf(CRLF);
        if (end === -1) return false;
        const size = parseInt(this.buffer.toString('latin1', 0, end).split(';', 1)[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) throw new HttpProtocolError('bad chunk size');
        this.buffer = this.buffer.subarray(end + 2);
        this.phase = size === 0 ? { kind: 'trailer' } : { kind: 'chunk-data', left: size };
        return true;
      }
      case 'chunk-end':
      case 'trailer': {
        // After chunk data comes a bare CRLF; after the last chunk, trailer lines up to an empty one.
        const end = this.buffer.indexOf(CRLF);
        if (end === -1) return false;
        const empty = end === 0;
        this.buffer = this.buffer.subarray(end + 2);
        if (phase.kind === 'chunk-end') {
          if (!empty) throw new HttpProtocolError('chunk data not followed by CRLF');
          this.phase = { kind: 'chunk-size' };
        } else if (empty) {
          this.finish(out);
        }
        return true;
      }
    }
  }

  private head(text: string, out: HttpResponse[]): void {
    const [statusLine, ...lines] = text.split('\r\n');
    const match = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine!);
    if (!match) throw new HttpProtocolError(`bad status line ${JSON.stringify(statusLine!.slice(0, 80))}`);
    this.status = Number(match[1]);
    this.headers = new Map();
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new HttpProtocolError(`bad header line ${JSON.stringify(line.slice(0, 80))}`);
      this.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    this.parts = [];
    if (this.status < 200 || this.status === 204 || this.status === 304) return this.finish(out);
    if (/\bchunked\b/i.test(this.headers.get('transfer-encoding') ?? '')) {
      this.phase = { kind: 'chunk-size' };
      return;
    }
    const length = this.headers.get('content-length');
    if (length === undefined || !/^\d+$/.test(length)) throw new HttpProtocolError('response has neither Content-Length nor chunked encoding');
    this.phase = { kind: 'length', left: Number(length) };
    if (Number(length) === 0) this.finish(out);
  }

  private finish(out: HttpResponse[]): void {
    out.push({ status: this.status, headers: this.headers, body: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts) });
    this.phase = { kind: 'head' };
    this.parts = [];
  }
}
