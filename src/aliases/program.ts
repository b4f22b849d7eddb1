/**
 * Program aliases: run a program under --alias-program-dir with the message on its stdin, as
 * aliases(5)'s `"|/path/cmd args"`, but with no shell (argv split on blanks, nothing expanded),
 * the envelope in its environment (SENDER, RECIPIENT — the alias's original recipients, comma
 * separated — CLIENT_ADDRESS, USER and PATH from ours), a time limit (--alias-program-timeout,
 * then SIGKILL) and a cap on the output kept (the first OUTPUT_CAP_BYTES of stdout and stderr,
 * for the log and the reply text; the rest is read and dropped so the program never blocks on
 * a full pipe).
 *
 * The exit status is the verdict, by sysexits(3), as Postfix's local(8) reads it: 0 delivered;
 * EX_TEMPFAIL (75), EX_OSERR (71) and a timeout or a failure to start are temporary (451);
 * every other status is permanent (550 with the enhanced code sysexits implies).
 */
import { spawn } from 'node:child_process';

export const OUTPUT_CAP_BYTES = 16 * 1024;

export type ProgramOutcome = { ok: true } | { ok: false; temporary: boolean; enhanced: string; text: string };

export interface ProgramRun {
  argv: readonly string[];
  input: Buffer;
  env: Record<string, string>;
  timeoutMs: number;
}

/** sysexits(3) → permanence and RFC 3463 code, as Postfix's sys_exits table. */
const SYSEXITS: Record<number, { name: string; temporary: boolean; enhanced: string }> = {
  64: { name: 'EX_USAGE', temporary: false, enhanced: '5.3.0' },
  65: { name: 'EX_DATAERR', temporary: false, enhanced: '5.6.0' },
  66: { name: 'EX_NOINPUT', temporary: false, enhanced: '5.3.0' },
  67: { name: 'EX_NOUSER', temporary: false, enhanced: '5.1.1' },
  68: { name: 'EX_NOHOST', temporary: false, enhanced: '5.1.2' },
  69: { name: 'EX_UNAVAILABLE', temporary: false, enhanced: '5.3.0' },
  70: { name: 'EX_SOFTWARE', temporary: false, enhanced: '5.3.0' },
  71: { name: 'EX_OSERR', temporary: true, enhanced: '4.3.0' },
  72: { name: 'EX_OSFILE', temporary: false, enhanced: '5.3.0' },
  73: { name: 'EX_CANTCREAT', temporary: false, enhanced: '5.2.0' },
  74: { name: 'EX_IOERR', temporary: false, enhanced: '5.3.0' },
  75: { name: 'EX_TEMPFAIL', temporary: true, enhanced: '4.3.0' },
  76: { name: 'EX_PROTOCOL', temporary: false, enhanced: '5.5.0' },
  77: { name: 'EX_NOPERM', temporary: false, enhanced: '5.7.0' },
  78: { name: 'EX_CONFIG', temporary: false, enhanced: '5.3.5' },
};

export function runProgram(run: ProgramRun): Promise<ProgramOutcome> {
  return new Promise((resolve) => {
    const [command, ...args] = run.argv;
    const child = spawn(command!, args, { shell: false, env: run.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = Buffer.alloc(0);
    const keep = (chunk: Buffer): void => {
      if (output.length < OUTPUT_CAP_BYTES) output = Buffer.concat([output, chunk.subarray(0, OUTPUT_CAP_BYTES - output.length)]);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, run.timeoutMs);
    // A program that exits without reading all its input must not fail the write (EPIPE).
    child.stdin.on('error', () => undefined);
    child.stdin.end(run.input);
    const name = command!.split('/').pop();
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, temporary: true, enhanced: '4.3.0', text: `${name} could not be started: ${error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return resolve({ ok: false, temporary: true, enhanced: '4.3.0', text: `${name} timed out after ${run.timeoutMs} ms` });
      if (code === 0) return resolve({ ok: true });
      const said = firstLine(output);
      if (code === null) return resolve({ ok: false, temporary: true, enhanced: '4.3.0', text: `${name} was killed by ${signal}${said}` });
      const exit = SYSEXITS[code];
      resolve({ ok: false, temporary: exit?.temporary ?? false, enhanced: exit?.enhanced ?? '5.3.0', text: `${name} exited with ${code}${exit ? ` (${exit.name})` : ''}${said}` });
    });
  });
}

/** The program's first line of output, for the reply text: printable ASCII only. */
function firstLine(output: Buffer): string {
  const line = output.toString('utf8').split('\n', 1)[0]!.replace(/[^\x20-\x7e]/g, '').trim().slice(0, 200);
  return line ? `: ${line}` : '';
}
