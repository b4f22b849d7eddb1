/**
 * A listener whose every connection runs in a ConnectionShell: what SMTP, POP3 and IMAP start.
 * The TCP listener (tcp-server.ts) admits the connection; the shell owns it from then on, and
 * graceful shutdown reaches each live shell.
 */
import type net from 'node:net';
import type { ListenAddress } from '../config.js';
import type { ConnectionLimits } from '../policy/connections.js';
import { ConnectionShell, type LineProtocol, type ShellHandle, type ShellSettings } from './shell.js';
import { startTcpServer, type RunningServer } from './tcp-server.js';

export interface LineServerOptions {
  listen: ListenAddress;
  limits: ConnectionLimits;
  /** What a client refused by the limits reads before the hang-up (e.g. "421 4.7.0 …\r\n"). */
  busyReply: (reason: 'total' | 'per-ip') => string;
  shell: ShellSettings;
  /** The protocol session for one admitted connection. */
  protocol: (shell: ShellHandle) => LineProtocol;
}

export function startLineServer(options: LineServerOptions): Promise<RunningServer> {
  const shells = new WeakMap<net.Socket, ConnectionShell>();
  return startTcpServer({
    name: options.shell.name,
    listen: options.listen,
    limits: options.limits,
    busyReply: options.busyReply,
    onConnection: (socket) => shells.set(socket, new ConnectionShell(socket, options.shell, options.protocol)),
    onShutdown: (socket) => shells.get(socket)?.shutdown(),
  });
}
