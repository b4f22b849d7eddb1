/**
 * Start `tidemail serve` (dist/src/cli.js) as a user would, on 127.0.0.1 with every listener on
 * port 0 and a fresh temporary data dir, and read the bound ports from its stdout lines
 * "<name> listening on host:port". Retention and per-inbox caps are off so they do not
 * interfere with what is measured. Optional extra node flags (e.g. --cpu-prof) for profiling.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** The Node flags `tidemail` runs with, from its `#!/usr/bin/env -S node …` line: measure what users run. */
function cliNodeFlags(): string[] {
  const shebang = readFileSync(CLI, 'utf8').split('\n', 1)[0]!;
  return shebang.replace(/^#!.*?\bnode\b/, '').trim().split(/\s+/).filter(Boolean);
}
const LISTENERS = ['smtp', 'submission', 'http', 'pop3', 'imap'] as const;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
/** After the smtp line, how long to wait for the other listeners' lines (printed together). */
const SETTLE_MS = 300;

export const SERVE_FLAGS = ['--log-level', 'warn', '--max-per-inbox', '0', '--retention', '0', '--max-connections-per-ip', '1000', '--hostname', 'bench.local'];

export interface Target {
  pid: number;
  dataDir: string;
  /** listener name → port, only for the listeners the server printed. */
  ports: Record<string, number>;
  host: string;
  stop(): Promise<void>;
}

/** `extraArgs` come after SERVE_FLAGS, so they override them (a later flag wins). */
export async function startTarget(nodeFlags: string[] = [], extraArgs: string[] = []): Promise<Target> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tidemail-bench-'));
  const listenArgs = LISTENERS.flatMap((name) => [`--${name}`, '127.0.0.1:0']);
  const child = spawn(process.execPath, [...cliNodeFlags(), ...nodeFlags, CLI, 'serve', ...listenArgs, '--data', dataDir, ...SERVE_FLAGS, ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ports = await readPorts(child, () => stderr);
  return {
    pid: child.pid!,
    dataDir,
    ports,
    host: '127.0.0.1',
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function readPorts(child: ChildProcess, stderr: () => string): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  let stdout = '';
  return new Promise((resolve, reject) => {
    let settle: NodeJS.Timeout | null = null;
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tidemail did not start within ${START_TIMEOUT_MS} ms:\n${stderr()}`));
    }, START_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const match of stdout.matchAll(/^(\w+) listening on .*:(\d+)$/gm)) ports[match[1]!] = Number(match[2]);
      if ('smtp' in ports) {
        if (settle) clearTimeout(settle);
        settle = setTimeout(() => {
          clearTimeout(timeout);
          resolve(ports);
        }, SETTLE_MS);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timeout);
      reject(new Error(`tidemail exited with ${code} before listening:\n${stderr()}`));
    });
  });
}
