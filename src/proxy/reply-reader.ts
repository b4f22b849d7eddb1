/**
 * Framing of the upstream's replies (RFC 5321 §4.2): bytes in, whole replies out, in order.
 * A reply is one or more lines `ddd-text` ending with `ddd text` (or a bare `ddd`, §4.2.1);
 * several may arrive in one chunk (the answers to a pipelined group, RFC 2920 §3.1) and one may
 * arrive over several chunks, so the reader keeps what it has not framed yet and hands back
 * every complete reply of each chunk. Bounded: a line longer than MAX_REPLY_LINE_BYTES or a
 * reply of more than MAX_REPLY_LINES lines is a protocol failure, not something to buffer.
 * Also here: the EHLO keywords the proxy acts on (RFC 1870, 2920, 3207, 6152, 6531).
 */

/** An upstream's reply: its code, enhanced code ('' if none) and text (lines joined by '\n'). */
export interface UpstreamReply {
  code: number;
  enhanced: string;
  text: string;
}

/** What the upstream's EHLO advertised, as far as the proxy cares. */
export interface UpstreamExtensions {
  /** SIZE's value; 0 when SIZE is advertised without a limit, null when not advertised. */
  sizeBytes: number | null;
  eightBitMime: boolean;
  smtputf8: boolean;
  startTls: boolean;
  /** RFC 2920: commands may be sent without waiting for each reply. */
  pipelining: boolean;
}

/** RFC 5321 §4.5.3.1.5 allows 512 octets a reply line; EHLO lists and long texts get room. */
const MAX_REPLY_LINE_BYTES = 8 * 1024;
const MAX_REPLY_LINES = 200;
const LF = 0x0a;
const CR = 0x0d;
const REPLY_LINE = /^([2-5]\d\d)([ -]|$)/;
const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?: |$)/;

export class ReplyReader {
  /** Bytes of a line not yet ended. */
  private partial: Buffer | null = null;
  /** Lines of the reply being read (text after `ddd-`). */
  private lines: string[] = [];

  /** Frame `chunk`; complete replies are appended to `out`. Throws on what is not an SMTP reply. */
  push(chunk: Buffer, out: UpstreamReply[]): void {
    let data = chunk;
    if (this.partial) {
      data = Buffer.concat([this.partial, chunk]);
      this.partial = null;
    }
    let start = 0;
    for (let lf = data.indexOf(LF); lf !== -1; lf = data.indexOf(LF, start)) {
      const end = lf > start && data[lf - 1] === CR ? lf - 1 : lf;
      this.line(data.toString('utf8', start, end), out);
      start = lf + 1;
    }
    if (start < data.length) {
      if (data.length - start > MAX_REPLY_LINE_BYTES) throw new Error(`reply line longer than ${MAX_REPLY_LINE_BYTES} bytes`);
      this.partial = data.subarray(start);
    }
  }

  /** Forget what was read (STARTTLS: nothing sent before the handshake may count, RFC 3207 §4.2). */
  reset(): void {
    this.partial = null;
    this.lines = [];
  }

  private line(line: string, out: UpstreamReply[]): void {
    const match = REPLY_LINE.exec(line);
    if (!match) throw new Error(`not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`);
    this.lines.push(line.slice(4));
    if (match[2] === '-') {
      if (this.lines.length >= MAX_REPLY_LINES) throw new Error(`reply of more than ${MAX_REPLY_LINES} lines`);
      return;
    }
    out.push(reply(Number(match[1]), this.lines));
    this.lines = [];
  }
}

/** A reply from its code and its lines' texts: the enhanced code (RFC 2034) is taken off each line. */
function reply(code: number, lines: readonly string[]): UpstreamReply {
  let enhanced = '';
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const match = ENHANCED.exec(line);
    if (match) {
      enhanced ||= match[1]!;
      line = line.slice(match[0].length);
    }
    text = i === 0 ? line : `${text}\n${line}`;
  }
  return { code, enhanced, text };
}

/** The EHLO keywords the proxy acts on, from the reply's text (its first line is the greeting). */
export function parseExtensions(ehlo: UpstreamReply | null): UpstreamExtensions {
  const extensions: UpstreamExtensions = { sizeBytes: null, eightBitMime: false, smtputf8: false, startTls: false, pipelining: false };
  if (!ehlo) return extensions; // HELO: none
  for (const line of ehlo.text.split('\n').slice(1)) {
    const [keyword = '', value] = line.trim().toUpperCase().split(/\s+/);
    if (keyword === 'SIZE') extensions.sizeBytes = value && /^\d+$/.test(value) ? Number(value) : 0;
    else if (keyword === '8BITMIME') extensions.eightBitMime = true;
    else if (keyword === 'SMTPUTF8') extensions.smtputf8 = true;
    else if (keyword === 'STARTTLS') extensions.startTls = true;
    else if (keyword === 'PIPELINING') extensions.pipelining = true;
  }
  return extensions;
}
