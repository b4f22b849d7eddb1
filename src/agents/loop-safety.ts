/**
 * Whether an agent may answer a message at all (RFC 3834 §2, with WildDuck's extra skips).
 * An automatic responder must never answer another automaton, a list or a bounce, or two of
 * them mail each other forever, and it must never answer a forged sender in bulk (backscatter):
 *
 * - `Auto-Submitted` present with any value but `no` (§5: auto-generated, auto-replied, …);
 * - the null reverse path `<>` (§2: a bounce or another auto-reply, §3.3 for our own replies);
 * - `Precedence: bulk`, `list` or `junk` (§2, the de-facto marks of mass mail);
 * - `List-Id` (RFC 2919) or `List-Unsubscribe` (RFC 2369): a mailing list;
 * - a MAILER-DAEMON or no-reply sender (nobody reads those);
 * - `X-Auto-Response-Suppress` naming All, OOF or AutoReply (Microsoft's way of asking);
 * - mail from the agent's own address (it would answer itself).
 *
 * Pure: the first reason found, or null when the message may be answered.
 */
import type { Envelope, Header } from '../store/types.js';

export type DeclineReason =
  | 'auto-submitted'
  | 'null-sender'
  | 'precedence'
  | 'mailing-list'
  | 'daemon-sender'
  | 'suppressed'
  | 'own-address';

const BULK_PRECEDENCE = new Set(['bulk', 'list', 'junk']);
const SUPPRESSING = new Set(['all', 'oof', 'autoreply']);
/** mailer-daemon, noreply, no-reply, no_reply, donotreply, do-not-reply (local part before any +tag). */
const DAEMON_LOCAL_PART = /^(?:mailer-daemon|no[-_.]?reply|do[-_.]?not[-_.]?reply)$/i;

function valuesOf(headers: readonly Header[], name: string): string[] {
  return headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value.trim());
}

/** The local part of `address` without its +tag, lower-cased. */
function localPartOf(address: string): string {
  const at = address.lastIndexOf('@');
  const local = at === -1 ? address : address.slice(0, at);
  const plus = local.indexOf('+');
  return (plus === -1 ? local : local.slice(0, plus)).toLowerCase();
}

export function declineReason(message: { envelope: Pick<Envelope, 'mailFrom'>; headers: readonly Header[] }, agentAddress: string): DeclineReason | null {
  const { headers } = message;
  const sender = message.envelope.mailFrom;
  // §5.1: "no" means a person sent it; a comment or parameters may follow the keyword.
  if (valuesOf(headers, 'auto-submitted').some((v) => v.split(/[;(\s]/)[0]!.toLowerCase() !== 'no')) return 'auto-submitted';
  if (sender === '') return 'null-sender';
  if (valuesOf(headers, 'precedence').some((v) => BULK_PRECEDENCE.has(v.toLowerCase()))) return 'precedence';
  if (valuesOf(headers, 'list-id').length > 0 || valuesOf(headers, 'list-unsubscribe').length > 0) return 'mailing-list';
  if (DAEMON_LOCAL_PART.test(localPartOf(sender))) return 'daemon-sender';
  const suppress = valuesOf(headers, 'x-auto-response-suppress').flatMap((v) => v.split(',').map((t) => t.trim().toLowerCase()));
  if (suppress.some((token) => SUPPRESSING.has(token))) return 'suppressed';
  if (sender.toLowerCase() === agentAddress.toLowerCase()) return 'own-address';
  return null;
}
