/**
 * POP3 RETR and IMAP FETCH throughput over one maildrop of 4 KiB messages, filled by SMTP
 * first. A protocol whose listener the server did not print is reported as not available,
 * and a failing one with its error, so the rest of the run goes on.
 */
import { imapFetch } from '../mailread/imap.js';
import { pop3Retr, type ReadResult } from '../mailread/pop3.js';
import { KiB } from '../payloads.js';
import { runSmtpCell } from '../smtp/load.js';
import { untilShown } from './api.js';

export interface ReadRow {
  protocol: 'pop3' | 'imap';
  messagesInMaildrop: number;
  result: ReadResult | null;
  unavailable?: string;
}

const READ_PREFIX = 'read';
const READ_INBOX = `${READ_PREFIX}0`;

export async function runMailReadCells(
  target: { host: string; smtpPort: number; ports: Record<string, number>; pid: number },
  protocols: Array<'pop3' | 'imap'>,
  maildropSize: number,
  durationMs: number,
): Promise<{ rows: ReadRow[]; stored: number }> {
  const wanted = protocols.filter((p) => target.ports[p] !== undefined);
  let stored = 0;
  if (wanted.length) {
    const fill = await runSmtpCell({
      host: target.host, port: target.smtpPort, serverPid: target.pid, mode: 'persistent', sizeBytes: 4 * KiB, sessions: 4,
      warmupMs: 0, durationMs: 60_000, maxMessages: maildropSize, inboxPrefix: READ_PREFIX, inboxCount: 1,
    });
    stored = fill.accepted;
    if (target.ports.http !== undefined) await untilShown(target.ports.http, [`/api/v1/inboxes/${READ_INBOX}/messages`]);
  }
  const rows: ReadRow[] = [];
  for (const protocol of protocols) {
    const port = target.ports[protocol];
    if (port === undefined) {
      rows.push({ protocol, messagesInMaildrop: 0, result: null, unavailable: `not available (no ${protocol} listener)` });
      continue;
    }
    try {
      const result = await (protocol === 'pop3' ? pop3Retr : imapFetch)(port, READ_INBOX, durationMs);
      rows.push({ protocol, messagesInMaildrop: stored, result });
    } catch (error) {
      rows.push({ protocol, messagesInMaildrop: stored, result: null, unavailable: `failed: ${(error as Error).message}` });
    }
  }
  return { rows, stored };
}
