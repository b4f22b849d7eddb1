/**
 * The proxy cell (issue 15 §2): 4 KiB × 20 sessions through `tidemail proxy` to Postfix's
 * smtp-sink, one message per connection and persistent, each as a ratio of smtp-sink measured
 * directly in the same run, seconds apart (target ≥ 0.4×), with the proxy's peak RSS and its
 * CPU per message. Every proxied message costs the client's transaction plus the upstream's on
 * a pooled, warm connection: MAIL with the first RCPT pipelined (smtp-sink advertises
 * PIPELINING), DATA while the client sends its body, the body; three writes and three reads
 * upstream, since the proxy answers RCPT and the end of data only after the upstream did. The
 * ratio measures what that honesty costs. The proxy runs with the CLI's own Node flags, on
 * loopback, trusted (no policy delays), and stops before the cell returns.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Timing } from '../options.js';
import { KiB } from '../payloads.js';
import { RssSampler } from '../proc.js';
import { startReference } from '../reference.js';
import { runSmtpCell, type SmtpCellResult } from '../smtp/load.js';
import type { SmtpMode } from '../smtp/session.js';
import { LOAD_INBOXES } from './smtp.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const TARGET_RATIO = 0.4;
const START_TIMEOUT_MS = 30_000;

export interface ProxyRow {
  mode: SmtpMode;
  proxied: SmtpCellResult;
  direct: SmtpCellResult;
  /** proxied ÷ direct. */
  ratio: number;
  targetRatio: number;
}

export interface ProxyOutcome {
  rows: ProxyRow[];
  peakRssBytes: number;
  /** Why the cell did not run, if it did not. */
  unavailable: string | null;
}

/** The Node flags `tidemail` runs with, from its `#!/usr/bin/env -S node …` line (as bench/target.ts reads them). */
function cliNodeFlags(): string[] {
  return readFileSync(CLI, 'utf8').split('\n', 1)[0]!.replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/).filter(Boolean);
}

async function startProxy(upstreamPort: number): Promise<{ pid: number; port: number; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tidemail-bench-proxy-'));
  const child = spawn(process.execPath, [
    ...cliNodeFlags(), CLI, 'proxy', '--upstream', `127.0.0.1:${upstreamPort}`, '--smtp', '127.0.0.1:0', '--data', dataDir,
    '--log-level', 'warn', '--hostname', 'bench.local', '--max-connections-per-ip', '1000', '--upstream-connections', '20',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), START_TIMEOUT_MS);
    await exited;
    clearTimeout(kill);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`tidemail proxy did not start:\n${stderr}`)), START_TIMEOUT_MS);
      child.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^smtp listening on .*:(\d+)$/m.exec(stdout);
        if (match && /^proxying to /m.test(stdout)) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      void exited.then(() => reject(new Error(`tidemail proxy exited:\n${stderr}`)));
    });
    return { pid: child.pid!, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function runProxyCell(timing: Timing, progress: (line: string) => void): Promise<ProxyOutcome> {
  const sink = await startReference();
  if (!sink) return { rows: [], peakRssBytes: 0, unavailable: 'smtp-sink not found (apt-get install postfix)' };
  const rows: ProxyRow[] = [];
  let peakRssBytes = 0;
  try {
    const proxy = await startProxy(sink.port);
    const sampler = new RssSampler(proxy.pid).start();
    try {
      for (const mode of ['per-connection', 'persistent'] as const) {
        const cell = { sizeBytes: 4 * KiB, sessions: 20, mode, warmupMs: timing.smtpWarmupMs, durationMs: timing.smtpDurationMs, maxMessages: timing.smtpMaxMessages, inboxCount: LOAD_INBOXES, inboxPrefix: 'proxy-' };
        const proxied = await runSmtpCell({ ...cell, host: '127.0.0.1', port: proxy.port, serverPid: proxy.pid });
        const direct = await runSmtpCell({ ...cell, host: '127.0.0.1', port: sink.port, serverPid: sink.pid });
        const ratio = direct.messagesPerSecond > 0 ? proxied.messagesPerSecond / direct.messagesPerSecond : 0;
        rows.push({ mode, proxied, direct, ratio, targetRatio: TARGET_RATIO });
        progress(
          `proxy 4 KiB × 20 ${mode}: ${proxied.messagesPerSecond.toFixed(0)} msg/s through the proxy, smtp-sink direct ${direct.messagesPerSecond.toFixed(0)} ` +
            `(ratio ${ratio.toFixed(3)}, target ≥ ${TARGET_RATIO}), p99 ${proxied.latency.p99Ms?.toFixed(1)} ms` +
            (proxied.serverCpuCores !== null && proxied.messagesPerSecond > 0 ? `, proxy CPU ${((proxied.serverCpuCores / proxied.messagesPerSecond) * 1e6).toFixed(0)} µs/msg` : '') +
            (proxied.errors ? `, ${proxied.errors} errors: ${proxied.errorSamples[0]}` : ''),
        );
      }
    } finally {
      peakRssBytes = sampler.stop();
      await proxy.stop();
    }
  } finally {
    await sink.stop();
  }
  progress(`proxy peak RSS ${(peakRssBytes / 2 ** 20).toFixed(1)} MiB`);
  return { rows, peakRssBytes, unavailable: null };
}
