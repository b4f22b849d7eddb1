/**
 * A scripted MX that offers PIPELINING (RFC 2920), written in Node so it can see what the
 * relay pipelines: it holds its reply to the end-of-data dot until the client's next command
 * has arrived (or `holdMs` passed), and records, for each RSET, whether it came while that
 * reply was still held — i.e. whether the client sent RSET behind the content without waiting.
 *
 * Scripted outcomes by subject: "Subject: refuse-at-dot" gets 554 at the end of data;
 * "Subject: close-at-dot" gets 421 and the connection closed. Everything else gets 250.
 * Listens on a fixed loopback address (port 25: the relay tests own 127.0.0.2–127.0.0.40).
 */
import net from 'node:net';

export interface PeerMessage {
  session: number;
  mailFrom: string;
  rcptTo: string[];
  /** The content with dot-stuffing undone. */
  data: Buffer;
  reply: string;
}

export interface PeerCommand {
  session: number;
  verb: string;
  /** RSET only: it arrived while the reply to the preceding end of data was still held back. */
  whileReplyHeld?: boolean;
}

export interface PipeliningPeer {
  messages: PeerMessage[];
  commands: PeerCommand[];
  /** Resolves once `count` messages have been received (replied to or not). */
  received(count: number, timeoutMs?: number): Promise<PeerMessage[]>;
  stop(): Promise<void>;
}

const CRLF = Buffer.from('\r\n');
const END_OF_DATA = Buffer.from('\r\n.\r\n');

export async function startPipeliningPeer(host: string, holdMs = 2_000): Promise<PipeliningPeer> {
  const messages: PeerMessage[] = [];
  const commands: PeerCommand[] = [];
  const waiters = new Set<() => void>();
  const sockets = new Set<net.Socket>();
  let sessions = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const session = ++sessions;
    let buffer = Buffer.alloc(0);
    let inData = false;
    let envelope: { mailFrom: string; rcptTo: string[] } = { mailFrom: '', rcptTo: [] };
    /** The end-of-data reply not yet sent, and its timer. */
    let held: { reply: string; timer: NodeJS.Timeout; close: boolean } | null = null;

    const release = (): void => {
      if (!held) return;
      clearTimeout(held.timer);
      const { reply, close } = held;
      held = null;
      socket.write(`${reply}\r\n`);
      if (close) socket.end();
    };
    const command = (line: string): void => {
      const verb = line.split(' ', 1)[0]!.toUpperCase();
      commands.push({ session, verb, ...(verb === 'RSET' ? { whileReplyHeld: held !== null } : {}) });
      release();
      if (verb === 'EHLO') socket.write('250-mx.pipelining.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n');
      else if (verb === 'MAIL') {
        envelope = { mailFrom: /<(.*)>/.exec(line)?.[1] ?? '', rcptTo: [] };
        socket.write('250 2.1.0 ok\r\n');
      } else if (verb === 'RCPT') {
        envelope.rcptTo.push(/<(.*)>/.exec(line)?.[1] ?? '');
        socket.write('250 2.1.5 ok\r\n');
      } else if (verb === 'DATA') {
        inData = true;
        socket.write('354 go ahead\r\n');
      } else if (verb === 'RSET') socket.write('250 2.0.0 reset\r\n');
      else if (verb === 'QUIT') {
        socket.write('221 2.0.0 bye\r\n');
        socket.end();
      } else socket.write('502 5.5.1 not here\r\n');
    };
    const message = (content: Buffer): void => {
      const data = Buffer.from(content.toString('latin1').replace(/^\.\./gm, '.'), 'latin1');
      const text = data.toString('latin1');
      const close = /^Subject: close-at-dot\r$/m.test(text);
      const reply = close ? '421 4.3.0 closing now' : /^Subject: refuse-at-dot\r$/m.test(text) ? '554 5.6.0 refused at the dot' : '250 2.0.0 queued';
      messages.push({ session, ...envelope, data, reply });
      held = { reply, close, timer: setTimeout(release, holdMs) };
      for (const wake of waiters) wake();
    };

    socket.write('220 mx.pipelining.test ESMTP\r\n');
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (inData) {
          // The content ends at CRLF "." CRLF; the CRLF before the dot belongs to the content.
          const end = buffer.indexOf(END_OF_DATA);
          if (end < 0) return;
          message(buffer.subarray(0, end + 2));
          buffer = buffer.subarray(end + END_OF_DATA.length);
          inData = false;
          continue;
        }
        const end = buffer.indexOf(CRLF);
        if (end < 0) return;
        const line = buffer.subarray(0, end).toString('latin1');
        buffer = buffer.subarray(end + 2);
        command(line);
      }
    });
    socket.once('close', () => {
      if (held) clearTimeout(held.timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(25, host, resolve);
  });

  return {
    messages,
    commands,
    received(count, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`pipelining peer ${host}: ${messages.length} of ${count} messages in ${timeoutMs} ms; commands ${JSON.stringify(commands)}`));
        }, timeoutMs);
        const check = (): void => {
          if (messages.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(messages.slice(0, count));
        };
        waiters.add(check);
        check();
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
