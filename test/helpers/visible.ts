/**
 * Waiting for delivered mail to be visible. A `250` means the message is committed, not yet
 * shown: the store shows a message only once its parse has committed (store/types.ts, "announced
 * ⇒ visible with its final summary"), moments later. So a test that reads right after delivering
 * synchronises as a client would, on the HTTP `wait` endpoint: it notes the newest message of each
 * inbox before sending, and afterwards waits for as many messages newer than that as it sent.
 * Messages are shown in id order, so once they are there, everything sent before is too.
 *
 * Meant for one sender per inbox at a time, as the tests deliver; mail that several tasks send to
 * one inbox at once is better awaited on what the test asserts (eventually.ts).
 */
import { inboxFor } from '../../src/mail/address.js';

/** How long a delivered message may take to be shown before the test fails. */
const VISIBLE_TIMEOUT_SECONDS = 10;

/** The test servers' HTTP API, by the port of their SMTP listener (server.ts registers them). */
const apiBySmtpPort = new Map<number, string>();

export function registerApi(smtpPort: number, httpPort: number): void {
  apiBySmtpPort.set(smtpPort, `http://127.0.0.1:${httpPort}`);
}

export function forgetApi(smtpPort: number): void {
  apiBySmtpPort.delete(smtpPort);
}

/** The inbox a recipient address delivers to, or null (see mail/address.ts). */
function inboxOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  return inboxFor(at === -1 ? address : address.slice(0, at));
}

async function newestShown(api: string, inbox: string): Promise<number> {
  const response = await fetch(`${api}/api/v1/inboxes/${encodeURIComponent(inbox)}/messages?limit=1`);
  const page = (await response.json()) as { messages?: Array<{ id: number }> };
  return page.messages?.[0]?.id ?? 0;
}

/** Resolves once `count` messages newer than `afterId` are shown in `inbox`; throws if they are not in time. */
async function shown(api: string, inbox: string, afterId: number, count: number): Promise<void> {
  let cursor = afterId;
  for (let seen = 0; seen < count; seen++) {
    const response = await fetch(`${api}/api/v1/inboxes/${encodeURIComponent(inbox)}/wait?after=${cursor}&timeout=${VISIBLE_TIMEOUT_SECONDS}`);
    if (response.status !== 200) throw new Error(`${count - seen} message(s) delivered to ${inbox} not visible after ${VISIBLE_TIMEOUT_SECONDS} s (wait: HTTP ${response.status})`);
    cursor = ((await response.json()) as { id: number }).id;
  }
}

/**
 * Run `send`, which delivers `count` messages to each of `recipients` over SMTP of the server on
 * `smtpPort`, and resolve once they are visible. Without a known HTTP API, once they are sent.
 */
export async function deliveredVisibly<T>(smtpPort: number, recipients: readonly string[], count: number, send: () => Promise<T>): Promise<T> {
  const api = apiBySmtpPort.get(smtpPort);
  const inboxes = [...new Set(recipients.map(inboxOf).filter((inbox): inbox is string => inbox !== null))];
  if (!api || inboxes.length === 0) return send();
  const before = await Promise.all(inboxes.map((inbox) => newestShown(api, inbox)));
  const result = await send();
  await Promise.all(inboxes.map((inbox, i) => shown(api, inbox, before[i]!, count)));
  return result;
}
