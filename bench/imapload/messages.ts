/**
 * The mailbox both IMAP servers are measured on: `count` well-formed 4 KiB messages whose
 * subjects carry one word of a small vocabulary each, so `SEARCH SUBJECT word` matches about a
 * tenth of the mailbox. The same bytes go to Tidemail over SMTP and into Dovecot's Maildir.
 */
import { KiB, messagePayload } from '../payloads.js';

export const SUBJECT_WORDS = ['amber', 'birch', 'cedar', 'delta', 'ember', 'fjord', 'grove', 'harbor', 'indigo', 'juniper'] as const;
export const LOAD_MESSAGE_BYTES = 4 * KiB;

/** Message `i`'s subject. */
export function subjectOf(i: number): string {
  return `Load report ${i} ${SUBJECT_WORDS[i % SUBJECT_WORDS.length]}`;
}

/** Message `i` as SMTP DATA (dot-safe, ending with the end-of-data line). */
export function smtpData(i: number): Buffer {
  return messagePayload(LOAD_MESSAGE_BYTES, subjectOf(i));
}

const END_OF_DATA = Buffer.from('.\r\n');

/** Message `i` as stored bytes (no end-of-data line; no body line starts with "."). */
export function rawMessage(i: number): Buffer {
  const data = smtpData(i);
  return data.subarray(0, data.length - END_OF_DATA.length);
}
