/**
 * What rules leave on a stored message, kept beside the store, keyed by message id (the store's
 * message tables belong to the store): `tag` labels and `discard-after` deadlines.
 *
 * - Written in the ingest group commit (turn-commit.ts) before the message's `250`, so a tag is
 *   there from the message's first sight (the API's first listing, its SSE event, its webhook).
 * - Tags are also held in memory (only tagged messages take room) because every summary the
 *   API presents asks for them; loaded at start, dropped when the message is deleted.
 * - Deadlines are swept on the clock (expiry.ts), deleting through the Store like retention.
 */
import type { StateDatabase } from '../store/sqlite/state-db.js';
import type { MessageId } from '../store/types.js';
import type { TurnCommit } from '../webhooks/turn-commit.js';
import { RULES_MIGRATIONS } from './schema.js';

const NONE: readonly string[] = [];

export interface MessageMarks {
  tags: readonly string[];
  /** When to delete the message; null: the usual retention. */
  deleteAtMs: number | null;
}

export class RuleMarks {
  private readonly tags = new Map<MessageId, readonly string[]>();
  private readonly q;

  constructor(
    state: StateDatabase,
    private readonly commit: TurnCommit,
  ) {
    state.migrate('rules', RULES_MIGRATIONS);
    const db = state.db;
    this.q = {
      allTags: db.prepare<[], { message_id: number; tag: string }>('SELECT message_id, tag FROM rule_tags ORDER BY message_id, position'),
      addTag: db.prepare<[number, number, string]>('INSERT OR REPLACE INTO rule_tags (message_id, position, tag) VALUES (?, ?, ?)'),
      addExpiry: db.prepare<[number, number]>('INSERT OR REPLACE INTO rule_expiry (message_id, delete_at_ms) VALUES (?, ?)'),
      forgetTags: db.prepare<[number]>('DELETE FROM rule_tags WHERE message_id = ?'),
      forgetExpiry: db.prepare<[number]>('DELETE FROM rule_expiry WHERE message_id = ?'),
      due: db.prepare<[number, number], { message_id: number }>('SELECT message_id FROM rule_expiry WHERE delete_at_ms <= ? ORDER BY delete_at_ms LIMIT ?'),
      next: db.prepare<[], { due: number | null }>('SELECT MIN(delete_at_ms) AS due FROM rule_expiry'),
    };
    for (const row of this.q.allTags.all()) this.tags.set(row.message_id, [...(this.tags.get(row.message_id) ?? []), row.tag]);
  }

  readonly tagsOf = (id: MessageId): readonly string[] => this.tags.get(id) ?? NONE;

  /** Record the marks of freshly stored messages; resolves once committed (before the 250). */
  record(ids: readonly MessageId[], marks: MessageMarks): Promise<void> {
    if (ids.length === 0 || (marks.tags.length === 0 && marks.deleteAtMs === null)) return Promise.resolve();
    // In memory at once: the store announces the message (SSE, listings) once its parse has
    // committed, which may come before this turn's commit, and its first sight shows the tags.
    if (marks.tags.length > 0) for (const id of ids) this.tags.set(id, marks.tags);
    return this.commit
      .run(() => {
        for (const id of ids) {
          marks.tags.forEach((tag, position) => this.q.addTag.run(id, position, tag));
          if (marks.deleteAtMs !== null) this.q.addExpiry.run(id, marks.deleteAtMs);
        }
      })
      .catch((error: unknown) => {
        for (const id of ids) this.tags.delete(id);
        throw error;
      });
  }

  /**
   * A message is gone: drop what we kept for it. In the turn's commit, not one commit each:
   * retention removes up to a thousand messages at a time.
   */
  forget(id: MessageId): Promise<void> {
    if (!this.tags.delete(id)) return Promise.resolve();
    return this.commit.run(() => this.q.forgetTags.run(id));
  }

  forgetExpiry(ids: readonly MessageId[]): Promise<void> {
    return this.commit.run(() => {
      for (const id of ids) this.q.forgetExpiry.run(id);
    });
  }

  dueForDeletion(nowMs: number, limit: number): MessageId[] {
    return this.q.due.all(nowMs, limit).map((r) => r.message_id);
  }

  nextDeletionMs(): number | null {
    return this.q.next.get()?.due ?? null;
  }
}
