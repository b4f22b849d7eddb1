/**
 * The reply an agent sends, as the bytes of a message (RFC 5322), marked as RFC 3834 asks:
 *
 * - `Auto-Submitted: auto-replied` (§5), so no other responder answers it back;
 * - `In-Reply-To` the original's Message-ID and `References` its references plus that id
 *   (§3.1.5, RFC 5322 §3.6.4), so mail clients thread the conversation;
 * - `Subject: Re: …` (§3.1.5) unless the agent chose its own; never `Re: Re:`;
 * - its own `Message-ID` and `Date`; `To` the original envelope sender (§3.1.1: the reverse
 *   path is where responses go, not From or Reply-To, which a forger sets as easily).
 *
 * Extra header fields an agent gives (a program's output, an HTTP answer) are kept, except the
 * ones above and the addressing ones, which are ours to set. The body is UTF-8 text: 7bit when it
 * is plain ASCII with short lines, base64 otherwise (RFC 2045 §6.8), so any output travels intact.
 */
import { randomUUID } from 'node:crypto';
import { rfc5322Date } from '../mail/received.js';
import type { Header } from '../store/types.js';

/** What an agent answers; null from an agent means no reply. */
export interface AgentReply {
  /** The whole Subject; default `Re: ` + the original's. */
  subject?: string;
  body: string;
  /** Further header fields, e.g. a program's `Content-Type: text/html`. */
  headers?: Header[];
}

export interface ReplyAddressing {
  /** The agent's address: From of the reply. */
  from: string;
  /** The original envelope sender. */
  to: string;
  /** The original's header fields (for Message-ID and References). */
  original: readonly Header[];
  /** The original's subject, decoded (the listing's). */
  originalSubject: string;
  hostname: string;
  date: Date;
}

/** Fields an agent may not set: the addressing and the RFC 3834 marks are what keep replies safe. */
const OURS = new Set(['from', 'to', 'cc', 'bcc', 'sender', 'reply-to', 'date', 'message-id', 'in-reply-to', 'references', 'auto-submitted', 'mime-version', 'content-transfer-encoding', 'subject', 'received', 'return-path']);

// eslint-disable-next-line no-control-regex
const NON_ASCII_OR_CONTROL = /[^\x20-\x7e\t]/;

function firstValue(headers: readonly Header[], name: string): string | null {
  return headers.find((h) => h.name.toLowerCase() === name)?.value.trim() ?? null;
}

/** A header value as ASCII: RFC 2047 encoded words when it has anything else; CR and LF never pass. */
export function encodeHeaderValue(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  if (!NON_ASCII_OR_CONTROL.test(flat)) return flat;
  // 45 bytes of UTF-8 a word keeps each encoded word within 75 characters (RFC 2047 §2); split on code points.
  const words: string[] = [];
  let chunk = '';
  for (const char of flat) {
    if (Buffer.byteLength(chunk + char) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += char;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

export function replySubject(original: string): string {
  const trimmed = original.trim();
  return /^re:/i.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}

function bodyPart(text: string): { encoding: string; body: string } {
  const lines = text.replace(/\r\n|\r|\n/g, '\n').split('\n');
  const plain = lines.every((line) => line.length <= 998 && !NON_ASCII_OR_CONTROL.test(line));
  if (plain) return { encoding: '7bit', body: lines.join('\r\n') };
  const base64 = Buffer.from(lines.join('\r\n')).toString('base64');
  return { encoding: 'base64', body: base64.replace(/.{1,76}/g, '$&\r\n').trimEnd() };
}

export function composeReply(reply: AgentReply, addressing: ReplyAddressing): Buffer {
  const { original } = addressing;
  const originalId = firstValue(original, 'message-id');
  const references = [firstValue(original, 'references'), originalId].filter((v): v is string => !!v).join(' ');
  const subject = reply.subject ?? replySubject(addressing.originalSubject);
  const extra = (reply.headers ?? []).filter((h) => !OURS.has(h.name.toLowerCase()) && /^[!-9;-~]+$/.test(h.name));
  const hasContentType = extra.some((h) => h.name.toLowerCase() === 'content-type');
  const { encoding, body } = bodyPart(reply.body);
  const fields: Array<[string, string]> = [
    ['From', addressing.from],
    ['To', addressing.to],
    ['Subject', encodeHeaderValue(subject)],
    ['Date', rfc5322Date(addressing.date)],
    ['Message-ID', `<${randomUUID()}@${addressing.hostname}>`],
    ...(originalId ? ([['In-Reply-To', originalId]] as Array<[string, string]>) : []),
    ...(references ? ([['References', references]] as Array<[string, string]>) : []),
    ['Auto-Submitted', 'auto-replied'],
    ['MIME-Version', '1.0'],
    ...extra.map((h): [string, string] => [h.name, encodeHeaderValue(h.value)]),
    ...(hasContentType ? [] : ([['Content-Type', 'text/plain; charset=utf-8']] as Array<[string, string]>)),
    ['Content-Transfer-Encoding', encoding],
  ];
  return Buffer.from(`${fields.map(([name, value]) => `${name}: ${value}`).join('\r\n')}\r\n\r\n${body}\r\n`);
}

/**
 * Header fields at the top of an agent's text output (a program's stdout): `Name: value` lines
 * up to a blank line. Output that does not start that way is all body.
 */
export function splitHeadedText(text: string): AgentReply {
  const normal = text.replace(/\r\n/g, '\n');
  const blank = normal.indexOf('\n\n');
  if (blank === -1) return { body: text };
  const lines = normal.slice(0, blank).split('\n');
  const headers: Header[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      headers[headers.length - 1]!.value += ` ${line.trim()}`;
      continue;
    }
    const field = /^([!-9;-~]+):[ \t]*(.*)$/.exec(line);
    if (!field) return { body: text };
    headers.push({ name: field[1]!, value: field[2]! });
  }
  const subject = headers.find((h) => h.name.toLowerCase() === 'subject')?.value;
  return { ...(subject !== undefined ? { subject } : {}), body: normal.slice(blank + 2), headers };
}
