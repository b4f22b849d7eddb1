/**
 * `npm run bench [-- --quick | --big | --only smtp,visible,store,api,pop3,imap,imap-load | --profile]`:
 * start `tidemail serve` on a fresh data dir (and smtp-sink as the reference), run the cells,
 * stop both, print the tables and write bench/results/<timestamp>.json. Traffic goes only to
 * 127.0.0.1; every cell is bounded in time and count (options.ts).
 *
 * Order: RSS at rest; SMTP cells side by side with smtp-sink (peak RSS sampled); time to
 * visible under load; the store filled to its checkpoints (memory and disk at each, the API
 * cells where asked); POP3/IMAP reads; IMAP under 50 clients beside a private Dovecot
 * (imap-load); then, if asked, the CPU profile on a second server.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runApiCells, type ApiRow } from './cells/api.js';
import { runFloodCell } from './cells/flood.js';
import { runPolicyCells } from './cells/policy.js';
import { runImapLoadCell } from './cells/imap-load.js';
import { runMailReadCells, type ReadRow } from './cells/mailread.js';
import { runProfileCell } from './cells/profile.js';
import { runProxyCell } from './cells/proxy.js'; // proxy cell (issue 15 §2)
import { runOutboundCell } from './cells/outbound.js';
import { runSmtpCells } from './cells/smtp.js';
import { fillStore } from './cells/store.js';
import { runVisibleCell } from './cells/visible.js';
import { parseOptions, UsageError } from './options.js';
import { processMemory } from './proc.js';
import { SMTP_SINK, startReference } from './reference.js';
import { machine, render, type BenchResults } from './report.js';
import { startTarget } from './target.js';

const RESULTS_DIR = fileURLToPath(new URL('../../bench/results/', import.meta.url));
const READ_MAILDROP = { quick: 100, default: 500 };

function progress(line: string): void {
  process.stderr.write(`· ${line}\n`);
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const { timing, cells } = options;
  const startedAt = new Date();
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    options: { profile: options.profile, big: options.big, cells: [...cells] },
    machine: machine(),
    reference: '',
    memory: { restRssBytes: null, peakRssDuringSmtpBytes: null, storedTotal: 0 },
    smtp: [],
    visible: null,
    store: null,
    api: [],
    read: [],
    policy: [],
    flood: null,
    imapLoad: null,
    profile: null,
  };
  const serverCells = [...cells].filter((c) => c !== 'profile' && c !== 'policy' && c !== 'flood' && c !== 'proxy');
  if (serverCells.length) {
    const target = await startTarget();
    const reference = cells.has('smtp') ? await startReference() : null;
    results.reference = reference
      ? `smtp-sink (${SMTP_SINK}) on 127.0.0.1:${reference.port}, same run`
      : cells.has('smtp') ? `skipped: ${SMTP_SINK} not found (apt-get install postfix, "No configuration")` : 'not run (no smtp cell)';
    if (!reference && cells.has('smtp')) progress(`reference ${results.reference}`);
    const smtpPort = target.ports.smtp!;
    const httpPort = target.ports.http;
    progress(`tidemail pid ${target.pid}, listeners: ${Object.entries(target.ports).map(([n, p]) => `${n}:${p}`).join(' ')}`);
    try {
      await new Promise((resolve) => setTimeout(resolve, 500));
      results.memory.restRssBytes = processMemory(target.pid).rssBytes;
      if (cells.has('smtp')) {
        const smtp = await runSmtpCells({ host: target.host, port: smtpPort, pid: target.pid }, reference, timing, progress);
        results.smtp = smtp.rows;
        results.memory.peakRssDuringSmtpBytes = smtp.peakRssBytes;
        results.memory.storedTotal += smtp.stored;
      }
      await reference?.stop();
      if (cells.has('visible')) {
        results.visible = await runVisibleCell({ host: target.host, smtpPort, httpPort, pid: target.pid }, timing.visibleDurationMs);
        results.memory.storedTotal += results.visible.probes + (results.visible.background?.accepted ?? 0);
        progress(`visible: ${results.visible.unavailable ?? `SSE p99 ${results.visible.sse?.p99Ms?.toFixed(1)} ms, listing p99 ${results.visible.listing?.p99Ms?.toFixed(1)} ms (after ${((results.visible.backlogWaitMs ?? 0) / 1000).toFixed(1)} s waiting for what earlier cells left unshown)`}`);
      }
      if (cells.has('store') || cells.has('api')) {
        const api: ApiRow[] = [];
        const storeTiming = cells.has('store') ? timing : { ...timing, storeCheckpoints: timing.apiAt };
        results.store = await fillStore({ host: target.host, port: smtpPort, pid: target.pid, dataDir: target.dataDir }, storeTiming, async (filled) => {
          if (!cells.has('api') || !timing.apiAt.includes(filled)) return;
          const rows = await runApiCells({ httpPort, pid: target.pid }, filled, { warmupMs: Math.min(1000, timing.apiDurationMs / 4), durationMs: timing.apiDurationMs });
          for (const r of rows) progress(`api ${r.endpoint} @ ${filled}: ${r.result ? `${r.result.requestsPerSecond.toFixed(0)} req/s, p99 ${r.result.latency.p99Ms?.toFixed(2)} ms, ${r.result.errors} errors ${r.result.errorSamples[0] ?? ''}` : r.unavailable}`);
          api.push(...rows);
        }, progress);
        results.api = api;
        results.memory.storedTotal += results.store.checkpoints.at(-1)?.filled ?? 0;
      }
      const readProtocols = (['pop3', 'imap'] as const).filter((p) => cells.has(p));
      if (readProtocols.length) {
        const read: { rows: ReadRow[]; stored: number } = await runMailReadCells(
          { host: target.host, smtpPort, ports: target.ports, pid: target.pid }, [...readProtocols], READ_MAILDROP[options.profile], timing.mailReadDurationMs,
        );
        results.read = read.rows;
        results.memory.storedTotal += read.stored;
        for (const r of read.rows) progress(`${r.protocol}: ${r.result ? `${r.result.messagesPerSecond.toFixed(0)} msgs/s, ${r.result.megabytesPerSecond.toFixed(1)} MB/s` : r.unavailable}`);
      }
      if (cells.has('imap-load')) {
        results.imapLoad = await runImapLoadCell(
          { smtpPort, imapPort: target.ports.imap, pid: target.pid }, { warmupMs: timing.imapLoadWarmupMs, durationMs: timing.imapLoadDurationMs }, progress,
        );
        results.memory.storedTotal += results.imapLoad.messages;
      }
    } finally {
      await reference?.stop();
      await target.stop();
    }
  }
  // The policy and flood cells run their own servers, after the main one has stopped.
  if (cells.has('policy')) results.policy = await runPolicyCells(timing, progress);
  if (cells.has('flood')) results.flood = await runFloodCell(progress);
  if (cells.has('proxy')) results.proxy = await runProxyCell(timing, progress);
  if (cells.has('rules')) Object.assign(results, { rules: await (await import('./cells/rules.js')).runRulesCells(timing, progress) }); // issue 17: 100 routing rules vs none
  if (cells.has('outbound')) (results as BenchResults & { outbound?: unknown }).outbound = await runOutboundCell(timing, progress); // relay queue: queue-and-deliver, submission ingest (issue 16)
  if (cells.has('storage')) results.storage = await (await import('./cells/storage.js')).runStorageCell(timing, progress); // issue 18: the corpus, compacted and plain
  if (cells.has('profile')) {
    results.profile = await runProfileCell(timing.profileDurationMs);
    progress(`profile: ${results.profile.dir}`);
  }
  const text = render(results);
  process.stdout.write(`${text}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${startedAt.toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(results, (_key, value: unknown) => (value instanceof Float64Array ? undefined : value), 2)}\n`);
  process.stdout.write(`\nResults written to ${file}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`bench: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
