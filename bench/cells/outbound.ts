/**
 * The outbound cell (issue 16 §7): the relay queue, in this process on a fresh state.db, fed
 * 4 KiB messages for 20 domains, each with its own MX name (answered by the tests' DNS server)
 * pointing at Postfix's smtp-sink on 127.0.0.40:25.
 *
 * 1. Durable enqueue: `messages` enqueues (every one committed with synchronous=FULL before its
 *    promise resolves; group commit batches them) with delivery paused; the rate, and the
 *    process RSS with the whole backlog queued (the ≤ 250 MiB at 100,000 target).
 * 2. Queue-and-deliver: delivery starts (MX lookup, 20 destinations, --relay-concurrency 50,
 *    --relay-per-domain 5); sustained deliveries/s until the backlog is drained (target ≥ 2,000),
 *    this process's CPU per delivery (the queue runs here, so this is the server's cost), and
 *    the peak RSS meanwhile.
 * 3. Submission ingest as a ratio to plain ingest (submission.ts), on two servers of their own.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { systemClock } from '../../src/clock.js';
import { NextHopResolver } from '../../src/relay/next-hop.js';
import { DurableRelayQueue } from '../../src/relay/relay-queue.js';
import { SqliteQueueStore } from '../../src/relay/sqlite-queue-store.js';
import { StateDatabase } from '../../src/store/sqlite/state-db.js';
import { startDnsServer, type Zone } from '../../test/helpers/dns-server.js';
import { processMemory, MiB } from '../proc.js';
import type { Timing } from '../options.js';
import { SMTP_SINK } from '../reference.js';
import { runSubmissionCells, type SubmissionResult } from './submission.js';

export interface OutboundResult {
  messages: number;
  domains: number;
  enqueuePerSecond: number;
  rssQueuedBytes: number;
  deliveriesPerSecond: number;
  peakRssDeliveringBytes: number;
  /** This process's CPU time (user + system) per delivery: a figure a loaded machine disturbs less than the rate. */
  cpuMsPerDelivery: number;
  bounced: number;
  deferred: number;
  unavailable?: string;
}

const SINK_ADDRESS = '127.0.0.40';
const DOMAINS = 20;
const MESSAGE_BYTES = 4096;
const ENQUEUE_WINDOW = 1000;

function message(i: number): { to: string; raw: Buffer } {
  const to = `user${i}@d${i % DOMAINS}.bench.test`;
  const head = `From: Bench <bench@tidemail.bench>\r\nTo: ${to}\r\nSubject: outbound ${i}\r\nMessage-ID: <${i}@tidemail.bench>\r\n\r\n`;
  const line = 'The quick brown fox jumps over the lazy dog, outbound bench line.\r\n';
  let body = '';
  while (head.length + body.length + line.length <= MESSAGE_BYTES) body += line;
  return { to, raw: Buffer.from(head + body.padEnd(MESSAGE_BYTES - head.length, 'x')) };
}

/** Queue-and-deliver, then the submission cells. */
export async function runOutboundCell(timing: Timing, progress: (line: string) => void): Promise<OutboundResult & { submission: SubmissionResult }> {
  const delivery = await runQueueAndDeliver(timing.outboundMessages, progress);
  return { ...delivery, submission: await runSubmissionCells(timing, progress) };
}

