/**
 * The `rules` component's tables in state.db (state-db.ts: append-only steps, never edit one
 * that has shipped):
 * - `rules`: the rules made through the API, as JSON;
 * - `rule_tags`: labels given to a message by `tag` actions, written before its `250`;
 * - `rule_expiry`: when a message with a `discard-after` action is to be deleted.
 */
export const RULES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE rules (name TEXT PRIMARY KEY, json TEXT NOT NULL, updated_ms INTEGER NOT NULL);
   CREATE TABLE rule_tags (message_id INTEGER NOT NULL, position INTEGER NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (message_id, position));
   CREATE TABLE rule_expiry (message_id INTEGER PRIMARY KEY, delete_at_ms INTEGER NOT NULL);
   CREATE INDEX rule_expiry_due ON rule_expiry (delete_at_ms);`,
];
