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
import type { SmtpCellResult } from '../smtp/load.js';
import type { SmtpMode } from '../smtp/session.js';
import { measureOnFreshServer } from '../smtp/fresh-server.js';
import { MessageFacts } from '../../src/rules/facts.js';
import { compileRule } from '../../src/rules/match.js';
import { parseRule } from '../../src/rules/validate.js';
import type { Incoming } from '../../src/delivery/ingest.js';
import { messagePayload } from '../payloads.js';
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


/**
 * Pairs of runs per mode, alternating none and rules: one pair of ~10 s runs on this 2-core VM
 * swings by ±10 % (the per-connection cell once read 0.884× where the decision costs ~1 % of a
 * message's CPU), so the ratio is of the medians of ROUNDS runs each.
 */
const ROUNDS = 3;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The run whose rate is the median of `runs`. */
function medianRun(runs: readonly SmtpCellResult[]): SmtpCellResult {
  const rate = median(runs.map((r) => r.messagesPerSecond));
  return runs.find((r) => r.messagesPerSecond === rate)!;
}

/**
 * What deciding costs by itself, in this process: CPU µs per message to test the 100 rules
 * against the bench's 4 KiB message (the facts read once, as RuleDelivery does).
 */
export function decideMicrosPerMessage(messages = 20_000): number {
  const rules = benchRules().map((rule) => compileRule(parseRule(rule), 'file'));
  const raw = messagePayload(4 * KiB, 'bench subject');
  const client = { remoteAddress: '127.0.0.1', helo: 'client.test' };
  const incoming: Incoming = {
    trace: { ...client, hostname: 'bench.local', esmtp: true, tls: false, smtputf8: false, id: 'bench' },
    envelope: { ...client, mailFrom: 'sender@client.test', rcptTo: ['rules-1@bench.test'], tls: false },
    inboxes: ['rules-1'],
    relayTo: [],
    segments: [raw],
    transcript: { ...client, tls: null, connectedAtMs: 0, lines: [], truncated: false },
  };
  let matched = 0;
  const decide = (): void => {
    const facts = new MessageFacts(incoming);
    for (const rule of rules) if (rule.matches(facts)) matched++;
  };
  for (let i = 0; i < 2000; i++) decide();
  const before = process.cpuUsage();
  for (let i = 0; i < messages; i++) decide();
  const used = process.cpuUsage(before);
  if (matched > 0) throw new Error('a bench rule matched the bench message');
  return (used.user + used.system) / messages;
}

export async function runRulesCells(timing: Timing, progress: (line: string) => void): Promise<RulesRow[]> {
  const rulesFile = join(tmpdir(), `tidemail-bench-rules-${process.pid}.json`);
  writeFileSync(rulesFile, JSON.stringify(benchRules()));
  const rows: RulesRow[] = [];
  progress(`rules: deciding ${RULE_COUNT} rules costs ${decideMicrosPerMessage().toFixed(1)} µs CPU per 4 KiB message (in process)`);
  try {
    for (const mode of ['per-connection', 'persistent'] as const) {
      const cell = { sizeBytes: 4 * KiB, sessions: 20, mode, warmupMs: timing.smtpWarmupMs, durationMs: timing.smtpDurationMs, maxMessages: timing.smtpMaxMessages, inboxCount: LOAD_INBOXES, inboxPrefix: 'rules-' };
      const noneRuns: SmtpCellResult[] = [];
      const rulesRuns: SmtpCellResult[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        noneRuns.push(await measureOnFreshServer(['--greet-wait', '0'], cell));
        rulesRuns.push(await measureOnFreshServer(['--greet-wait', '0', '--rules', rulesFile], cell));
      }
      const none = medianRun(noneRuns);
      const rules = medianRun(rulesRuns);
      const ratio = none.messagesPerSecond > 0 ? rules.messagesPerSecond / none.messagesPerSecond : 0;
      rows.push({ mode, none, rules, ratio });
      const rates = (runs: SmtpCellResult[]): string => runs.map((r) => r.messagesPerSecond.toFixed(0)).join('/');
      const errors = [...noneRuns, ...rulesRuns].reduce((sum, r) => sum + r.errors, 0);
      progress(`rules 4 KiB × 20 ${mode}: none ${rates(noneRuns)} msg/s, ${RULE_COUNT} rules ${rates(rulesRuns)} msg/s; ` +
        `medians ${none.messagesPerSecond.toFixed(0)} vs ${rules.messagesPerSecond.toFixed(0)}: ${ratio.toFixed(3)}× ` +
        `(target ≥ 0.95× ${ratio >= 0.95 ? 'met' : 'MISSED'}; ${errors} errors ${rulesRuns.find((r) => r.errorSamples[0])?.errorSamples[0] ?? ''})`);
    }
  } finally {
    rmSync(rulesFile, { force: true });
  }
  return rows;
}
