/**
 * Pre-built SMTP traffic, so the load generator does no per-message string work: one message
 * payload per size (already dot-safe, ending with the end-of-data line "." of RFC 5321
 * §4.1.1.4), and one pipelined envelope (MAIL, RCPT, DATA in one buffer, RFC 2920) per
 * recipient inbox. Recipients are spread over many inboxes, as real inbound traffic is.
 */

export const KiB = 1024;
export const BENCH_DOMAIN = 'bench.test';
const TEXT = 'The quick brown fox jumps over the lazy dog while the mail server keeps up. ';

/** A well-formed message of exactly `sizeBytes` (before the end-of-data line), then "\r\n.\r\n". */
export function messagePayload(sizeBytes: number, subject: string): Buffer {
  const header =
    `From: Bench Sender <sender@client.test>\r\n` +
    `To: Bench Recipient <rcpt@${BENCH_DOMAIN}>\r\n` +
    `Subject: ${subject}\r\n` +
    `Date: Sat, 21 Nov 2026 10:00:00 +0000\r\n` +
    `Message-ID: <${subject.replace(/[^A-Za-z0-9.-]/g, '-')}@client.test>\r\n` +
    `MIME-Version: 1.0\r\n` +
    `Content-Type: text/plain; charset=utf-8\r\n\r\n`;
  let body = '';
  let left = sizeBytes - header.length;
  while (left > 0) {
    // Lines of at most 78 characters plus CRLF (RFC 5322 §2.1.1); none starts with ".".
    const lineLength = Math.min(76, Math.max(0, left - 2));
    const line = TEXT.repeat(2).slice(0, lineLength);
    body += `${line}\r\n`;
    left -= line.length + 2;
  }
  const message = `${header}${body}`;
  return Buffer.from(`${message}.\r\n`, 'latin1');
}

export function inboxName(prefix: string, index: number): string {
  return `${prefix}${index}`;
}

/** MAIL FROM, RCPT TO and DATA for one recipient, in one buffer. */
export function envelope(inbox: string): Buffer {
  return Buffer.from(`MAIL FROM:<load@client.test>\r\nRCPT TO:<${inbox}@${BENCH_DOMAIN}>\r\nDATA\r\n`, 'latin1');
}

/** The same commands, one per line, for a server that does not advertise PIPELINING. */
export function envelopeLines(inbox: string): Buffer[] {
  return [`MAIL FROM:<load@client.test>\r\n`, `RCPT TO:<${inbox}@${BENCH_DOMAIN}>\r\n`, `DATA\r\n`].map((l) => Buffer.from(l, 'latin1'));
}

export function envelopes(prefix: string, inboxCount: number): Buffer[] {
  return Array.from({ length: inboxCount }, (_, i) => envelope(inboxName(prefix, i)));
}
