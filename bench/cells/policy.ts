/**
 * The policy's cost on the ingest path (issue 14 §7): 4 KiB × 20 sessions, one message per
 * connection and persistent, against two fresh servers in the same run: one where the bench's
 * client is trusted (loopback: the chain is skipped) and one with `--trusted-networks none`,
 * every filter evaluated (bans, bounces, per-IP and per-network counters, blocked words from a
 * file, the subject flood counter, --strict, per-network connection caps and the shedding
 * bookkeeping). Limits are set above what the bench sends, so what is measured is the cost of
 * deciding, not refusals. The pregreet wait and the tarpit are deliberate delays, not costs, and
 * are off in both. Target: policy-on within 5 % of policy-off.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KiB } from '../payloads.js';
import type { Timing } from '../options.js';
import type { SmtpCellResult } from '../smtp/load.js';
import type { SmtpMode } from '../smtp/session.js';
import { measureOnFreshServer } from '../smtp/fresh-server.js';
import { LOAD_INBOXES } from './smtp.js';

export interface PolicyRow {
  mode: SmtpMode;
  off: SmtpCellResult;
  on: SmtpCellResult;
  /** on ÷ off. */
  ratio: number;
}

const HIGH = '100000000/120s';

export function policyOnFlags(wordsFile: string): string[] {
  return [
    '--trusted-networks', 'none', '--policy', 'on', '--ip-rate', HIGH, '--network-rate', HIGH, '--subject-flood', HIGH,
    '--blocked-subject-words', wordsFile, '--strict', 'on', '--greet-wait', '0', '--tarpit', '0', '--max-connections-per-network', '1000',
  ];
}


export async function runPolicyCells(timing: Timing, progress: (line: string) => void): Promise<PolicyRow[]> {
  const wordsFile = join(tmpdir(), `tidemail-bench-words-${process.pid}.txt`);
  writeFileSync(wordsFile, 'casino\nfree money\nviagra\nlottery winner\nwire transfer\n');
  const rows: PolicyRow[] = [];
  try {
    for (const mode of ['per-connection', 'persistent'] as const) {
      const cell = { sizeBytes: 4 * KiB, sessions: 20, mode, warmupMs: timing.smtpWarmupMs, durationMs: timing.smtpDurationMs, maxMessages: timing.smtpMaxMessages, inboxCount: LOAD_INBOXES, inboxPrefix: 'policy-' };
      const offResult = await measureOnFreshServer(['--greet-wait', '0'], cell);
      const onResult = await measureOnFreshServer(policyOnFlags(wordsFile), cell);
      const ratio = offResult.messagesPerSecond > 0 ? onResult.messagesPerSecond / offResult.messagesPerSecond : 0;
      rows.push({ mode, off: offResult, on: onResult, ratio });
      progress(`policy 4 KiB × 20 ${mode}: off ${offResult.messagesPerSecond.toFixed(0)} msg/s, on ${onResult.messagesPerSecond.toFixed(0)} msg/s (${ratio.toFixed(3)}×, ${onResult.errors} errors ${onResult.errorSamples[0] ?? ''})`);
    }
  } finally {
    rmSync(wordsFile, { force: true });
  }
  return rows;
}