export async function runQueueAndDeliver(messages: number, progress: (line: string) => void): Promise<OutboundResult> {
  const empty = { messages, domains: DOMAINS, enqueuePerSecond: 0, rssQueuedBytes: 0, deliveriesPerSecond: 0, peakRssDeliveringBytes: 0, cpuMsPerDelivery: 0, bounced: 0, deferred: 0 };
  if (!existsSync(SMTP_SINK)) return { ...empty, unavailable: `${SMTP_SINK} not found (apt-get install postfix)` };
  const sink = spawn(SMTP_SINK, ['-u', userInfo().username, `${SINK_ADDRESS}:25`, '1000'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const sinkExited = new Promise<void>((resolve) => sink.once('exit', () => resolve()));
  const zone: Zone = { 'mx.bench.test': { A: [SINK_ADDRESS] } };
  for (let d = 0; d < DOMAINS; d++) {
    zone[`d${d}.bench.test`] = { MX: [{ preference: 10, exchange: `mx.d${d}.bench.test` }] };
    zone[`mx.d${d}.bench.test`] = { A: [SINK_ADDRESS] };
  }
  const dns = await startDnsServer(zone);
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-bench-outbound-'));
  const state = new StateDatabase(join(dir, 'state.db'));
  let delivered = 0;
  let bounced = 0;
  let deferred = 0;
  let drained: (() => void) | null = null;
  const queue = new DurableRelayQueue({
    store: new SqliteQueueStore(state),
    clock: systemClock,
    hops: new NextHopResolver({ clock: systemClock, dnsServers: [dns.address], smartHost: null }),
    connection: { ehloName: 'bench.local', tls: 'opportunistic', auth: null, connectTimeoutMs: 10_000, socketTimeoutMs: 60_000 },
    retry: { scheduleMs: [300_000], lifetimeMs: 86_400_000 },
    concurrency: 50,
    perDestination: 5,
    hostname: 'bench.local',
    outbox: () => ({ send: async () => undefined }),
    log: pino({ level: 'silent' }),
    onRecorded: (updates) => {
      for (const u of updates) {
        if (u.state === 'delivered') delivered++;
        else if (u.state === 'bounced') bounced++;
        else deferred++;
      }
      if (delivered + bounced + deferred >= messages) drained?.();
    },
  });
  try {
    const enqueueStart = performance.now();
    for (let i = 0; i < messages; i += ENQUEUE_WINDOW) {
      const batch: Promise<number>[] = [];
      for (let j = i; j < Math.min(messages, i + ENQUEUE_WINDOW); j++) {
        const m = message(j);
        batch.push(queue.enqueue({ mailFrom: 'bench@tidemail.bench', recipients: [m.to], raw: m.raw, origin: 'submission' }));
      }
      await Promise.all(batch);
    }
    const enqueueSeconds = (performance.now() - enqueueStart) / 1000;
    global.gc?.();
    const rssQueuedBytes = processMemory(process.pid).rssBytes;
    progress(`outbound: ${messages} queued in ${enqueueSeconds.toFixed(1)} s (${(messages / enqueueSeconds).toFixed(0)} durable enqueues/s), RSS ${(rssQueuedBytes / MiB).toFixed(0)} MiB`);

    let peak = rssQueuedBytes;
    const sampler = setInterval(() => (peak = Math.max(peak, processMemory(process.pid).rssBytes)), 250);
    const done = new Promise<void>((resolve) => (drained = resolve));
    const deliverStart = performance.now();
    const cpuStart = process.cpuUsage();
    queue.start();
    await done;
    const deliverSeconds = (performance.now() - deliverStart) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    clearInterval(sampler);
    const result: OutboundResult = {
      ...empty,
      enqueuePerSecond: messages / enqueueSeconds,
      rssQueuedBytes,
      deliveriesPerSecond: delivered / deliverSeconds,
      peakRssDeliveringBytes: peak,
      cpuMsPerDelivery: (cpu.user + cpu.system) / 1000 / Math.max(1, delivered),
      bounced,
      deferred,
    };
    progress(`outbound: ${delivered} delivered in ${deliverSeconds.toFixed(1)} s = ${result.deliveriesPerSecond.toFixed(0)} deliveries/s (${(result.cpuMsPerDelivery * 1000).toFixed(0)} µs CPU each; ${bounced} bounced, ${deferred} deferred), peak RSS ${(peak / MiB).toFixed(0)} MiB`);
    return result;
  } finally {
    await queue.stop(5_000);
    state.close();
    rmSync(dir, { recursive: true, force: true });
    await dns.close();
    if (sink.exitCode === null) sink.kill('SIGTERM');
    await sinkExited;
  }
}
