/**
 * Routing rules as written (in the --rules file or through /api/v1/rules), after validation.
 *
 * ```json
 * { "name": "billing", "enabled": true, "priority": 10, "match": "all",
 *   "conditions": [{ "field": "to", "op": "prefix", "value": "invoices" },
 *                  { "field": "header:X-Mailer", "op": "regex", "value": "^Acme/[0-9]+" }],
 *   "actions": [{ "tag": "billing" }, { "webhook": "https://hooks.example/billing", "deleted": true },
 *               { "forward": "books@example.org" }, { "agent": "echo" },
 *               { "discard-after": "10m" }, { "drop": true }] }
 * ```
 *
 * Each action is an object with one action key. Rules apply in ascending `priority` (then by
 * name): a lower number runs first.
 */

export const FIELDS = ['to', 'from', 'subject', 'ip'] as const;
export type PlainField = (typeof FIELDS)[number];
/** `header:NAME` names a header field (case-insensitive). */
export type Field = PlainField | `header:${string}`;

export const OPS = ['equals', 'prefix', 'suffix', 'contains', 'regex'] as const;
export type Op = (typeof OPS)[number];

export interface Condition {
  field: Field;
  op: Op;
  value: string;
}

export type Action =
  | { kind: 'webhook'; url: string; deleted: boolean }
  | { kind: 'drop'; text: string }
  | { kind: 'forward'; to: string }
  | { kind: 'agent'; agent: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'discard-after'; afterMs: number };

export interface Rule {
  name: string;
  enabled: boolean;
  priority: number;
  match: 'all' | 'any';
  conditions: Condition[];
  actions: Action[];
}

/** Where a rule came from: file rules are read-only through the API. */
export type RuleSource = 'file' | 'api';
