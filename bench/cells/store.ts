/**
 * Fill the store with 4 KiB messages at full speed (20 persistent sessions, 100 inboxes
 * "api-0" … "api-99") and stop at checkpoints: at each, read the server's RSS (now and peak),
 * the data dir's size, and bytes on disk per message added; at the checkpoints the options
 * name, run the API cells. Memory should stay flat as the count grows. Filling is bounded in
 * time: if the budget runs out first, the checkpoints not reached are reported as such.
 */
import { KiB } from '../payloads.js';
import { directorySize, processMemory, RssSampler } from '../proc.js';
import { runSmtpCell } from '../smtp/load.js';
import type { Timing } from '../options.js';

export const API_INBOXES = 100;
export const API_PREFIX = 'api-';

export interface Checkpoint {
  /** Messages this phase has stored so far. */
  filled: number;
  rssBytes: number;
  peakRssBytes: number;
  dataDirBytes: number;
  /** (data dir now − before filling) / messages filled. */
  diskBytesPerMessage: number;
  fillRatePerSecond: number;
}

export interface StoreOutcome {
  checkpoints: Checkpoint[];
  /** Highest RSS sampled while filling at full speed. */
  peakRssDuringIngestBytes: number;
  /** Checkpoints not reached in the time budget. */
  missed: number[];
}

export async function fillStore(
  target: { host: string; port: number; pid: number; dataDir: string },
  timing: Timing,
  atCheckpoint: (filled: number) => Promise<void>,
  progress: (line: string) => void,
): Promise<StoreOutcome> {
  const baseDisk = directorySize(target.dataDir).allocatedBytes;
  const sampler = new RssSampler(target.pid).start();
  const deadline = Date.now() + timing.storeFillMaxMs;
  const checkpoints: Checkpoint[] = [];
  const missed: number[] = [];
  let filled = 0;
  try {
    for (const goal of timing.storeCheckpoints) {
      const left = deadline - Date.now();
      if (left <= 0 || filled >= goal) {
        if (filled < goal) missed.push(goal);
        continue;
      }
      sampler.start();
      const run = await runSmtpCell({
        host: target.host,
        port: target.port,
        serverPid: target.pid,
        mode: 'persistent',
        sizeBytes: 4 * KiB,
        sessions: 20,
        warmupMs: 0,
        durationMs: left,
        maxMessages: goal - filled,
        inboxPrefix: API_PREFIX,
        inboxCount: API_INBOXES,
      });
      filled += run.accepted;
      if (filled < goal) {
        missed.push(goal);
        progress(`store: reached ${filled} of ${goal} messages in the time budget`);
        continue;
      }
      const memory = processMemory(target.pid);
      const disk = directorySize(target.dataDir).allocatedBytes;
      const checkpoint: Checkpoint = {
        filled,
        rssBytes: memory.rssBytes,
        peakRssBytes: memory.peakRssBytes,
        dataDirBytes: disk,
        diskBytesPerMessage: (disk - baseDisk) / filled,
        fillRatePerSecond: run.messagesPerSecond,
      };
      checkpoints.push(checkpoint);
      progress(
        `store: ${filled} messages, RSS ${(memory.rssBytes / 2 ** 20).toFixed(0)} MiB (peak ${(memory.peakRssBytes / 2 ** 20).toFixed(0)}), ` +
          `${checkpoint.diskBytesPerMessage.toFixed(0)} B on disk per message, filled at ${run.messagesPerSecond.toFixed(0)} msg/s` +
          (run.errors ? `, ${run.errors} errors: ${run.errorSamples[0]}` : ''),
      );
      sampler.stop();
      await atCheckpoint(filled);
    }
  } finally {
    sampler.stop();
  }
  return { checkpoints, peakRssDuringIngestBytes: sampler.maxRssBytes, missed };
}
