/**
 * Webhook endpoints as configured: `--webhook URL` (repeatable) and a rule's `webhook` action.
 * Every endpoint is told of `message.received`; one that also wants `message.deleted` says so,
 * on the command line with the fragment `#deleted` (`--webhook https://x.test/hook#deleted`):
 * a fragment is never sent in a request (RFC 3986 §3.5), so it is free to carry our option and
 * is removed from the URL we post to.
 */

export interface Endpoint {
  url: string;
  wantsDeleted: boolean;
}

/** An http(s) URL from the command line or a rule; throws with the reason otherwise. */
export function parseEndpoint(text: string, wantsDeleted = false): Endpoint {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${text.slice(0, 200)}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`"${text.slice(0, 200)}" is not an http or https URL`);
  const fragment = url.hash.slice(1);
  if (fragment !== '' && fragment !== 'deleted') throw new Error(`unknown webhook option "#${fragment.slice(0, 40)}" (only #deleted)`);
  url.hash = '';
  return { url: url.toString(), wantsDeleted: wantsDeleted || fragment === 'deleted' };
}

/** The URL as shown to everyone (the deliveries API, the UI): without credentials or query, where tokens live. */
export function shownUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}
