/**
 * `command`: a program answers. The message (its stored bytes) is on the program's standard
 * input; its standard output is the reply, with header fields allowed at the top (`Subject: …`
 * then a blank line). Empty output means no reply; a non-zero exit is a failure (logged, tried
 * again later by the worker).
 *
 * Safety: the program is a file name inside `--agent-program-dir` (no path, no `..`; the real
 * path is checked at every run so a symlink cannot lead out), started without a shell, with
 * only PATH and TIDEMAIL_* variables in its environment, killed after `timeout` (default 10 s)
 * or once its output passes `maxOutput` bytes (default 1 MiB).
 */
import { spawn } from 'node:child_process';
import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { splitHeadedText } from '../compose.js';
import { AgentConfigError, durationOption, numberOption, onlyOptions, stringListOption, stringOption, type Agent, type AgentContext, type KindDeps, type Options } from '../kind.js';

const STDERR_KEPT_BYTES = 2048;

interface Run {
  path: string;
  args: string[];
  timeoutMs: number;
  maxOutputBytes: number;
}

/** The program's real path, refused if it is not a file inside the program dir. */
function programPath(dir: string, program: string): string {
  if (dir === '') throw new AgentConfigError('command agents need --agent-program-dir');
  if (program === '' || program.includes('/') || program.includes('\\') || program === '.' || program === '..') throw new AgentConfigError(`"program" must be a file name inside --agent-program-dir, not "${program}"`);
  const root = realpathSync(dir);
  let path: string;
  try {
    path = realpathSync(join(root, program));
  } catch {
    throw new AgentConfigError(`"program" ${program} is not in ${root}`);
  }
  if (!path.startsWith(root + sep) || !statSync(path).isFile()) throw new AgentConfigError(`"program" ${program} is not a file inside ${root}`);
  return path;
}

function run(spec: Run, stdin: Buffer, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.path, spec.args, { shell: false, stdio: ['pipe', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    let failure: Error | null = null;
    const fail = (error: Error): void => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => fail(new Error(`timed out after ${spec.timeoutMs} ms`)), spec.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > spec.maxOutputBytes) return fail(new Error(`wrote more than ${spec.maxOutputBytes} bytes`));
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_KEPT_BYTES) stderr += chunk.toString('utf8', 0, STDERR_KEPT_BYTES - stderr.length);
    });
    // A program that does not read its input closes the pipe early: not a failure of ours.
    child.stdin.on('error', () => {});
    child.stdin.end(stdin);
    child.once('error', (error) => fail(error));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      if (code !== 0) return reject(new Error(`exited with ${code ?? signal}${stderr ? `: ${stderr.trim()}` : ''}`));
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}

export function commandAgent(options: Options, deps: KindDeps): Agent {
  onlyOptions(options, ['program', 'args', 'timeout', 'maxOutput']);
  const program = stringOption(options, 'program');
  programPath(deps.programDir, program);
  const args = stringListOption(options, 'args');
  const timeoutMs = durationOption(options, 'timeout', 10_000);
  const maxOutputBytes = numberOption(options, 'maxOutput', 1024 * 1024, 1, 64 * 1024 * 1024);
  return {
    oncePerSenderMs: 0,
    async answer(context: AgentContext) {
      const env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        TIDEMAIL_AGENT: context.agentName,
        TIDEMAIL_SENDER: context.message.envelope.mailFrom,
        TIDEMAIL_RECIPIENT: context.address,
        TIDEMAIL_MESSAGE_ID: String(context.message.id),
      };
      const output = await run({ path: programPath(deps.programDir, program), args, timeoutMs, maxOutputBytes }, await context.raw(), env).catch((error: Error) => {
        throw new Error(`program ${program} ${error.message}`);
      });
      return output.trim() === '' ? null : splitHeadedText(output);
    },
  };
}
