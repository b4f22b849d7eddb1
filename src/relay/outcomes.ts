/**
 * From a reply to a recipient's new state (RFC 5321 §4.2.1 reply classes): 2xx delivered; 5xx
 * bounced at once; 4xx, a timeout, a dropped connection or a failed lookup deferred to the next
 * step of the retry schedule, and bounced once the queue lifetime is over. Twisted's relay
 * bounced on any non-success reply, 4xx included; here only a permanent failure or the end of
 * the lifetime bounces.
 */
import type { ClaimedRecipient, RecipientUpdate } from './queue-store.js';
import { afterTemporaryFailure, type RetryPolicy } from './retry-policy.js';

export type ReplyClass = '2xx' | '4xx' | '5xx' | 'none';

export function replyClass(code: number | null): ReplyClass {
  if (code === null) return 'none';
  if (code >= 200 && code < 300) return '2xx';
  if (code >= 500) return '5xx';
  return '4xx';
}

export function outcomeFor(policy: RetryPolicy, recipient: ClaimedRecipient, code: number | null, reply: string, host: string, nowMs: number): RecipientUpdate {
  const base = { recipientId: recipient.id, messageId: recipient.messageId };
  const cls = replyClass(code);
  if (cls === '2xx') return { ...base, state: 'delivered', nextAttemptAtMs: null, attempt: { atMs: nowMs, host, reply, outcome: 'delivered' } };
  if (cls === '5xx') return { ...base, state: 'bounced', nextAttemptAtMs: null, attempt: { atMs: nowMs, host, reply, outcome: 'bounced' } };
  const verdict = afterTemporaryFailure(policy, recipient.createdAtMs, recipient.attempts + 1, nowMs);
  if (verdict.kind === 'retry') return { ...base, state: 'deferred', nextAttemptAtMs: verdict.atMs, attempt: { atMs: nowMs, host, reply, outcome: 'deferred' } };
  // RFC 3463 §3.5: 4.4.7 / 5.4.7 is "delivery time expired"; keep the last reply for the sender.
  const expired = `554 5.4.7 delivery time expired after ${Math.round(policy.lifetimeMs / 3_600_000)} h; last reply: ${reply}`;
  return { ...base, state: 'bounced', nextAttemptAtMs: null, attempt: { atMs: nowMs, host, reply: expired, outcome: 'bounced' } };
}
