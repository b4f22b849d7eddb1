/**
 * Start the real `tidemail serve` binary (dist/src/cli.js) on free ports with a fresh data dir,
 * as a user would, and read the addresses it prints. Every listener binds 127.0.0.1:0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testCertificate } from './tls-cert.js';
import { forgetApi, registerApi } from './visible.js';

/** A loaded 2-core machine (a TLS certificate made at start, CI's neighbours) may take this long. */
const START_TIMEOUT_MS = 30_000;

export const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

export interface TestServer {
  process: ChildProcess;
  dataDir: string;
  /** protocol name → port, from the "<name> listening on host:port" lines. */
  ports: Record<string, number>;
  smtpPort: number;
  stderr(): string;
  /** Resolves once stderr (the JSON log, see --log-level) has a line matching `pattern`. */
  logged(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** Stop, then remove the data dir: the end of a suite that owns the server. */
  dispose(): Promise<void>;
}

export interface StartOptions {
  /** Extra flags, e.g. ['--domains', 'a.test']. */
  args?: string[];
  /** Reuse a data dir (restart tests); a fresh temporary one otherwise. */
  dataDir?: string;
  /**
   * Listeners whose "listening" line the start waits for (default: all four). The CLI prints
   * the lines only once every listener is bound, so the first one means all are up.
   */
  expect?: string[];
  env?: NodeJS.ProcessEnv;
  /**
   * Let the server generate its own certificate in the data dir, as it does for a user who gives
   * no --tls-cert. Otherwise every test server shares one (see tls-cert.ts), which saves each
   * start a key generation.
   */
  ownCertificate?: boolean;
}

export const LISTENERS: readonly string[] = ['smtp', 'submission', 'http', 'pop3', 'imap'];

/** Flags for an app started in the test process: every listener on a free loopback port. */
export function inProcessArgs(dataDir: string): string[] {
  return [...LISTENERS.flatMap((name) => [`--${name}`, '127.0.0.1:0']), '--data', dataDir];
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tidemail-test-'));
}

export async function startServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? freshDataDir();
  const listenArgs = LISTENERS.flatMap((name) => [`--${name}`, '127.0.0.1:0']);
  const certificateArgs: string[] = [];
  if (!options.ownCertificate) {
    const { certPath, keyPath } = await testCertificate();
    certificateArgs.push('--tls-cert', certPath, '--tls-key', keyPath);
  }
  const child = spawn(process.execPath, [CLI, 'serve', ...listenArgs, '--data', dataDir, '--log-level', 'warn', ...certificateArgs, ...(options.args ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  const stderrWaiters = new Set<() => void>();
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const wake of stderrWaiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const ports: Record<string, number> = {};
  await new Promise<void>((resolve, reject) => {
    // With SMTP, the HTTP API too: the delivery helpers wait on it until what they sent is visible.
    const expected = options.expect?.includes('smtp') ? [...new Set([...options.expect, 'http'])] : (options.expect ?? LISTENERS);
    const check = (): void => {
      if (expected.every((name) => name in ports)) resolve();
    };
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const match of stdout.matchAll(/^(\w+) listening on .*:(\d+)$/gm)) ports[match[1]!] = Number(match[2]);
      check();
    });
    void exited.then((code) => reject(new Error(`tidemail exited with ${code} before listening:\n${stderr}`)));
    setTimeout(() => reject(new Error(`tidemail did not start in time:\n${stderr}`)), START_TIMEOUT_MS).unref();
  }).catch((error: unknown) => {
    // A server that never said it listens is still ours to stop: a test that fails here must not leave it running.
    if (child.exitCode === null) child.kill('SIGKILL');
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });

  // The delivery helpers wait on this server's API until what they sent is visible (visible.ts).
  if (ports.smtp !== undefined && ports.http !== undefined) registerApi(ports.smtp, ports.http);
  const stop = async (): Promise<number | null> => {
    if (ports.smtp !== undefined) forgetApi(ports.smtp);
    if (child.exitCode === null) child.kill('SIGTERM');
    return exited;
  };
  return {
    process: child,
    dataDir,
    ports,
    smtpPort: ports.smtp!,
    stderr: () => stderr,
    logged: (pattern, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          stderrWaiters.delete(wake);
          reject(new Error(`no log line matching ${pattern} in ${timeoutMs} ms:\n${stderr}`));
        }, timeoutMs);
        const wake = (): void => {
          if (!pattern.test(stderr)) return;
          clearTimeout(timer);
          stderrWaiters.delete(wake);
          resolve();
        };
        stderrWaiters.add(wake);
        wake();
      }),
    stop,
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async dispose() {
      await stop();
      removeDataDir(dataDir);
    },
  };
}

export function removeDataDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
