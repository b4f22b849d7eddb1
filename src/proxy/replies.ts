/**
 * What the client is told in proxy mode: the upstream's own verdict, its code and enhanced code,
 * with its text after ours ("upstream: …"), so the client sees both who answered and what they
 * said. When there is no verdict to relay (unreachable, timed out, closed: RFC 3463 X.4.1 "no
 * answer from host"; every connection busy: X.4.5 "system congestion") the client gets a 451
 * and tries again later: never a 250 for what the upstream did not accept.
 */
import type { TargetReply } from '../delivery/ingest.js';
import { UpstreamBusy } from './pool.js';
import type { UpstreamReply } from './upstream-connection.js';

/** The default enhanced code of a reply class when the upstream gave none (RFC 3463 §3.1). */
function defaultEnhanced(code: number): string {
  return `${Math.floor(code / 100)}.0.0`;
}

/**
 * An upstream reply as ours. A 421 (the upstream is closing) is not ours to send: we are not
 * closing the client's session, so it becomes a 451 with the upstream's words.
 */
export function relayed(reply: UpstreamReply): TargetReply {
  const code = reply.code === 421 ? 451 : reply.code;
  const enhanced = reply.code === 421 ? '4.4.1' : reply.enhanced || defaultEnhanced(code);
  return { code, enhanced, text: `upstream: ${reply.text}` };
}

/** No verdict: the upstream could not be asked. */
export function unavailable(error: unknown): TargetReply {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof UpstreamBusy) return { code: 451, enhanced: '4.4.5', text: `Upstream busy (${reason}); try again later` };
  return { code: 451, enhanced: '4.4.1', text: `Upstream unavailable (${reason}); try again later` };
}

/** The upstream answered with a code that makes no sense for the command (e.g. 354 to RCPT). */
export function unexpected(command: string, reply: UpstreamReply): TargetReply {
  return { code: 451, enhanced: '4.4.1', text: `Upstream answered ${command} with ${reply.code}; try again later` };
}

/** RFC 6531 §3.2: an SMTPUTF8 message cannot go to an upstream that lacks the extension. */
export const NO_SMTPUTF8: TargetReply = { code: 553, enhanced: '5.6.7', text: 'Upstream does not support SMTPUTF8' };

/** The session was aborted while its upstream transaction was starting (never seen by a client). */
export const ABORTED: TargetReply = { code: 451, enhanced: '4.3.0', text: 'Transaction aborted' };
