/**
 * The proxy tests' peers, each a real process on loopback: `tidemail proxy` itself (the CLI, as
 * a user runs it), the scripted aiosmtpd upstream (scripted_upstream.py) and Postfix's
 * smtp-sink. Each start returns a handle whose stop() ends the process and removes its files;
 * a test stops everything it started in `finally`/`after`, pass or fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../bench/reference.js';
import { CLI } from '../helpers/server.js';
import { RawSmtpClient, type SmtpReply } from '../helpers/smtp-client.js';
import { testCertificate } from '../helpers/tls-cert.js';

const SCRIPTED_UPSTREAM = fileURLToPath(new URL('../../../test/proxy/scripted_upstream.py', import.meta.url));
export const SMTP_SINK = '/usr/sbin/smtp-sink';
const START_TIMEOUT_MS = 20_000;

interface Spawned {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves once stdout matches `pattern` (its match), rejects if the process exits or after a deadline. */
  printed(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

function spawnWatched(command: string, args: string[]): Spawned {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', () => {
    for (const wake of waiters) wake();
  });
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    printed: (pattern, timeoutMs = START_TIMEOUT_MS) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`${command}: no output matching ${pattern} in ${timeoutMs} ms:\n${stdout}\n${stderr}`)), timeoutMs);
        const done = (error: Error | null, match?: RegExpMatchArray): void => {
          clearTimeout(timer);
          waiters.delete(wake);
          if (error) reject(error);
          else resolve(match!);
        };
        const wake = (): void => {
          const match = pattern.exec(stdout);
          if (match) return done(null, match);
          if (child.exitCode !== null || child.signalCode !== null) done(new Error(`${command} exited (${child.exitCode ?? child.signalCode}):\n${stdout}\n${stderr}`));
        };
        waiters.add(wake);
        wake();
      }),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

export interface RunningProxy {
  smtpPort: number;
  httpPort: number | null;
  stderr(): string;
  stop(): Promise<void>;
}

/** `tidemail proxy --upstream 127.0.0.1:PORT` on a free port, with extra flags (they win). */
export async function startProxy(upstreamPort: number, args: string[] = []): Promise<RunningProxy> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tidemail-proxy-'));
  const { certPath, keyPath } = await testCertificate();
  const proc = spawnWatched(process.execPath, [
    CLI, 'proxy', '--upstream', `127.0.0.1:${upstreamPort}`, '--smtp', '127.0.0.1:0', '--http', '127.0.0.1:0', '--data', dataDir,
    '--tls-cert', certPath, '--tls-key', keyPath, '--log-level', 'warn', ...args,
  ]);
  try {
    await proc.printed(/^proxying to /m);
  } catch (error) {
    await proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const port = (name: string): number | null => {
    const match = new RegExp(`^${name} listening on .*:(\\d+)$`, 'm').exec(proc.stdout());
    return match ? Number(match[1]) : null;
  };
  return {
    smtpPort: port('smtp')!,
    httpPort: port('http'),
    stderr: proc.stderr,
    async stop() {
      await proc.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type UpstreamEvent =
  | { event: 'connect' }
  | { event: 'rset' }
  | { event: 'dropped' }
  | { event: 'message'; mail_from: string; rcpt_tos: string[]; data: string };

export interface ScriptedUpstream {
  port: number;
  events(): UpstreamEvent[];
  /** The messages it accepted, as received (its own unstuffing). */
  messages(): { from: string; to: string[]; data: Buffer }[];
  /** Resolves once `count` events of this kind were seen. */
  seen(kind: UpstreamEvent['event'], count?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The aiosmtpd upstream of scripted_upstream.py, on `port` (a free one by default). */
export async function startScriptedUpstream(options: { port?: number; sizeLimit?: number } = {}): Promise<ScriptedUpstream> {
  const port = options.port ?? (await freePort());
  const proc = spawnWatched('/usr/bin/python3', [SCRIPTED_UPSTREAM, String(port), ...(options.sizeLimit ? [String(options.sizeLimit)] : [])]);
  try {
    await proc.printed(/^listening \d+$/m);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  const events = (): UpstreamEvent[] =>
    proc.stdout().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as UpstreamEvent);
  return {
    port,
    events,
    messages: () =>
      events().flatMap((e) => (e.event === 'message' ? [{ from: e.mail_from, to: e.rcpt_tos, data: Buffer.from(e.data, 'base64') }] : [])),
    async seen(kind, count = 1) {
      const escaped = `"event": "${kind}"`;
      await proc.printed(new RegExp(`(?:${escaped}[\\s\\S]*){${count}}`), 10_000);
    },
    stop: proc.stop,
  };
}

export interface SmtpSink {
  port: number;
  /** The transactions smtp-sink dumped (-d), each file whole: its X- headers, Received, the message. */
  dumps(): string[];
  stop(): Promise<void>;
}

/** Postfix's smtp-sink with `flags` (e.g. ['-f', '.'] to refuse every end of data), dumping what it accepts. */
export async function startSmtpSink(flags: string[] = []): Promise<SmtpSink> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-sink-'));
  const proc = spawnWatched(SMTP_SINK, ['-u', userInfo().username, '-d', `${dir}/%H%M%S.`, ...flags, `127.0.0.1:${port}`, '100']);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    try {
      const { client } = await RawSmtpClient.open(port);
      client.close();
      break;
    } catch (error) {
      if (Date.now() > deadline || proc.child.exitCode !== null) {
        await proc.stop();
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`smtp-sink did not start: ${String(error)} ${proc.stderr()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    port,
    dumps: () => readdirSync(dir).map((name) => readFileSync(join(dir, name), 'latin1')),
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** MAIL, then each RCPT: the replies, in order (the transaction is left open). */
export async function envelope(client: RawSmtpClient, from: string, to: string[]): Promise<SmtpReply[]> {
  const replies = [await client.send(`MAIL FROM:<${from}>`)];
  for (const rcpt of to) replies.push(await client.send(`RCPT TO:<${rcpt}>`));
  return replies;
}

/** DATA and the message (dot-stuffed here): the reply to DATA and, if it was 354, to the end of data. */
export async function dataPhase(client: RawSmtpClient, message: string): Promise<{ go: SmtpReply; end: SmtpReply | null }> {
  const go = await client.send('DATA');
  if (go.code !== 354) return { go, end: null };
  const stuffed = message.replace(/^\./gm, '..');
  client.write(`${stuffed}${stuffed.endsWith('\r\n') ? '' : '\r\n'}.\r\n`);
  return { go, end: await client.reply(20_000) };
}

/** An open, EHLO'd client of the proxy. */
export async function proxyClient(port: number): Promise<RawSmtpClient> {
  const { client, greeting } = await RawSmtpClient.open(port);
  if (greeting.code !== 220) throw new Error(`greeting: ${greeting.text}`);
  const ehlo = await client.send('EHLO client.example');
  if (ehlo.code !== 250) throw new Error(`EHLO: ${ehlo.text}`);
  return client;
}
