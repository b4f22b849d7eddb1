/**
 * The bench's output: the machine it ran on (read at run time), and every cell's numbers as
 * Markdown tables, so the terminal output can be pasted into BENCHMARKS.md as it is. Cells that
 * did not run say why. Rates are quoted as ratios to smtp-sink measured in the same run.
 */
import type { ProxyOutcome } from './cells/proxy.js';
import type { StorageOutcome } from './cells/storage.js';
import { cpus, totalmem, release } from 'node:os';
import type { ApiRow } from './cells/api.js';
import type { FloodResult } from './cells/flood.js';
import type { PolicyRow } from './cells/policy.js';
import type { ImapLoadOutcome } from './cells/imap-load.js';
import type { ReadRow } from './cells/mailread.js';
import type { ProfileOutcome } from './cells/profile.js';
import type { SmtpRow } from './cells/smtp.js';
import type { StoreOutcome } from './cells/store.js';
import type { VisibleResult } from './cells/visible.js';
import type { LatencySummary } from './stats.js';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryMiB: number;
  node: string;
  kernel: string;
}

export function machine(): Machine {
  const list = cpus();
  return { cores: list.length, cpuModel: list[0]?.model ?? 'unknown', memoryMiB: Math.round(totalmem() / 2 ** 20), node: process.version, kernel: release() };
}

export interface BenchResults {
  startedAt: string;
  options: { profile: string; big: boolean; cells: string[] };
  machine: Machine;
  reference: string;
  memory: { restRssBytes: number | null; peakRssDuringSmtpBytes: number | null; storedTotal: number };
  smtp: SmtpRow[];
  visible: VisibleResult | null;
  store: StoreOutcome | null;
  api: ApiRow[];
  read: ReadRow[];
  policy: PolicyRow[];
  flood: FloodResult | null;
  imapLoad: ImapLoadOutcome | null;
  proxy?: ProxyOutcome | null;
  storage?: StorageOutcome | null;
  profile: ProfileOutcome | null;
}

const MiB = 2 ** 20;
const n0 = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : Math.round(x).toLocaleString('en-US'));
const ms = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const mib = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : (x / MiB).toFixed(0));
const cores = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(2));

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function latency(l: LatencySummary | null | undefined): [string, string] {
  return [ms(l?.p50Ms), ms(l?.p99Ms)];
}

