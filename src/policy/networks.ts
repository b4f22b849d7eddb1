/**
 * Client addresses as the policy sees them: which networks are trusted (developers and test
 * suites on loopback or private networks skip every defence), and the network a client belongs
 * to for per-network counters and caps: its /24 for IPv4 and its /64 for IPv6, the unit a mail
 * provider's pool retries from (Gmail retries from other hosts of the same /24).
 */
import net from 'node:net';

/** Loopback, RFC 1918, and IPv6 loopback and unique-local (fc00::/7). */
export const DEFAULT_TRUSTED = ['127.0.0.0/8', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '::1/128', 'fc00::/7'];

export class NetworkList {
  private readonly list = new net.BlockList();
  readonly cidrs: readonly string[];

  /** Throws with the bad entry named; `none` (alone) is the empty list. */
  constructor(cidrs: readonly string[]) {
    this.cidrs = cidrs;
    for (const cidr of cidrs) {
      const [address, bits, extra] = cidr.split('/');
      const family = net.isIP(address ?? '');
      const max = family === 6 ? 128 : 32;
      const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
      if (family === 0 || extra !== undefined || !(prefix >= 0 && prefix <= max)) throw new Error(`"${cidr}" is not an address or CIDR prefix`);
      this.list.addSubnet(address!, prefix, family === 6 ? 'ipv6' : 'ipv4');
    }
  }

  has(address: string): boolean {
    const plain = unmapped(address);
    const family = net.isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  }
}

/** `::ffff:192.0.2.1` (how a dual-stack listener reports IPv4 clients) as `192.0.2.1`. */
export function unmapped(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** The client's network: `192.0.2.0/24` or `2001:db8:1:2::/64`. */
export function networkOf(address: string): string {
  const plain = unmapped(address);
  if (net.isIPv4(plain)) return `${plain.split('.').slice(0, 3).join('.')}.0/24`;
  if (!net.isIPv6(plain)) return plain;
  return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
}

function expandIPv6(address: string): string[] {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => (g.includes('.') ? g : g.toLowerCase().replace(/^0+(?=.)/, '')));
}
