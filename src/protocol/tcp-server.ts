/**
 * The listener shared by SMTP, POP3 and IMAP: binds, admits connections through the
 * ConnectionLimiter (a refused client gets the protocol's own "busy" line and a hang-up), keeps
 * track of live sockets, and on close stops accepting, gives sessions in flight a bounded time
 * to finish, then destroys what is left.
 */
import net from 'node:net';
import type { ListenAddress } from '../config.js';
import { ConnectionLimiter, type ConnectionLimits, type Refusal } from '../policy/connections.js';

export interface RunningServer {
  readonly name: string;
  /** The address actually bound (port 0 resolved). */
  readonly address: ListenAddress;
  /** Connections open now. */
  readonly connections: number;
  /** Stop accepting, let sessions finish for up to `graceMs`, then drop the rest. */
  close(graceMs: number): Promise<void>;
}

export interface TcpServerOptions {
  name: string;
  listen: ListenAddress;
  limits: ConnectionLimits;
  /** What to write to a client refused by the limits before hanging up (e.g. "421 4.7.0 …\r\n"). */
  busyReply: (reason: Refusal) => string;
  /** At the total cap: close one idle session to make room for this client; true if one was. */
  shed?: () => boolean;
  /** Start a session on an admitted socket; its admission is released when the socket closes. */
  onConnection: (socket: net.Socket) => void;
  /**
   * Ask live sessions to wind down at shutdown (e.g. SMTP answers 421 between commands).
   * Sessions that are mid-transaction finish it first.
   */
  onShutdown?: (socket: net.Socket) => void;
}

export class ListenError extends Error {}

export async function startTcpServer(options: TcpServerOptions): Promise<RunningServer> {
  const limiter = new ConnectionLimiter(options.limits);
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true, pauseOnConnect: false }, (socket) => {
    const ip = socket.remoteAddress ?? 'unknown';
    let admission = limiter.admit(ip);
    if (!admission.admitted && admission.reason === 'total' && options.shed?.()) admission = limiter.admit(ip, true);
    if (!admission.admitted) {
      socket.on('error', () => {});
      socket.end(options.busyReply(admission.reason));
      return;
    }
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      admission.release();
    });
    options.onConnection(socket);
  });
  server.maxConnections = Number.MAX_SAFE_INTEGER;

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${options.listen.host}:${options.listen.port}`;
      if (error.code === 'EADDRINUSE') reject(new ListenError(`${options.name}: address ${where} is already in use`));
      else if (error.code === 'EACCES') reject(new ListenError(`${options.name}: no permission to listen on ${where}`));
      else if (error.code === 'EADDRNOTAVAIL') reject(new ListenError(`${options.name}: ${options.listen.host} is not an address of this machine`));
      else reject(new ListenError(`${options.name}: cannot listen on ${where}: ${error.message}`));
    });
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  server.on('error', () => {});
  const bound = server.address() as net.AddressInfo;

  return {
    name: options.name,
    address: { host: bound.address, port: bound.port },
    get connections() {
      return limiter.open;
    },
    async close(graceMs: number) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) options.onShutdown?.(socket);
      const deadline = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, graceMs);
      await closed;
      clearTimeout(deadline);
    },
  };
}