export function render(results: BenchResults): string {
  const m = results.machine;
  const out: string[] = [];
  out.push(`Tidemail bench, ${results.startedAt}, profile ${results.options.profile}${results.options.big ? ' --big' : ''}`);
  out.push(`Machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryMiB.toLocaleString('en-US')} MiB memory, Node ${m.node}, Linux ${m.kernel}`);
  out.push(`Reference: ${results.reference}`);
  if (results.smtp.length) {
    out.push('', '### SMTP ingest (durable store on; latency = end of DATA → 250, ms)', '');
    out.push(table(
      ['size', 'sessions', 'mode', 'Tidemail msg/s', 'p50', 'p99', 'smtp-sink msg/s', 'p50', 'p99', 'ratio', 'target', 'server CPU', 'client CPU', 'errors'],
      results.smtp.map((r) => [
        `${r.sizeBytes / 1024} KiB`, String(r.sessions), r.mode,
        n0(r.tidemail.messagesPerSecond), ...latency(r.tidemail.latency),
        n0(r.reference?.messagesPerSecond), ...latency(r.reference?.latency),
        r.ratio === null ? '–' : `${r.ratio.toFixed(3)}×`,
        r.targetRatio === null ? '' : `≥ ${r.targetRatio}× ${r.ratio === null ? '' : r.ratio >= r.targetRatio ? 'met' : 'MISSED'}`,
        cores(r.tidemail.serverCpuCores), cores(r.tidemail.clientCpuCores),
        String(r.tidemail.errors + (r.reference?.errors ?? 0)),
      ]),
    ));
    out.push('', 'CPU in cores (1.00 = one core busy); smtp-sink rows\' client CPU is in the JSON.');
  }
  if (results.visible) {
    const v = results.visible;
    out.push('', '### Time to visible (250 → visible, under 4 KiB × 20 one-per-connection ingest)', '');
    if (v.unavailable) out.push(`Time to visible: ${v.unavailable}`);
    else {
      out.push(table(['path', 'probes', 'p50 ms', 'p99 ms', 'target'], [
        ['SSE `message` event', n0(v.sse?.count), ...latency(v.sse), 'p99 ≤ 50 ms'],
        ['API listing (back-to-back polls)', n0(v.listing?.count), ...latency(v.listing), 'p99 ≤ 50 ms'],
      ]));
      out.push('', `Background ingest meanwhile: ${n0(v.background?.messagesPerSecond)} msg/s.${v.errors.length ? ` Errors: ${v.errors.join('; ')}` : ''}`);
    }
  }
  if (results.api.length) {
    out.push('', '### HTTP API (50 keep-alive connections)', '');
    out.push(table(['endpoint', 'messages stored', 'requests/s', 'p50 ms', 'p99 ms', 'mean response bytes', 'server CPU', 'client CPU', 'errors'],
      results.api.map((r) => r.result
        ? [r.endpoint, n0(r.stored), n0(r.result.requestsPerSecond), ...latency(r.result.latency), n0(r.result.meanResponseBytes), cores(r.result.serverCpuCores), cores(r.result.clientCpuCores), `${r.result.errors}${r.result.errors ? ` (${r.result.errorSamples[0]})` : ''}`]
        : [r.endpoint, n0(r.stored), r.unavailable ?? '–', '', '', '', '', '', ''])));
    out.push('', 'Target: listing with 10,000 stored ≥ 5,000 requests/s, p99 < 10 ms.');
  }
  if (results.read.length) {
    out.push('', '### POP3 RETR / IMAP FETCH (one connection, 4 KiB messages)', '');
    out.push(table(['protocol', 'maildrop', 'msgs/s', 'MB/s', 'client CPU'], results.read.map((r) => r.result
      ? [r.protocol === 'pop3' ? 'POP3 RETR' : 'IMAP UID FETCH 1:* BODY.PEEK[]', n0(r.messagesInMaildrop), n0(r.result.messagesPerSecond), r.result.megabytesPerSecond.toFixed(1), cores(r.result.clientCpuCores)]
      : [r.protocol === 'pop3' ? 'POP3 RETR' : 'IMAP FETCH', n0(r.messagesInMaildrop), r.unavailable ?? '–', '', ''])));
  }
  if (results.policy.length) {
    out.push('', '### Policy on the ingest path (4 KiB × 20; client trusted vs. untrusted with every filter evaluated)', '');
    out.push(table(['mode', 'policy off msg/s', 'p99', 'policy on msg/s', 'p99', 'on ÷ off', 'target', 'errors'], results.policy.map((r) => [
      r.mode, n0(r.off.messagesPerSecond), ms(r.off.latency.p99Ms), n0(r.on.messagesPerSecond), ms(r.on.latency.p99Ms),
      `${r.ratio.toFixed(3)}×`, `≥ 0.95× ${r.ratio >= 0.95 ? 'met' : 'MISSED'}`, String(r.off.errors + r.on.errors),
    ])));
  }
  if (results.flood) {
    const f = results.flood;
    out.push('', '### Flood (10,000 idle connections from 50 addresses, then 20 sends from another)', '');
    out.push(table(['idle attempts', 'sends acknowledged', 'stored', 'send p50 ms', 'send p99 ms', 'target', 'peak RSS MiB', 'target'], [[
      n0(f.idleAttempts), `${f.acknowledged}/${f.sends}`, n0(f.stored), ...latency(f.latency),
      `p99 < 1,000 ms ${f.latency.p99Ms !== null && f.latency.p99Ms < 1000 && f.acknowledged === f.sends ? 'met' : 'MISSED'}`,
      mib(f.peakRssBytes), `< 512 ${f.peakRssBytes < 512 * MiB ? 'met' : 'MISSED'}`,
    ]]));
    if (f.errors.length) out.push('', `Errors: ${f.errors.join('; ')}`);
  }
  if (results.imapLoad) out.push(...imapLoadSection(results.imapLoad));
  if (results.proxy) out.push(...proxySection(results.proxy));
  if (results.storage) out.push(...storageSection(results.storage));
  out.push('', '### Memory and disk', '');
  const mem = results.memory;
  const rows: string[][] = [
    ['at rest (after start)', mib(mem.restRssBytes), ''],
    ['peak during the SMTP cells', mib(mem.peakRssDuringSmtpBytes), ''],
  ];
  if (results.store) {
    rows.push(['peak while filling the store at full speed', mib(results.store.peakRssDuringIngestBytes), '']);
    for (const c of results.store.checkpoints) {
      rows.push([`after ${n0(c.filled)} stored 4 KiB messages (filled at ${n0(c.fillRatePerSecond)} msg/s)`, `${mib(c.rssBytes)} (VmHWM ${mib(c.peakRssBytes)})`, `${n0(c.diskBytesPerMessage)} B/message, data dir ${mib(c.dataDirBytes)} MiB`]);
    }
    for (const goal of results.store.missed) rows.push([`${n0(goal)} stored messages`, 'not reached in the time budget', '']);
  }
  out.push(table(['server', 'RSS MiB', 'disk'], rows));
  out.push('', 'Targets: peak RSS under full-speed ingest ≤ 200 MiB, flat as the store grows.');
  if (results.profile) {
    const p = results.profile;
    out.push('', `### CPU profile (4 KiB × 20 sessions, one message per connection: ${n0(p.load.messagesPerSecond)} msg/s under --cpu-prof)`, '', `Profiles: ${p.dir}`);
    for (const t of p.threads) {
      out.push('', `${t.thread} (${n0(t.totalMs)} ms sampled):`, '');
      out.push(table(['self %', 'self ms', 'function', 'where'], t.top.map((f) => [f.percent.toFixed(1), n0(f.selfMs), `\`${f.function}\``, f.location])));
    }
  }
  return out.join('\n');
}

