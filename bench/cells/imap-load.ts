/**
 * IMAP under many clients (issue 19 §3): 1,000 4 KiB messages in one mailbox, 50 clients each
 * running the mix of imapload/mix.ts, on Tidemail and then on a private Dovecot instance in
 * the same run (imapload/dovecot.ts), as smtp-sink is the SMTP reference. Reported: commands/s
 * of each and their ratio, command latency, connect → greeting p50/p99 under the load, and
 * Tidemail's peak RSS during the load. Targets: ratio ≥ 1, greeting p99 ≤ 50 ms, RSS ≤ 250 MiB.
 */
import { fillOverSmtp } from '../imapload/fill.js';
import { startDovecot, DOVECOT } from '../imapload/dovecot.js';
import { runMix, type MixResult } from '../imapload/mix.js';
import { processCpuSeconds, RssSampler } from '../proc.js';

export const IMAP_LOAD_MESSAGES = 1000;
export const IMAP_LOAD_CLIENTS = 50;
const LOAD_INBOX = 'imapload';

export interface ImapLoadOutcome {
  messages: number;
  clients: number;
  tidemail: MixResult | null;
  tidemailPeakRssBytes: number | null;
  reference: MixResult | null;
  referenceName: string;
  ratio: number | null;
  unavailable?: string;
}

export async function runImapLoadCell(
  target: { smtpPort: number; imapPort: number | undefined; pid: number },
  timing: { warmupMs: number; durationMs: number },
  progress: (line: string) => void,
): Promise<ImapLoadOutcome> {
  const outcome: ImapLoadOutcome = {
    messages: IMAP_LOAD_MESSAGES, clients: IMAP_LOAD_CLIENTS, tidemail: null, tidemailPeakRssBytes: null, reference: null, referenceName: '', ratio: null,
  };
  if (target.imapPort === undefined) return { ...outcome, unavailable: 'not available (no imap listener)' };
  const spec = { user: LOAD_INBOX, clients: IMAP_LOAD_CLIENTS, ...timing };
  await fillOverSmtp(target.smtpPort, LOAD_INBOX, IMAP_LOAD_MESSAGES);
  const rss = new RssSampler(target.pid).start();
  outcome.tidemail = await runMix({ ...spec, port: target.imapPort, serverCpuSeconds: () => processCpuSeconds(target.pid) });
  outcome.tidemailPeakRssBytes = rss.stop();
  progress(`imap-load tidemail: ${outcome.tidemail.commandsPerSecond.toFixed(0)} commands/s, greeting p99 ${outcome.tidemail.greeting.p99Ms?.toFixed(1)} ms, ${outcome.tidemail.errors} errors ${outcome.tidemail.errorSamples[0] ?? ''}`);
  let dovecot;
  try {
    dovecot = await startDovecot(LOAD_INBOX, IMAP_LOAD_MESSAGES);
  } catch (error) {
    outcome.referenceName = `failed: ${(error as Error).message.slice(0, 300)}`;
    return outcome;
  }
  if (!dovecot) {
    outcome.referenceName = `skipped: ${DOVECOT} not found (apt-get install dovecot-imapd)`;
    return outcome;
  }
  try {
    outcome.referenceName = `Dovecot ${dovecot.version}, private instance on 127.0.0.1:${dovecot.port}`;
    outcome.reference = await runMix({ ...spec, port: dovecot.port, serverCpuSeconds: () => dovecot.cpuSeconds() });
    outcome.ratio = outcome.tidemail.commandsPerSecond / outcome.reference.commandsPerSecond;
    progress(`imap-load dovecot: ${outcome.reference.commandsPerSecond.toFixed(0)} commands/s, greeting p99 ${outcome.reference.greeting.p99Ms?.toFixed(1)} ms, ${outcome.reference.errors} errors ${outcome.reference.errorSamples[0] ?? ''}`);
  } finally {
    await dovecot.stop();
  }
  return outcome;
}
