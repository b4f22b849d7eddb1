/**
 * A small authoritative DNS server for the relay tests (dns-packet over node:dgram on
 * 127.0.0.1, a free UDP port): give Tidemail `--dns-servers 127.0.0.1:<port>` and it finds the
 * test's MX hosts. A zone maps names to records; a name set to 'SERVFAIL' answers SERVFAIL, a
 * name not in the zone NXDOMAIN, a known name without the asked type an empty NOERROR (NODATA),
 * and `MX 0 .` is a null MX (RFC 7505). The zone can be changed while the server runs.
 */
import { createSocket, type Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface ZoneEntry {
  MX?: { preference: number; exchange: string }[];
  A?: string[];
  AAAA?: string[];
}

export type Zone = Record<string, ZoneEntry | 'SERVFAIL'>;

export interface TestDnsServer {
  port: number;
  /** `127.0.0.1:<port>`, for --dns-servers. */
  address: string;
  zone: Zone;
  /** Queries seen, as `TYPE name`. */
  queries: string[];
  close(): Promise<void>;
}

const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

export async function startDnsServer(zone: Zone): Promise<TestDnsServer> {
  const socket: Socket = createSocket('udp4');
  const server: TestDnsServer = {
    port: 0,
    address: '',
    zone,
    queries: [],
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (message, remote) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return;
    }
    const question = query.questions?.[0];
    if (!question) return;
    const name = question.name.toLowerCase().replace(/\.$/, '');
    server.queries.push(`${question.type} ${name}`);
    const entry = server.zone[name];
    const answers: dnsPacket.Answer[] = [];
    let rcode = 0;
    if (entry === undefined) rcode = RCODE_NXDOMAIN;
    else if (entry === 'SERVFAIL') rcode = RCODE_SERVFAIL;
    else if (question.type === 'MX') for (const mx of entry.MX ?? []) answers.push({ type: 'MX', name: question.name, ttl: 60, data: { preference: mx.preference, exchange: mx.exchange } });
    else if (question.type === 'A') for (const ip of entry.A ?? []) answers.push({ type: 'A', name: question.name, ttl: 60, data: ip });
    else if (question.type === 'AAAA') for (const ip of entry.AAAA ?? []) answers.push({ type: 'AAAA', name: question.name, ttl: 60, data: ip });
    const response = dnsPacket.encode({
      type: 'response',
      id: query.id,
      // QR + AA + RD echo; the rcode in the low four bits (RFC 1035 §4.1.1).
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | rcode,
      questions: [question],
      answers,
    });
    socket.send(response, remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  server.port = socket.address().port;
  server.address = `127.0.0.1:${server.port}`;
  return server;
}
