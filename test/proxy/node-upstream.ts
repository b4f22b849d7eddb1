/**
 * A small scripted upstream MTA in Node for the pipelining and pool tests, where the upstream
 * must judge how it is spoken to (aiosmtpd cannot): a real TCP server on loopback.
 *
 * - `pipelining: true` advertises PIPELINING (RFC 2920) and answers a MAIL only once the
 *   command behind it has arrived, so a proxy that waits for each reply before the next command
 *   stalls (and its client gets 451 at --upstream-timeout) instead of passing.
 * - `pipelining: false` does not advertise it and answers each command a little later; a
 *   command that arrives while a reply is still owed is counted in `violations` (RFC 2920 §3:
 *   a client may only pipeline with a server that advertised it).
 * Verdicts by the address's local part: reject… 550 5.1.1 at RCPT, defer… 451 4.3.0 at RCPT;
 * a sender refuse… gets 550 5.7.1 at MAIL (and what follows it 503 5.5.1, as a real MTA does).
 * `closeIdle()` sends 421 to every connection between transactions and closes it (an upstream's
 * idle timeout); `dropOnNextMail()` closes the connection the next MAIL arrives on, unanswered.
 */
import net from 'node:net';

export interface NodeUpstream {
  port: number;
  /** Connections accepted so far, and those the upstream has seen closed. */
  connections(): number;
  closed(): number;
  messages: { from: string; to: string[]; data: string }[];
  violations: string[];
  rsets(): number;
  closeIdle(): void;
  dropOnNextMail(): void;
  stop(): Promise<void>;
}

const REPLY_DELAY_MS = 5;

export async function startNodeUpstream(options: { pipelining: boolean }): Promise<NodeUpstream> {
  const sockets = new Set<net.Socket>();
  const idle = new Set<net.Socket>();
  let accepted = 0;
  let closed = 0;
  let rsets = 0;
  let dropNextMail = false;
  const messages: NodeUpstream['messages'] = [];
  const violations: string[] = [];

  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    idle.add(socket);
    socket.on('close', () => {
      closed++;
      sockets.delete(socket);
      idle.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    let buffered = '';
    let inData = false;
    let data = '';
    let from: string | null = null;
    let to: string[] = [];
    let owed = 0;
    /** A MAIL reply waiting for the next command to arrive (the pipelining check). */
    let heldMail: string | null = null;
    const answer = (text: string): void => {
      owed++;
      const send = (): void => {
        owed--;
        if (!socket.destroyed) socket.write(`${text}\r\n`);
      };
      if (options.pipelining) send();
      else setTimeout(send, REPLY_DELAY_MS);
    };
    const command = (line: string): void => {
      if (!options.pipelining && owed > 0) violations.push(`${line} sent before the previous reply`);
      if (heldMail !== null) {
        answer(heldMail);
        heldMail = null;
      }
      const verb = line.slice(0, 4).toUpperCase();
      const address = /<([^>]*)>/.exec(line)?.[1] ?? '';
      const local = address.split('@')[0]!.toLowerCase();
      if (verb === 'EHLO') answer(`250-upstream.test\r\n${options.pipelining ? '250-PIPELINING\r\n' : ''}250-8BITMIME\r\n250 SIZE 1000000`);
      else if (verb === 'MAIL') {
        if (dropNextMail) {
          dropNextMail = false;
          socket.destroy();
          return;
        }
        idle.delete(socket);
        const verdict = local.startsWith('refuse') ? '550 5.7.1 Sender refused' : '250 2.1.0 Sender ok';
        if (verdict.startsWith('250')) from = address;
        if (options.pipelining) heldMail = verdict;
        else answer(verdict);
      } else if (verb === 'RCPT') {
        if (from === null) answer('503 5.5.1 Error: need MAIL command');
        else if (local.startsWith('reject')) answer('550 5.1.1 No such user here');
        else if (local.startsWith('defer')) answer('451 4.3.0 Mailbox busy, try again later');
        else {
          to.push(address);
          answer('250 2.1.5 Recipient ok');
        }
      } else if (verb === 'DATA') {
        if (to.length === 0) answer('503 5.5.1 Error: need RCPT command');
        else {
          inData = true;
          answer('354 End data with <CR><LF>.<CR><LF>');
        }
      } else if (verb === 'RSET') {
        rsets++;
        from = null;
        to = [];
        idle.add(socket);
        answer('250 2.0.0 Reset ok');
      } else if (verb === 'QUIT') {
        answer('221 2.0.0 Bye');
        socket.end();
      } else answer('502 5.5.2 Not implemented');
    };
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buffered.indexOf('\r\n.\r\n');
          if (end === -1) return;
          data = buffered.slice(0, end + 2).replace(/^\./gm, '');
          buffered = buffered.slice(end + 5);
          inData = false;
          messages.push({ from: from!, to, data });
          from = null;
          to = [];
          idle.add(socket);
          answer('250 2.0.0 Accepted upstream as N1');
          continue;
        }
        const lf = buffered.indexOf('\r\n');
        if (lf === -1) return;
        const line = buffered.slice(0, lf);
        buffered = buffered.slice(lf + 2);
        command(line);
      }
    });
    socket.write('220 upstream.test ESMTP scripted\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connections: () => accepted,
    closed: () => closed,
    messages,
    violations,
    rsets: () => rsets,
    closeIdle() {
      for (const socket of idle) socket.end('421 4.4.2 upstream.test Error: timeout exceeded\r\n');
    },
    dropOnNextMail() {
      dropNextMail = true;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
