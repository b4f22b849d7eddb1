/**
 * The reference server: Postfix's smtp-sink (smtp-sink(1)), which accepts SMTP, advertises
 * PIPELINING and throws every message away, with no size limit. Run side by side with
 * Tidemail in the same run, it gives the ratio we quote on a shared, noisy machine.
 * `-c` keeps its running counters; `-u root` is required when started as root.
 * Missing binary → null, and the caller prints that the reference was skipped.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';

export const SMTP_SINK = '/usr/sbin/smtp-sink';
const BACKLOG = 1000;
const START_TIMEOUT_MS = 5_000;

export interface Reference {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 now, for a reference server we start (smtp-sink, Dovecot). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startReference(): Promise<Reference | null> {
  if (!existsSync(SMTP_SINK)) return null;
  const port = await freePort();
  const user = userInfo().username;
  const child = spawn(SMTP_SINK, ['-c', '-u', user, `127.0.0.1:${port}`, String(BACKLOG)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await accepting(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`smtp-sink did not start: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    pid: child.pid!,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
