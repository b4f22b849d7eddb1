/**
 * Connection admission: a cap on simultaneous connections in total, and for untrusted clients
 * per client IP and per client network (/24, /64), so one client or one botnet's subnet cannot
 * take every slot. Trusted clients (loopback, private networks) count toward the total only.
 * Asked by the listener before a session starts; at the total cap the listener may shed an
 * idle untrusted session to make room (see protocol/line-server.ts).
 */
import { networkOf } from './networks.js';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** 0 or absent: no per-network cap. */
  maxConnectionsPerNetwork?: number;
  /** Clients that skip the per-IP and per-network caps; absent: none do. */
  isTrusted?: (ip: string) => boolean;
}

export type Refusal = 'total' | 'per-ip' | 'per-network';
export type Admission = { admitted: true; release: () => void } | { admitted: false; reason: Refusal };

export class ConnectionLimiter {
  private total = 0;
  private readonly perIp = new Map<string, number>();
  private readonly perNetwork = new Map<string, number>();

  constructor(private readonly limits: ConnectionLimits) {}

  get open(): number {
    return this.total;
  }

  get maxConnections(): number {
    return this.limits.maxConnections;
  }

  /** Admit `ip`; with `overTotal` even past the total cap (a session was just shed for it). */
  admit(ip: string, overTotal = false): Admission {
    if (!overTotal && this.limits.maxConnections > 0 && this.total >= this.limits.maxConnections) return { admitted: false, reason: 'total' };
    const trusted = this.limits.isTrusted?.(ip) ?? false;
    const network = trusted ? null : networkOf(ip);
    if (!trusted) {
      if (exceeds(this.perIp, ip, this.limits.maxConnectionsPerIp)) return { admitted: false, reason: 'per-ip' };
      if (network && exceeds(this.perNetwork, network, this.limits.maxConnectionsPerNetwork ?? 0)) return { admitted: false, reason: 'per-network' };
      increment(this.perIp, ip);
      if (network) increment(this.perNetwork, network);
    }
    this.total++;
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        if (!trusted) {
          decrement(this.perIp, ip);
          if (network) decrement(this.perNetwork, network);
        }
      },
    };
  }
}

function exceeds(counts: Map<string, number>, key: string, cap: number): boolean {
  return cap > 0 && (counts.get(key) ?? 0) >= cap;
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left <= 0) counts.delete(key);
  else counts.set(key, left);
}
