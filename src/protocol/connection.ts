/**
 * What every protocol's socket shell does with its socket, whatever the protocol: count the
 * session, wire data, errors and the idle timer, and make sure a bug in one session ends that
 * session rather than the process.
 */
import type net from 'node:net';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';

export interface SocketHandlers {
  onData: (chunk: Buffer) => void;
  /** With an idle timeout; without, the shell keeps its own timer (IMAP's autologout). */
  idle?: { timeoutMs: number; onIdle: () => void };
}

export function watchSocket(socket: net.Socket, handlers: SocketHandlers): void {
  socket.on('data', handlers.onData);
  socket.on('error', () => socket.destroy());
  if (handlers.idle) {
    // A listener with on(), not setTimeout's one-shot callback: an idle event the shell ignores
    // (while the store works) must not disarm the ones after it.
    socket.setTimeout(handlers.idle.timeoutMs);
    socket.on('timeout', handlers.idle.onIdle);
  }
}

/** Count the session in the open-sessions gauge until its socket closes; `onClose` runs then too. */
export function countSession(socket: net.Socket, metrics: Metrics, protocol: string, onClose: () => void): void {
  metrics.sessionsOpen.inc({ protocol });
  socket.once('close', () => {
    onClose();
    metrics.sessionsOpen.dec({ protocol });
  });
}

/** Run `work`; if it throws, log it and `abort` the session: a bug never takes the process down. */
export function guarded(work: () => void, log: Logger, protocol: string, abort: () => void): void {
  try {
    work();
  } catch (error) {
    log.error({ err: String(error) }, `${protocol} session failed`);
    abort();
  }
}
