/**
 * What the bench reads about processes and disk, from Linux's /proc (proc(5)): a process's
 * resident memory (VmRSS now, VmHWM its peak so far, from /proc/<pid>/status), its CPU time
 * (utime + stime from /proc/<pid>/stat, in clock ticks), and the size of a directory tree.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Linux's USER_HZ, fixed at 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;
const KIB = 1024;
export const MiB = 1024 * 1024;

export interface Memory {
  rssBytes: number;
  peakRssBytes: number;
}

/** Parse the VmRSS and VmHWM lines of a /proc/<pid>/status text. */
export function parseStatusMemory(status: string): Memory {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(status);
    if (!match) throw new Error(`no ${name} in /proc status`);
    return Number(match[1]) * KIB;
  };
  return { rssBytes: field('VmRSS'), peakRssBytes: field('VmHWM') };
}

export function processMemory(pid: number): Memory {
  return parseStatusMemory(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** CPU seconds (user + system) a process has used, all threads included. */
export function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; fields are counted after its closing ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds this process (the bench, its worker threads included) has used. */
export function ownCpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

export interface DiskUsage {
  /** Sum of file sizes. */
  apparentBytes: number;
  /** Blocks actually allocated (what `du` reports). */
  allocatedBytes: number;
}

export function directorySize(dir: string): DiskUsage {
  const total: DiskUsage = { apparentBytes: 0, allocatedBytes: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = directorySize(path);
      total.apparentBytes += inner.apparentBytes;
      total.allocatedBytes += inner.allocatedBytes;
    } else if (entry.isFile()) {
      const stat = statSync(path);
      total.apparentBytes += stat.size;
      total.allocatedBytes += stat.blocks * 512;
    }
  }
  return total;
}

/** Samples a process's RSS every `intervalMs` and remembers the highest reading. */
export class RssSampler {
  private timer: NodeJS.Timeout | null = null;
  maxRssBytes = 0;

  constructor(private readonly pid: number, private readonly intervalMs = 100) {}

  start(): this {
    if (this.timer) return this;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  private sample(): void {
    try {
      this.maxRssBytes = Math.max(this.maxRssBytes, processMemory(this.pid).rssBytes);
    } catch {
      // The process has exited; the last reading stands.
    }
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return this.maxRssBytes;
  }
}
