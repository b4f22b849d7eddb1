/**
 * Mailbox names on the wire (RFC 3501 §5.1.3): "modified UTF-7". Printable US-ASCII stands for
 * itself except "&", written "&-"; any other run of characters is "&", the modified BASE64
 * (RFC 2152's, with "," for "/" and no "=" padding) of its UTF-16BE code units, then "-".
 *
 * Names are decoded here, at the protocol edge, and kept as Unicode everywhere else (the folder
 * registry, the store's mailbox keys); responses encode them again. Decoding is strict: a name
 * must be in the one canonical form its Unicode text encodes to (so "&AGE-" for "a", a shift
 * left open, or bytes outside printable ASCII are refused), which also makes encoded names
 * compare and pattern-match exactly as their Unicode text does.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';

function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

function encodeRun(run: string): string {
  const bytes = Buffer.alloc(run.length * 2);
  for (let i = 0; i < run.length; i++) bytes.writeUInt16BE(run.charCodeAt(i), i * 2);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += BASE64[(value >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += BASE64[(value << (6 - bits)) & 0x3f];
  return `&${out}-`;
}

/** A Unicode mailbox name in modified UTF-7. */
export function encodeMailboxName(name: string): string {
  let out = '';
  let run = '';
  for (const char of name) {
    const code = char.codePointAt(0)!;
    if (isPrintableAscii(code)) {
      if (run) out += encodeRun(run);
      run = '';
      out += char === '&' ? '&-' : char;
    } else {
      run += char;
    }
  }
  if (run) out += encodeRun(run);
  return out;
}

function decodeRun(text: string): string | null {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    if (digit === -1) return null;
    value = ((value << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((value >> bits) & 0xff);
    }
  }
  if (bytes.length === 0 || bytes.length % 2 !== 0) return null;
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return out;
}

/** The Unicode name a wire name stands for, or null if it is not canonical modified UTF-7. */
export function decodeMailboxName(wire: string): string | null {
  let out = '';
  for (let i = 0; i < wire.length; i++) {
    const code = wire.charCodeAt(i);
    if (!isPrintableAscii(code)) return null;
    if (wire[i] !== '&') {
      out += wire[i];
      continue;
    }
    const end = wire.indexOf('-', i + 1);
    if (end === -1) return null;
    if (end === i + 1) out += '&';
    else {
      const run = decodeRun(wire.slice(i + 1, end));
      if (run === null) return null;
      out += run;
    }
    i = end;
  }
  // Canonical only: unpaired surrogates, printable ASCII shifted, or stray bits do not survive the round trip.
  return encodeMailboxName(out) === wire && !LONE_SURROGATE.test(out) ? out : null;
}
