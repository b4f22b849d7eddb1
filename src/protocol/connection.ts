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

/** How long a client may take to close its side after our last reply before we drop it. */
const CLOSE_LINGER_MS = 2000;

/**
 * End the session: send what is queued and close our side; a client that never closes its side
 * must not hold the slot, so destroy after a linger. The timer goes as soon as the socket closes:
 * it holds the whole session, and at thousands of connections a second, holding every closed one
 * for the full linger cost tens of MiB.
 */
export function endSession(socket: net.Socket): void {
  socket.end();
  const linger = setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
  socket.once('close', () => clearTimeout(linger));
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
