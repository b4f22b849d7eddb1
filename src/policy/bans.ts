/**
 * Bans: a client address, a network or a subject refused for a while. In one process this is
 * a table in memory behind the `Bans` shape; a distributed engine keeps the same shape in its
 * shared store. Bounded: at `maxBans` the ban closest to expiry makes room (a flood of new
 * offenders cannot grow it without limit, and the longest bans are the ones worth keeping).
 */

export type BanKind = 'ip' | 'network' | 'subject';

export interface Ban {
  id: number;
  kind: BanKind;
  value: string;
  reason: string;
  sinceMs: number;
  untilMs: number;
}

export class Bans {
  private readonly byKey = new Map<string, Ban>();
  private nextId = 1;

  constructor(private readonly maxBans = 10_000) {}

  /** Ban `value` until `untilMs` (an existing ban of it is extended, never shortened). */
  add(kind: BanKind, value: string, reason: string, nowMs: number, untilMs: number): Ban {
    const key = `${kind}:${value}`;
    const existing = this.find(kind, value, nowMs);
    if (existing) {
      existing.untilMs = Math.max(existing.untilMs, untilMs);
      return existing;
    }
    if (this.byKey.size >= this.maxBans) this.evictSoonestExpiring(nowMs);
    const ban: Ban = { id: this.nextId++, kind, value, reason, sinceMs: nowMs, untilMs };
    this.byKey.set(key, ban);
    return ban;
  }

  find(kind: BanKind, value: string, nowMs: number): Ban | null {
    const key = `${kind}:${value}`;
    const ban = this.byKey.get(key);
    if (!ban) return null;
    if (ban.untilMs <= nowMs) {
      this.byKey.delete(key);
      return null;
    }
    return ban;
  }

  /** Bans in force, newest first. */
  list(nowMs: number): Ban[] {
    const live: Ban[] = [];
    for (const [key, ban] of this.byKey) {
      if (ban.untilMs <= nowMs) this.byKey.delete(key);
      else live.push(ban);
    }
    return live.sort((a, b) => b.id - a.id);
  }

  /** Lift a ban by id; false when there is none. */
  lift(id: number): boolean {
    for (const [key, ban] of this.byKey) {
      if (ban.id === id) {
        this.byKey.delete(key);
        return true;
      }
    }
    return false;
  }

  private evictSoonestExpiring(nowMs: number): void {
    let soonest: [string, Ban] | null = null;
    for (const entry of this.byKey) {
      if (entry[1].untilMs <= nowMs) {
        this.byKey.delete(entry[0]);
        return;
      }
      if (!soonest || entry[1].untilMs < soonest[1].untilMs) soonest = entry;
    }
    if (soonest) this.byKey.delete(soonest[0]);
  }
}
