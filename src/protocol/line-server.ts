/**
 * A listener whose every connection runs in a ConnectionShell: what SMTP, POP3 and IMAP start.
 * The TCP listener (tcp-server.ts) admits the connection; the shell owns it from then on, and
 * graceful shutdown reaches each live shell.
 *
 * Connection shedding (Postfix's stress mode, and better): the listener keeps its sessions in
 * order of their last input. When connections reach STRESS_FRACTION of --max-connections, quiet
 * sheddable sessions (untrusted clients between transactions, as the protocol says) time out
 * after `stressIdleTimeoutMs` (--stress-timeout, 10 s) instead of their normal idle timeout; and at the cap the
 * longest-quiet sheddable session is closed (421) to admit the newcomer, instead of refusing
 * it. 1,000 idle connections held open by an attacker then cost a legitimate sender nothing.
 */
import type net from 'node:net';
import type { ListenAddress } from '../config.js';
import type { ConnectionLimits, Refusal } from '../policy/connections.js';
import { ConnectionShell, type LineProtocol, type ShellHandle, type ShellSettings } from './shell.js';
import { startTcpServer, type RunningServer } from './tcp-server.js';

/** Postfix's smtpd enters stress mode at the cap; we start earlier, at 80 %, so it never hits it. */
const STRESS_FRACTION = 0.8;
/** How often quiet sessions are looked for under stress: a tenth of the stress timeout, at most a second. */
const MAX_SWEEP_MS = 1_000;

export interface LineServerOptions {
  listen: ListenAddress;
  limits: ConnectionLimits;
  /** What a client refused by the limits reads before the hang-up (e.g. "421 4.7.0 …\r\n"). */
  busyReply: (reason: Refusal) => string;
  shell: ShellSettings;
  /** Idle timeout of sheddable sessions under stress (Postfix's stress mode uses 10 s); 0: no stress mode. */
  stressIdleTimeoutMs?: number;
  /** The protocol session for one admitted connection. */
  protocol: (shell: ShellHandle) => LineProtocol;
}

export async function startLineServer(options: LineServerOptions): Promise<RunningServer> {
  const shells = new WeakMap<net.Socket, ConnectionShell>();
  /** Live sessions, least recently active first (re-inserted on every input). */
  const byActivity = new Map<ConnectionShell, true>();
  const clock = options.shell.clock;
  const settings: ShellSettings = {
    ...options.shell,
    onInput: (shell) => {
      byActivity.delete(shell);
      byActivity.set(shell, true);
    },
  };

  const shedOne = (): boolean => {
    for (const shell of byActivity.keys()) {
      if (!shell.sheddable) continue;
      byActivity.delete(shell);
      shell.shed();
      return true;
    }
    return false;
  };

  let sweeper: ReturnType<typeof clock.after> | null = null;
  let closing = false;
  const sweep = (): void => {
    sweeper = null;
    if (closing || !stressed()) return;
    const quietSince = clock.now() - stressIdleMs;
    for (const shell of [...byActivity.keys()]) {
      if (shell.lastInputAtMs > quietSince || !stressed()) break; // the rest were active more recently
      if (shell.sheddable) {
        byActivity.delete(shell);
        shell.timeOut();
      }
    }
    sweeper = clock.after(sweepMs, sweep);
  };
  const stressIdleMs = options.stressIdleTimeoutMs ?? 0;
  const sweepMs = Math.max(10, Math.min(MAX_SWEEP_MS, stressIdleMs / 10));
  const stressed = (): boolean => stressIdleMs > 0 && options.limits.maxConnections > 0 && byActivity.size >= options.limits.maxConnections * STRESS_FRACTION;

  const server = await startTcpServer({
    name: options.shell.name,
    listen: options.listen,
    limits: options.limits,
    busyReply: options.busyReply,
    shed: shedOne,
    onConnection: (socket) => {
      const shell = new ConnectionShell(socket, settings, options.protocol);
      shells.set(socket, shell);
      byActivity.set(shell, true);
      socket.once('close', () => byActivity.delete(shell));
      if (!sweeper && !closing && stressed()) sweeper = clock.after(sweepMs, sweep);
    },
    onShutdown: (socket) => shells.get(socket)?.shutdown(),
  });
  const close = server.close.bind(server);
  return Object.assign(server, {
    close(graceMs: number): Promise<void> {
      closing = true;
      sweeper?.cancel();
      sweeper = null;
      return close(graceMs);
    },
  });
}