/** The imap-load cell: Tidemail beside Dovecot under the same 50-client mix. */
function imapLoadSection(r: ImapLoadOutcome): string[] {
  const out = ['', `### IMAP under ${r.clients} clients (${n0(r.messages)} messages; 40 % FETCH n (FLAGS ENVELOPE), 20 % UID FETCH u BODY.PEEK[], 20 % SEARCH SUBJECT, 10 % STORE +FLAGS \\Seen, 10 % NOOP)`, ''];
  if (r.unavailable) return [...out, `imap-load: ${r.unavailable}`];
  out.push(`Reference: ${r.referenceName}`, '');
  const row = (name: string, m: ImapLoadOutcome['tidemail']): string[] => m
    ? [name, n0(m.commandsPerSecond), ...latency(m.latency), ...latency(m.greeting), cores(m.serverCpuCores), ms(m.serverCpuMsPerCommand), cores(m.clientCpuCores), String(m.errors)]
    : [name, 'not run', '', '', '', '', '', '', '', ''];
  out.push(table(['server', 'commands/s', 'p50 ms', 'p99 ms', 'greeting p50 ms', 'greeting p99 ms', 'server CPU', 'CPU ms/command', 'client CPU', 'errors'], [row('Tidemail', r.tidemail), row('Dovecot', r.reference)]));
  const ratio = r.ratio === null ? '–' : `${r.ratio.toFixed(2)}×`;
  const greetingP99 = r.tidemail?.greeting.p99Ms ?? null;
  const rss = r.tidemailPeakRssBytes;
  out.push('', `Ratio Tidemail / Dovecot: ${ratio} (target ≥ 1×${r.ratio === null ? '' : r.ratio >= 1 ? ', met' : ', MISSED'}); greeting p99 under the load ${greetingP99 === null ? '–' : `${greetingP99.toFixed(1)} ms`} (target ≤ 50 ms${greetingP99 === null ? '' : greetingP99 <= 50 ? ', met' : ', MISSED'}); Tidemail peak RSS ${mib(rss)} MiB (target ≤ 250 MiB${rss === null ? '' : rss <= 250 * 2 ** 20 ? ', met' : ', MISSED'}).`);
  const errors = [...(r.tidemail?.errorSamples ?? []), ...(r.reference?.errorSamples ?? [])];
  if (errors.length) out.push('', `Errors: ${errors.join('; ')}`);
  return out;
}

