/**
 * The submission-ingest cell (issue 16 §7, part of `--only outbound`): what accepting mail to
 * be relayed costs next to accepting mail for ourselves, as a ratio measured in the same run.
 *
 * Two `tidemail serve` processes side by side, each on a fresh data dir, driven by the same
 * load generator as the SMTP cells (4 KiB × 20 sessions, per-connection and persistent):
 * - plain: bench.test is ours (every domain is, by default): each message is stored.
 * - relay: `--domains tidemail.bench`, so bench.test is another domain, and
 *   `--relay-networks 127.0.0.0/8` lets the loopback client relay without AUTH: each message is
 *   queued (committed durably in state.db before the 250). The generator speaks no AUTH; what
 *   AUTH adds is one login per session, measured on its own below.
 * The relay's smart host is a listener that accepts connections and never greets, so delivery
 * stalls (a few connections wait for a greeting) and the window measures ingest alone. The
 * queue's size afterwards (from /metrics) shows the accepted messages were queued, not stored.
 *
 * AUTH: a few sequential AUTH PLAIN logins on the relay server's submission port
 * (`--allow-insecure-auth`, a users file with one scrypt hash): ms per login, which a
 * per-connection submitter pays once per message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/password.js';
import { RawSmtpClient } from '../../test/helpers/smtp-client.js';
import type { Timing } from '../options.js';
import { KiB } from '../payloads.js';
import { runSmtpCell, type SmtpCellResult } from '../smtp/load.js';
import type { SmtpMode } from '../smtp/session.js';
import { startTarget, type Target } from '../target.js';

export interface SubmissionRow {
  mode: SmtpMode;
  sessions: number;
  sizeBytes: number;
  plain: SmtpCellResult;
  relayed: SmtpCellResult;
  /** Relayed over plain messages/s. */
  ratio: number;
  /** Server CPU per accepted message, µs (cores used ÷ rate): what a loaded machine disturbs less. */
  plainCpuUsPerMessage: number | null;
  relayedCpuUsPerMessage: number | null;
}

export interface SubmissionResult {
  rows: SubmissionRow[];
  /** Messages the relay server held in its queue at the end (all it accepted, if it queued them). */
  queuedMessages: number | null;
  relayedAccepted: number;
  /** Milliseconds per AUTH PLAIN login, in order. */
  authLoginMs: number[];
}

const SESSIONS = 20;
const SIZE_BYTES = 4 * KiB;
const MODES: readonly SmtpMode[] = ['per-connection', 'persistent'];
const AUTH_LOGINS = 5;
const BENCH_USER = 'bench';
const BENCH_PASSWORD = 'bench-password';

/** A next hop that accepts TCP connections and never says a word: the relay waits for its greeting. */
async function silentSmartHost(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function cpuUsPerMessage(result: SmtpCellResult): number | null {
  if (result.serverCpuCores === null || result.messagesPerSecond === 0) return null;
  return (result.serverCpuCores / result.messagesPerSecond) * 1e6;
}

async function queuedMessages(target: Target): Promise<number | null> {
  const response = await fetch(`http://127.0.0.1:${target.ports.http}/metrics`);
  const match = /^tidemail_relay_queued_messages (\d+)/m.exec(await response.text());
  return match ? Number(match[1]) : null;
}

async function authLogins(port: number): Promise<number[]> {
  const initial = Buffer.from(`\0${BENCH_USER}\0${BENCH_PASSWORD}`).toString('base64');
  const times: number[] = [];
  for (let i = 0; i < AUTH_LOGINS; i++) {
    const { client } = await RawSmtpClient.open(port);
    try {
      await client.send('EHLO bench.client.test');
      const startedAt = performance.now();
      const reply = await client.send(`AUTH PLAIN ${initial}`);
      if (reply.code !== 235) throw new Error(`AUTH PLAIN: ${reply.text.trim()}`);
      times.push(performance.now() - startedAt);
      await client.send('QUIT');
    } finally {
      client.close();
    }
  }
  return times;
}

export async function runSubmissionCells(timing: Timing, progress: (line: string) => void): Promise<SubmissionResult> {
  const smartHost = await silentSmartHost();
  const scratch = mkdtempSync(join(tmpdir(), 'tidemail-bench-submission-'));
  let plain: Target | null = null;
  let relay: Target | null = null;
  try {
    plain = await startTarget();
    const users = join(scratch, 'users');
    writeFileSync(users, `${BENCH_USER}:${await hashPassword(BENCH_PASSWORD)}\n`);
    relay = await startTarget([], [
      '--domains', 'tidemail.bench',
      '--relay-networks', '127.0.0.0/8',
      '--smart-host', `127.0.0.1:${smartHost.port}`,
      '--relay-connect-timeout', '1h',
      '--allow-insecure-auth', 'on',
      '--users', users,
    ]);
    const base = { sessions: SESSIONS, sizeBytes: SIZE_BYTES, warmupMs: timing.smtpWarmupMs, durationMs: timing.smtpDurationMs, maxMessages: timing.smtpMaxMessages, inboxPrefix: 'load-', inboxCount: 1000 };
    const rows: SubmissionRow[] = [];
    let relayedAccepted = 0;
    for (const mode of MODES) {
      const plainResult = await runSmtpCell({ ...base, mode, host: plain.host, port: plain.ports.smtp!, serverPid: plain.pid });
      const relayed = await runSmtpCell({ ...base, mode, host: relay.host, port: relay.ports.smtp!, serverPid: relay.pid });
      relayedAccepted += relayed.accepted;
      const row: SubmissionRow = {
        mode,
        sessions: SESSIONS,
        sizeBytes: SIZE_BYTES,
        plain: plainResult,
        relayed,
        ratio: plainResult.messagesPerSecond > 0 ? relayed.messagesPerSecond / plainResult.messagesPerSecond : 0,
        plainCpuUsPerMessage: cpuUsPerMessage(plainResult),
        relayedCpuUsPerMessage: cpuUsPerMessage(relayed),
      };
      rows.push(row);
      const cpu = (us: number | null): string => (us === null ? '–' : `${us.toFixed(0)} µs`);
      progress(
        `submission 4 KiB × ${SESSIONS} ${mode}: relayed ${relayed.messagesPerSecond.toFixed(0)} msg/s vs plain ${plainResult.messagesPerSecond.toFixed(0)} = ${row.ratio.toFixed(3)}× ` +
          `(server CPU per message ${cpu(row.relayedCpuUsPerMessage)} vs ${cpu(row.plainCpuUsPerMessage)})` +
          (relayed.errors + plainResult.errors ? `, errors: ${[...relayed.errorSamples, ...plainResult.errorSamples][0]}` : ''),
      );
    }
    const queued = await queuedMessages(relay);
    const authLoginMs = await authLogins(relay.ports.submission!);
    const sorted = [...authLoginMs].sort((a, b) => a - b);
    progress(
      `submission: ${queued ?? '?'} of ${relayedAccepted} accepted messages held in the relay queue; AUTH PLAIN login ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms (median of ${AUTH_LOGINS}, scrypt)`,
    );
    return { rows, queuedMessages: queued, relayedAccepted, authLoginMs };
  } finally {
    await smartHost.close();
    await relay?.stop();
    await plain?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
