/**
 * Scripted MX hosts (peers/mx.py under /usr/bin/python3 with aiosmtpd) on 127.0.0.X:25, the
 * addresses the relay tests own (127.0.0.2–127.0.0.40): each reports what it saw as JSON lines,
 * and `next(event)` resolves on the next matching line, so tests synchronise on what the peer
 * received, never on sleeps. Stopped by closing its stdin (and killed if that is not enough).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export type PeerMode = 'accept' | 'greylist' | 'defer' | 'refuse' | 'refuse-some' | 'timeout' | 'drop' | 'auth';

export interface PeerEvent {
  event: 'ready' | 'connect' | 'rcpt' | 'data' | 'message' | 'auth';
  ok?: boolean;
  mechanism?: string;
  address?: string;
  reply?: string;
  mail_from?: string;
  rcpt_tos?: string[];
  data?: string;
  session?: number;
  ehlo?: string;
}

export interface ScriptedMx {
  host: string;
  events: PeerEvent[];
  /** The next event of this kind not yet taken by `next` (already seen ones count), within `timeoutMs`. */
  next(kind: PeerEvent['event'], timeoutMs?: number): Promise<PeerEvent>;
  messages(): PeerEvent[];
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('../../../test/relay/peers/mx.py', import.meta.url));

export async function startScriptedMx(host: string, mode: PeerMode): Promise<ScriptedMx> {
  const child: ChildProcess = spawn('/usr/bin/python3', [SCRIPT, host, '25', mode], { stdio: ['pipe', 'pipe', 'pipe'] });
  const events: PeerEvent[] = [];
  const taken = new Map<string, number>();
  const waiters = new Set<() => void>();
  let stderr = '';
  let buffer = '';
  child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (line.startsWith('{')) events.push(JSON.parse(line) as PeerEvent);
    }
    for (const wake of waiters) wake();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = (kind: PeerEvent['event'], timeoutMs = 15_000): Promise<PeerEvent> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`peer ${host} (${mode}): no "${kind}" event in ${timeoutMs} ms; saw ${JSON.stringify(events.map((e) => e.event))}\n${stderr}`));
      }, timeoutMs);
      const check = (): void => {
        const index = taken.get(kind) ?? 0;
        const found = events.filter((e) => e.event === kind)[index];
        if (!found) return;
        taken.set(kind, index + 1);
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  void exited.then(() => {
    for (const wake of waiters) wake();
  });
  await Promise.race([
    next('ready', 10_000),
    exited.then(() => {
      throw new Error(`peer ${host} exited before listening:\n${stderr}`);
    }),
  ]);
  return {
    host,
    events,
    next,
    messages: () => events.filter((e) => e.event === 'message'),
    async stop() {
      child.stdin!.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