function proxySection(p: ProxyOutcome): string[] {
  const out = ['', '### Proxy (4 KiB × 20 through `tidemail proxy` to smtp-sink, against smtp-sink direct, same run)', ''];
  if (p.unavailable) return [...out, `Proxy: ${p.unavailable}`];
  out.push(table(['mode', 'proxied msg/s', 'p99 ms', 'direct msg/s', 'p99 ms', 'ratio', 'target'], p.rows.map((r) => [
    r.mode, n0(r.proxied.messagesPerSecond), ms(r.proxied.latency.p99Ms), n0(r.direct.messagesPerSecond), ms(r.direct.latency.p99Ms),
    `${r.ratio.toFixed(3)}×`, `≥ ${r.targetRatio}× ${r.ratio >= r.targetRatio ? 'met' : 'MISSED'}`,
  ])));
  out.push('', `Proxy peak RSS: ${mib(p.peakRssBytes)} MiB.`);
  return out;
}

function storageSection(s: StorageOutcome): string[] {
  const out = ['', '### Storage (issue 18: the transactional corpus, 8 persistent sessions)', ''];
  out.push(table(['store', 'messages', 'raw MiB', 'disk MiB', 'disk ÷ raw', 'target', 'counted ÷ raw', 'ingest msg/s', 'server CPU µs/msg', 'peak RSS MiB'], s.fills.map((f) => {
    const target = f.label === 'plain' ? '' : f.label === 'compacted' ? '≤ 0.30×' : '≤ 0.90×';
    const limit = f.label === 'compacted' ? 0.3 : 0.9;
    const counted = f.storedBytes !== null && f.heldRawBytes ? `${(f.storedBytes / f.heldRawBytes).toFixed(3)}×` : '–';
    return [f.label, n0(f.messages), mib(f.rawBytes), mib(f.diskBytes), `${f.diskPerRaw.toFixed(3)}×`, target && `${target} ${f.diskPerRaw <= limit ? 'met' : 'MISSED'}`, counted,
      n0(f.messagesPerSecond), f.serverCpuUsPerMessage === null ? '–' : n0(f.serverCpuUsPerMessage), mib(f.peakRssBytes)];
  })));
  out.push('', `Ingest compacted ÷ plain: ${s.ingestRatio === null ? '–' : `${s.ingestRatio.toFixed(3)}×`} (target ≥ 0.90×). ` +
    `Fetch GET /api/v1/messages/{id}: ${s.fetch ? `${n0(s.fetch.requestsPerSecond)} req/s, p99 ${ms(s.fetch.latency.p99Ms)} ms` : '–'} (target ≥ 10,000). ` +
    `IMAP UID FETCH 1:* BODY.PEEK[]: ${s.imap ? `${n0(s.imap.messagesPerSecond)} msg/s` : '–'} (target ≥ 20,000). Peak RSS target ≤ 200 MiB.${s.errors.length ? ` Errors: ${s.errors.join('; ')}` : ''}`);
  out.push('', table(['codec alone (CPU per message)', 'messages', 'encode µs', 'decode µs', 'payload ÷ raw'], s.codec.map((c) => [c.part, n0(c.messages), n0(c.encodeUs), n0(c.decodeUs), `${c.storedPerRaw.toFixed(3)}×`])));
  return out;
}
