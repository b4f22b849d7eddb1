/**
 * Dot-stuffing for sending a message over a line protocol that ends data with <CRLF>.<CRLF>:
 * SMTP DATA (RFC 5321 §4.5.2) and POP3 multi-line responses (RFC 1939 §3). A line that starts
 * with "." gets one more; the stream ends with ".\r\n" (after a CRLF added if the message did
 * not end with one). The inverse, for receiving, is smtp/data.ts's DataReader.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

/** Dot-stuff a message for sending, ending with <CRLF>.<CRLF>. */
export function dotStuff(message: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  if (message[0] === DOT) parts.push(Buffer.from('.'));
  for (let lf = message.indexOf(LF); lf !== -1; lf = message.indexOf(LF, lf + 1)) {
    if (message[lf + 1] === DOT) {
      parts.push(message.subarray(start, lf + 1), Buffer.from('.'));
      start = lf + 1;
    }
  }
  parts.push(message.subarray(start));
  const endsWithCrlf = message.length >= 2 && message[message.length - 2] === CR && message[message.length - 1] === LF;
  parts.push(Buffer.from(endsWithCrlf || message.length === 0 ? '.\r\n' : '\r\n.\r\n'));
  return Buffer.concat(parts);
}
