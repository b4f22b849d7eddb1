/**
 * How many bytes the kernel holds unsent on the far end of a loopback connection (Linux's
 * /proc/net/tcp `tx_queue`): the one place a test can see that a server's output has backed up
 * and stopped moving, since nothing in the protocol says so. Null where /proc/net is not there.
 */
import { readFileSync } from 'node:fs';
import type net from 'node:net';

/** The peer's send queue for our connection `socket` (the peer is the server on loopback). */
export function peerUnsentBytes(socket: net.Socket): number | null {
  const local = hexPort(socket.remotePort);
  const remote = hexPort(socket.localPort);
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue …
      const [, localAddress, remoteAddress, , queues] = line.trim().split(/\s+/);
      if (localAddress?.endsWith(`:${local}`) && remoteAddress?.endsWith(`:${remote}`)) return parseInt(queues!.split(':')[0]!, 16);
    }
  }
  return null;
}

function hexPort(port: number | undefined): string {
  return (port ?? 0).toString(16).toUpperCase().padStart(4, '0');
}
