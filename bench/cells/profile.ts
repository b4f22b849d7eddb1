/**
 * Where the server's time goes under the load the main target is quoted at: a separate
 * `tidemail serve` under `node --cpu-prof` takes 4 KiB messages from 20 sessions, one message
 * per connection; on SIGTERM every thread writes its .cpuprofile, and each is summarised as
 * self time per function. The profiles stay in a temporary folder (printed) for DevTools.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readProfile, selfTimes, type SelfTime } from '../cpuprofile.js';
import { KiB } from '../payloads.js';
import { runSmtpCell, type SmtpCellResult } from '../smtp/load.js';
import { startTarget } from '../target.js';
import { LOAD_INBOXES } from './smtp.js';

export interface ThreadProfile {
  thread: string;
  file: string;
  totalMs: number;
  top: SelfTime[];
}

export interface ProfileOutcome {
  dir: string;
  load: SmtpCellResult;
  threads: ThreadProfile[];
}

const TOP = 15;

export async function runProfileCell(durationMs: number): Promise<ProfileOutcome> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-cpuprof-'));
  const target = await startTarget(['--cpu-prof', '--cpu-prof-dir', dir]);
  let load: SmtpCellResult;
  try {
    load = await runSmtpCell({
      host: target.host, port: target.ports.smtp!, serverPid: target.pid, mode: 'per-connection', sizeBytes: 4 * KiB,
      sessions: 20, warmupMs: 500, durationMs, maxMessages: 10_000_000, inboxPrefix: 'load-', inboxCount: LOAD_INBOXES,
    });
  } finally {
    await target.stop();
  }
  const threads = readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((file) => {
      const profile = readProfile(join(dir, file));
      const isWriter = profile.nodes.some((n) => n.callFrame.url.includes('store/sqlite/writer'));
      const isMain = profile.nodes.some((n) => n.callFrame.url.includes('src/cli.js'));
      const { totalMs, functions } = selfTimes(profile);
      return { thread: isWriter ? 'store writer worker' : isMain ? 'main thread' : 'other thread', file, totalMs, top: functions.slice(0, TOP) };
    })
    .sort((a, b) => a.thread.localeCompare(b.thread));
  return { dir, load, threads };
}
