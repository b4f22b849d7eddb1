/**
 * Delivery status notifications (RFC 3464): the bounce we send when a recipient failed for good,
 * and optionally the "delayed" warning. A DSN is `multipart/report; report-type=delivery-status`
 * (RFC 6522) with three parts: a human-readable explanation, the `message/delivery-status` part
 * (per-message fields: Reporting-MTA, Arrival-Date; per-recipient: Final-Recipient, Action,
 * Status, Remote-MTA, Diagnostic-Code, Last-Attempt-Date, RFC 3464 §2.2–2.3), and the original
 * message's header block (`text/rfc822-headers`, RFC 6522 §3), not its body.
 *
 * It goes with the null reverse path (RFC 5321 §4.5.5) to the original envelope sender, and
 * never for a message that itself had a null sender: a bounce of a bounce loops forever.
 */
import { randomBytes } from 'node:crypto';
import { bodyStartOf } from '../mail/header-block.js';
import { rfc5322Date } from '../mail/received.js';
import type { OutboundMessage } from './types.js';

export interface FailedRecipient {
  address: string;
  /** `failed` bounces; `delayed` only warns (RFC 3464 §2.3.3). */
  action: 'failed' | 'delayed';
  /** The reply as the remote server gave it (or our own, for DNS and expiry). */
  reply: string;
  /** The host that answered, '' when none did. */
  remoteMta: string;
  lastAttemptAtMs: number;
}

export interface DsnInput {
  /** Our hostname: Reporting-MTA and the From of the report. */
  reportingMta: string;
  originalMailFrom: string;
  originalRaw: Buffer;
  arrivalAtMs: number;
  recipients: readonly FailedRecipient[];
  nowMs: number;
}

/** The enhanced status code (RFC 3463) in a reply, or one implied by its class. */
export function statusOf(reply: string): string {
  const enhanced = /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})\b/.exec(reply)?.[1];
  if (enhanced) return enhanced;
  const code = /^([245])\d\d/.exec(reply)?.[1];
  if (code === '5') return '5.0.0';
  if (code === '2') return '2.0.0';
  return '4.0.0';
}

/** A header value safe to put on one line: no CR/LF, no control characters. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim().slice(0, 900);
}

/** The DSN as an OutboundMessage, or null when none must be sent (null sender). */
export function buildDsn(input: DsnInput): OutboundMessage | null {
  if (input.originalMailFrom === '' || input.recipients.length === 0) return null;
  const boundary = `=_tidemail_dsn_${randomBytes(9).toString('hex')}`;
  const failed = input.recipients.filter((r) => r.action === 'failed');
  const subject = failed.length ? 'Undelivered Mail Returned to Sender' : 'Delivery Status Notification (Delay)';
  const human = failed.length
    ? ['This is the mail system at host ' + input.reportingMta + '.', '', 'Your message could not be delivered to one or more recipients. It is attached below.', '']
    : ['This is the mail system at host ' + input.reportingMta + '.', '', 'Your message has not been delivered yet to the recipients below. We will keep trying; you need not resend it.', ''];
  for (const r of input.recipients) human.push(`<${oneLine(r.address)}>: ${r.remoteMta ? `host ${oneLine(r.remoteMta)} said: ` : ''}${oneLine(r.reply)}`);

  const perMessage = [`Reporting-MTA: dns; ${input.reportingMta}`, `Arrival-Date: ${rfc5322Date(new Date(input.arrivalAtMs))}`];
  const perRecipient = input.recipients.map((r) => {
    const fields = [
      `Final-Recipient: rfc822; ${oneLine(r.address)}`,
      `Action: ${r.action}`,
      `Status: ${statusOf(r.reply)}`,
    ];
    if (r.remoteMta) fields.push(`Remote-MTA: dns; ${oneLine(r.remoteMta.replace(/\[.*$/, ''))}`);
    // RFC 3464 §2.3.6: "smtp;" when the text is an SMTP reply, ours otherwise is still reply-shaped.
    fields.push(`Diagnostic-Code: smtp; ${oneLine(r.reply)}`);
    fields.push(`Last-Attempt-Date: ${rfc5322Date(new Date(r.lastAttemptAtMs))}`);
    return fields.join('\r\n');
  });
  const headers = input.originalRaw.subarray(0, bodyStartOf(input.originalRaw));

  const head = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.reportingMta}>`,
    `To: <${oneLine(input.originalMailFrom)}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(new Date(input.nowMs))}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${input.reportingMta}>`,
    // RFC 3834 §5: a DSN is auto-generated mail; responders must not answer it.
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    'This is a MIME-encapsulated delivery status notification.',
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    ...human,
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    perMessage.join('\r\n'),
    '',
    perRecipient.join('\r\n\r\n'),
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    '',
  ].join('\r\n');
  const tail = `\r\n--${boundary}--\r\n`;
  const headerBlock = headers.length >= 2 && headers.subarray(-4).toString() === '\r\n\r\n' ? headers.subarray(0, -2) : headers;
  return {
    mailFrom: '',
    recipients: [input.originalMailFrom],
    raw: Buffer.concat([Buffer.from(head, 'utf8'), headerBlock, Buffer.from(tail)]),
    origin: 'bounce',
  };
}
