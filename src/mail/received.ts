/** The trace header we prepend to every message we accept (RFC 5321 §4.4, RFC 6531 §3.7.3). */

export interface TraceInfo {
  helo: string;
  remoteAddress: string;
  hostname: string;
  /** ESMTP after EHLO, SMTP after HELO. */
  esmtp: boolean;
  tls: boolean;
  smtputf8: boolean;
  id: string;
  recipients: readonly string[];
  date: Date;
}

/** RFC 5322 §3.3 date-time, e.g. "Sat, 21 Nov 2026 03:39:03 +0000". */
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

function protocolName(info: TraceInfo): string {
  if (info.smtputf8) return info.tls ? 'UTF8SMTPS' : 'UTF8SMTP';
  if (!info.esmtp) return 'SMTP';
  return info.tls ? 'ESMTPS' : 'ESMTP';
}

/** Strip what could break the header: CR, LF and other control characters in client-supplied text. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x1f\x7f()]/g, '').slice(0, 255);
}

export function receivedHeader(info: TraceInfo): Buffer {
  const ip = info.remoteAddress.replace(/^::ffff:/, '');
  const literal = ip.includes(':') ? `IPv6:${ip}` : ip;
  // Name the recipient only when there is one: with several, the header would disclose the others.
  const forClause = info.recipients.length === 1 ? `\r\n\tfor <${clean(info.recipients[0]!)}>` : '';
  return Buffer.from(
    `Received: from ${clean(info.helo) || 'unknown'} ([${literal}])\r\n` +
      `\tby ${info.hostname} (Tidemail) with ${protocolName(info)} id ${info.id}${forClause};\r\n` +
      `\t${rfc5322Date(info.date)}\r\n`,
  );
}
