/**
 * The routing rules' cost on the ingest path (issue 17 §3): 4 KiB × 20 sessions, one message
 * per connection and persistent, against two fresh servers in the same run: one with no rules
 * and one with 100 rules in a --rules file. The rules are the expensive kind for the bench's
 * mail: `match: any` over four conditions each (recipient prefix, subject contains, a header
 * regex, sender suffix), none matching, so every one of the 400 conditions is evaluated for
 * every message and the header block is read for them; what is measured is the cost of
 * deciding, not of actions. Target: 100 rules within 5 % of none.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Timing } from '../options.js';
import { KiB } from '../payloads.js';
import { runSmtpCell, type SmtpCellResult } from '../smtp/load.js';
import type { SmtpMode } from '../smtp/session.js';
import { startTarget } from '../target.js';
import { LOAD_INBOXES } from './smtp.js';

export const RULE_COUNT = 100;

export interface RulesRow {
  mode: SmtpMode;
  none: SmtpCellResult;
  rules: SmtpCellResult;
  /** rules ÷ none. */
  ratio: number;
}

export function benchRules(count = RULE_COUNT): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `bench-${i}`,
    priority: i,
    match: 'any',
    conditions: [
      { field: 'to', op: 'prefix', value: `nomatch-${i}-` },
      { field: 'subject', op: 'contains', value: `invoice ${i} overdue` },
      { field: 'header:x-mailer', op: 'regex', value: `^Acme/${i}\\.[0-9]+` },
      { field: 'from', op: 'suffix', value: `@vendor-${i}.example` },
    ],
    actions: [{ tag: `t${i}` }],
  }));
}

/** A fresh server per measurement, stopped before the next (policy.ts says why). */
async function measure(args: string[], cell: Omit<Parameters<typeof runSmtpCell>[0], 'host' | 'port' | 'serverPid'>): Promise<SmtpCellResult> {
  const target = await startTarget([], args);
  try {
    return await runSmtpCell({ ...cell, host: target.host, port: target.ports.smtp!, serverPid: target.pid });
  } finally {
    await target.stop();
  }
}

export async function runRulesCells(timing: Timing, progress: (line: string) => void): Promise<RulesRow[]> {
  const rulesFile = join(tmpdir(), `tidemail-bench-rules-${process.pid}.json`);
  writeFileSync(rulesFile, JSON.stringify(benchRules()));
  const rows: RulesRow[] = [];
  try {
    for (const mode of ['per-connection', 'persistent'] as const) {
      const cell = { sizeBytes: 4 * KiB, sessions: 20, mode, warmupMs: timing.smtpWarmupMs, durationMs: timing.smtpDurationMs, maxMessages: timing.smtpMaxMessages, inboxCount: LOAD_INBOXES, inboxPrefix: 'rules-' };
      const none = await measure(['--greet-wait', '0'], cell);
      const rules = await measure(['--greet-wait', '0', '--rules', rulesFile], cell);
      const ratio = none.messagesPerSecond > 0 ? rules.messagesPerSecond / none.messagesPerSecond : 0;
      rows.push({ mode, none, rules, ratio });
      progress(`rules 4 KiB × 20 ${mode}: none ${none.messagesPerSecond.toFixed(0)} msg/s (p99 ${none.latency.p99Ms?.toFixed(2)} ms), ` +
        `${RULE_COUNT} rules ${rules.messagesPerSecond.toFixed(0)} msg/s (p99 ${rules.latency.p99Ms?.toFixed(2)} ms): ${ratio.toFixed(3)}× ` +
        `(target ≥ 0.95× ${ratio >= 0.95 ? 'met' : 'MISSED'}; ${none.errors + rules.errors} errors ${rules.errorSamples[0] ?? ''})`);
    }
  } finally {
    rmSync(rulesFile, { force: true });
  }
  return rows;
}
