/**
 * strace attached to every thread of a process, logging fsync/fdatasync with the path of each
 * fd (`-y`): the durability tests read from the log which file was synced after which write.
 * Resolves once strace says it is attached, so nothing the test does next goes unseen.
 */
import { spawn } from 'node:child_process';

export async function traceSyncs(pid: number, log: string): Promise<{ stop(): Promise<void> }> {
  const strace = spawn('strace', ['-f', '-y', '-e', 'trace=fsync,fdatasync', '-o', log, '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise<void>((resolve) => strace.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    strace.once('error', (error) => reject(new Error(`strace is installed (.ci/run installs it): ${error.message}`)));
    strace.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/attached/.test(stderr)) resolve();
    });
    void exited.then(() => reject(new Error(`strace could not attach: ${stderr.trim()}`)));
  });
  return {
    async stop() {
      strace.kill('SIGINT');
      await exited;
    },
  };
}
