/**
 * The SMTP ingest cells: 1 KiB, 4 KiB and 100 KiB; 1 and 20 sessions; one message per
 * connection and many per connection. Each cell runs against Tidemail and then, in the same run,
 * against smtp-sink, so the ratio compares two measurements taken seconds apart on the same
 * noisy machine. Tidemail's RSS is sampled throughout (peak under full-speed ingest).
 */
import { KiB } from '../payloads.js';
import { RssSampler } from '../proc.js';
import type { Reference } from '../reference.js';
import { runSmtpCell, type SmtpCellResult } from '../smtp/load.js';
import type { SmtpMode } from '../smtp/session.js';
import type { Timing } from '../options.js';

export interface SmtpCellKey {
  sizeBytes: number;
  sessions: number;
  mode: SmtpMode;
}

export interface SmtpRow extends SmtpCellKey {
  tidemail: SmtpCellResult;
  reference: SmtpCellResult | null;
  /** Tidemail's rate over smtp-sink's. */
  ratio: number | null;
  /** The target ratio for this cell, if it has one. */
  targetRatio: number | null;
}

export const SMTP_CELLS: SmtpCellKey[] = [KiB, 4 * KiB, 100 * KiB].flatMap((sizeBytes) =>
  [1, 20].flatMap((sessions) => (['per-connection', 'persistent'] as const).map((mode) => ({ sizeBytes, sessions, mode }))),
);

/** Targets from issue 5 (durable store on, ratio to smtp-sink measured in the same run). */
export function targetRatio(cell: SmtpCellKey): number | null {
  const perConnection = cell.mode === 'per-connection';
  if (cell.sizeBytes === 4 * KiB && cell.sessions === 20) return perConnection ? 0.3 : 0.35;
  if (cell.sizeBytes === KiB && cell.sessions === 1 && perConnection) return 0.3;
  if (cell.sizeBytes === 100 * KiB && cell.sessions === 20 && perConnection) return 0.3;
  return null;
}

/** Spread recipients over this many inboxes. */
export const LOAD_INBOXES = 1000;

export interface SmtpCellsOutcome {
  rows: SmtpRow[];
  peakRssBytes: number;
  /** Messages Tidemail stored during these cells. */
  stored: number;
}

export async function runSmtpCells(
  target: { host: string; port: number; pid: number },
  reference: Reference | null,
  timing: Timing,
  progress: (line: string) => void,
): Promise<SmtpCellsOutcome> {
  const rows: SmtpRow[] = [];
  const sampler = new RssSampler(target.pid).start();
  let stored = 0;
  const base = {
    warmupMs: timing.smtpWarmupMs,
    durationMs: timing.smtpDurationMs,
    maxMessages: timing.smtpMaxMessages,
    inboxCount: LOAD_INBOXES,
  };
  try {
    for (const cell of SMTP_CELLS) {
      const tidemail = await runSmtpCell({ ...base, ...cell, host: target.host, port: target.port, serverPid: target.pid, inboxPrefix: 'load-' });
      stored += tidemail.accepted;
      const sink = reference
        ? await runSmtpCell({ ...base, ...cell, host: '127.0.0.1', port: reference.port, serverPid: reference.pid, inboxPrefix: 'load-' })
        : null;
      const ratio = sink && sink.messagesPerSecond > 0 ? tidemail.messagesPerSecond / sink.messagesPerSecond : null;
      rows.push({ ...cell, tidemail, reference: sink, ratio, targetRatio: targetRatio(cell) });
      progress(
        `smtp ${cell.sizeBytes / KiB} KiB × ${cell.sessions} ${cell.mode}: ${tidemail.messagesPerSecond.toFixed(0)} msg/s` +
          (sink ? ` (smtp-sink ${sink.messagesPerSecond.toFixed(0)}, ratio ${ratio?.toFixed(3) ?? '–'})` : '') +
          (tidemail.errors ? `, ${tidemail.errors} errors: ${tidemail.errorSamples[0]}` : ''),
      );
    }
  } finally {
    sampler.stop();
  }
  return { rows, peakRssBytes: sampler.maxRssBytes, stored };
}
