/**
 * Where a recipient domain's mail goes next (RFC 5321 §5.1), with `node:dns/promises` on the
 * resolvers `--dns-servers` names (the system's otherwise):
 *
 * - MX records, lowest preference first; the connection tries them in order, and each host's
 *   A then AAAA addresses (connection.ts), so a dead first MX falls through to the next.
 * - No MX records (NODATA) → the domain itself as the only host, by its A/AAAA (the implicit MX).
 * - A null MX, `MX 0 .` (RFC 7505 §3) → the domain takes no mail: bounce 556 5.1.10 at once.
 * - NXDOMAIN → bounce (550 5.1.2); SERVFAIL, timeouts, refused queries → temporary, retried.
 * - `--smart-host HOST:PORT` replaces all of this: every domain goes to that one host.
 *
 * Answers are kept on the injected clock, so a queue of thousands of messages for one domain
 * asks the resolver once, and the destination key (the MX host set) groups domains that share
 * their mail exchangers onto the same connections. A host's addresses are kept for their TTL
 * (at most `cacheMs`); an MX answer for `cacheMs`, since node:dns does not report the TTL of MX
 * records. Temporary failures are never kept: the next retry asks again.
 */
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Clock } from '../clock.js';

export interface HopHost {
  /** The name given by MX (or the domain, or the smart host); an IP for address literals. */
  name: string;
  port: number;
}

export type NextHop =
  | { kind: 'hosts'; destination: string; hosts: HopHost[] }
  | { kind: 'failed'; permanent: boolean; reply: string };

export interface NextHopOptions {
  clock: Clock;
  /** Resolver addresses (`host` or `host:port`); empty: the system's. */
  dnsServers: readonly string[];
  smartHost: HopHost | null;
  /** How long an answer is reused. */
  cacheMs?: number;
  /** Port for MX hosts: 25, the SMTP port. */
  mxPort?: number;
}

/** Past this many names, expired answers are dropped as new ones arrive (the caches stay bounded by what is live). */
const MAX_CACHED = 10_000;

const TEMPORARY_DNS_CODES = new Set(['ESERVFAIL', 'ETIMEOUT', 'ECONNREFUSED', 'EREFUSED', 'ECANCELLED', 'EOF', 'ECONNRESET']);

function dnsCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : 'EUNKNOWN';
}

export class NextHopResolver {
  private readonly resolver = new Resolver({ timeout: 5_000, tries: 2 });
  private readonly cache = new Map<string, { atMs: number; hop: Promise<NextHop> }>();
  private readonly addressCache = new Map<string, { untilMs: number; addresses: string[] }>();
  private readonly cacheMs: number;
  private readonly mxPort: number;

  constructor(private readonly options: NextHopOptions) {
    if (options.dnsServers.length) this.resolver.setServers([...options.dnsServers]);
    this.cacheMs = options.cacheMs ?? 60_000;
    this.mxPort = options.mxPort ?? 25;
  }

  /** The hosts, in order, for mail to `domain`, or why there are none. */
  forDomain(domain: string): Promise<NextHop> {
    const now = this.options.clock.now();
    const cached = this.cache.get(domain);
    if (cached && now - cached.atMs < this.cacheMs) return cached.hop;
    const hop = this.lookup(domain);
    if (this.cache.size >= MAX_CACHED) for (const [key, entry] of this.cache) if (now - entry.atMs >= this.cacheMs) this.cache.delete(key);
    this.cache.set(domain, { atMs: now, hop });
    // A temporary failure is not worth remembering: the next retry should ask again.
    void hop.then((h) => {
      if (h.kind === 'failed' && !h.permanent && this.cache.get(domain)?.hop === hop) this.cache.delete(domain);
    });
    return hop;
  }

  /** A host's addresses, A records first then AAAA (an IP is its own address). */
  async addresses(name: string): Promise<string[]> {
    if (isIP(name)) return [name];
    const now = this.options.clock.now();
    const cached = this.addressCache.get(name);
    if (cached && now < cached.untilMs) return cached.addresses;
    const found: string[] = [];
    let ttlS = Infinity;
    let temporary: unknown = null;
    for (const family of [4, 6] as const) {
      try {
        const records = family === 4 ? await this.resolver.resolve4(name, { ttl: true }) : await this.resolver.resolve6(name, { ttl: true });
        for (const record of records) {
          found.push(record.address);
          ttlS = Math.min(ttlS, record.ttl);
        }
      } catch (error) {
        if (TEMPORARY_DNS_CODES.has(dnsCode(error))) temporary = error;
      }
    }
    // Only a lookup that found nothing and could not say why is worth retrying.
    if (found.length === 0 && temporary) throw temporary;
    if (this.addressCache.size >= MAX_CACHED) for (const [key, entry] of this.addressCache) if (now >= entry.untilMs) this.addressCache.delete(key);
    if (found.length && !temporary) this.addressCache.set(name, { untilMs: now + Math.min(this.cacheMs, ttlS * 1000), addresses: found });
    return found;
  }

  private async lookup(domain: string): Promise<NextHop> {
    const smart = this.options.smartHost;
    if (smart) return { kind: 'hosts', destination: `smarthost ${smart.name}:${smart.port}`, hosts: [smart] };
    const literal = /^\[(?:IPv6:)?([0-9a-fA-F:.]+)\]$/.exec(domain);
    if (literal) return { kind: 'hosts', destination: `[${literal[1]}]`, hosts: [{ name: literal[1]!, port: this.mxPort }] };
    let records: { exchange: string; priority: number }[];
    try {
      records = await this.resolver.resolveMx(domain);
    } catch (error) {
      const code = dnsCode(error);
      if (code === 'ENODATA') return this.implicitMx(domain);
      if (code === 'ENOTFOUND') return { kind: 'failed', permanent: true, reply: `550 5.1.2 domain ${domain} does not exist (NXDOMAIN)` };
      return { kind: 'failed', permanent: false, reply: `451 4.4.3 MX lookup for ${domain} failed (${code}), will retry` };
    }
    // RFC 7505 §3: a single MX of "." with any preference says the domain accepts no mail.
    if (records.some((r) => r.exchange === '' || r.exchange === '.')) {
      return { kind: 'failed', permanent: true, reply: `556 5.1.10 ${domain} publishes a null MX: it accepts no mail (RFC 7505)` };
    }
    if (records.length === 0) return this.implicitMx(domain);
    const sorted = [...records].sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange));
    const hosts = sorted.map((r) => ({ name: r.exchange.toLowerCase().replace(/\.$/, ''), port: this.mxPort }));
    return { kind: 'hosts', destination: hosts.map((h) => h.name).join(','), hosts };
  }

  /** RFC 5321 §5.1: no MX records means the domain's own address records are the host. */
  private async implicitMx(domain: string): Promise<NextHop> {
    try {
      const addresses = await this.addresses(domain);
      if (addresses.length === 0) return { kind: 'failed', permanent: true, reply: `550 5.1.2 ${domain} has no MX and no A/AAAA records` };
    } catch (error) {
      return { kind: 'failed', permanent: false, reply: `451 4.4.3 address lookup for ${domain} failed (${dnsCode(error)}), will retry` };
    }
    return { kind: 'hosts', destination: domain, hosts: [{ name: domain, port: this.mxPort }] };
  }
}
