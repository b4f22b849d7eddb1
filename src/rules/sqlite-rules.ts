/**
 * Rules made through `/api/v1/rules`, kept in `state.db` (component `rules`) as the JSON the API
 * took, so they survive a restart. Read once at start and written through on every change
 * (few, rare writes by an administrator).
 */
import type { StateDatabase } from '../store/sqlite/state-db.js';
import { RULES_MIGRATIONS } from './schema.js';

export interface StoredRule {
  name: string;
  json: string;
}

export interface RuleRepository {
  all(): StoredRule[];
  put(name: string, json: string, nowMs: number): void;
  remove(name: string): boolean;
}

export class SqliteRuleRepository implements RuleRepository {
  private readonly q;

  constructor(state: StateDatabase) {
    state.migrate('rules', RULES_MIGRATIONS);
    const db = state.db;
    this.q = {
      all: db.prepare<[], StoredRule>('SELECT name, json FROM rules ORDER BY name'),
      put: db.prepare<[string, string, number]>('INSERT INTO rules (name, json, updated_ms) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET json = excluded.json, updated_ms = excluded.updated_ms'),
      remove: db.prepare<[string]>('DELETE FROM rules WHERE name = ?'),
    };
  }

  all(): StoredRule[] {
    return this.q.all.all();
  }

  put(name: string, json: string, nowMs: number): void {
    this.q.put.run(name, json, nowMs);
  }

  remove(name: string): boolean {
    return this.q.remove.run(name).changes > 0;
  }
}
