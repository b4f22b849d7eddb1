/**
 * Connection admission: a cap on simultaneous connections in total and per client IP, so one
 * client cannot take every slot. Asked by the listener before a session starts.
 */

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerIp: number;
}

export type Admission = { admitted: true; release: () => void } | { admitted: false; reason: 'total' | 'per-ip' };

export class ConnectionLimiter {
  private total = 0;
  private readonly perIp = new Map<string, number>();

  constructor(private readonly limits: ConnectionLimits) {}

  get open(): number {
    return this.total;
  }

  admit(ip: string): Admission {
    if (this.limits.maxConnections > 0 && this.total >= this.limits.maxConnections) return { admitted: false, reason: 'total' };
    const fromIp = this.perIp.get(ip) ?? 0;
    if (this.limits.maxConnectionsPerIp > 0 && fromIp >= this.limits.maxConnectionsPerIp) return { admitted: false, reason: 'per-ip' };
    this.total++;
    this.perIp.set(ip, fromIp + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.perIp.get(ip) ?? 1) - 1;
        if (left <= 0) this.perIp.delete(ip);
        else this.perIp.set(ip, left);
      },
    };
  }
}
