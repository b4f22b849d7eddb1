/**
 * One message in a list (the inbox and search results). The row's main link opens the message;
 * beside it, never inside it (a button inside a link is neither valid nor usable), sit what a
 * tester came for: each one-time code with a copy button, and the likely action link (the
 * server puts it first in `links`) one click away. `data-nav-item` makes the row a stop for
 * j/k (keys.ts).
 */
import type { Summary } from './api.js';
import { copyButton, h, relativeTime, webUrl } from './dom.js';

export interface RowOptions {
  /** Search results span inboxes, so they say which one each message is in. */
  showInbox?: boolean;
}

export function messageRow(summary: Summary, options: RowOptions = {}): HTMLLIElement {
  const from = summary.from ? summary.from.name || summary.from.address : '(no sender)';
  return h(
    'li',
    { class: summary.seen ? 'message' : 'message unseen', 'data-id': String(summary.id), 'data-nav-item': true },
    h(
      'a',
      { class: 'open', href: `/message/${summary.id}` },
      h('span', { class: 'from' }, from),
      h('time', { datetime: summary.receivedAt, title: new Date(summary.receivedAt).toLocaleString() }, relativeTime(summary.receivedAt)),
      h('span', { class: 'subject' }, summary.subject || '(no subject)'),
      h('span', { class: 'preview' }, summary.preview),
      options.showInbox && h('span', { class: 'badge inbox-name' }, `in ${summary.inbox}`),
      summary.attachments > 0 && h('span', { class: 'badge' }, `${summary.attachments} attachment${summary.attachments > 1 ? 's' : ''}`),
      ...summary.tags.map((tag) => h('span', { class: 'badge rule-tag', title: 'tag from a routing rule' }, tag)),
    ),
    quickActions(summary),
  );
}

/**
 * Show a newer summary of the same message in the row it already has, so the row keeps its
 * place, its j/k selection and, if it had it, the focus.
 */
export function updateRow(row: HTMLLIElement, summary: Summary): void {
  const fresh = messageRow(summary);
  const focused = row.contains(document.activeElement) ? [...row.querySelectorAll('a, button')].indexOf(document.activeElement!) : -1;
  row.replaceChildren(...fresh.childNodes);
  row.classList.toggle('unseen', !summary.seen);
  if (focused !== -1) (row.querySelectorAll<HTMLElement>('a, button')[focused] ?? row.querySelector<HTMLElement>('a'))?.focus();
}


function quickActions(summary: Summary): HTMLElement | null {
  const action = webUrl(summary.links[0] ?? '');
  if (summary.codes.length === 0 && !action) return null;
  return h(
    'div',
    { class: 'quick' },
    ...summary.codes.map((code) => h('span', { class: 'code-chip' }, h('code', { class: 'code' }, code), copyButton(code, 'Copy', `code ${code}`))),
    action && actionLink(action),
  );
}

/** Opens in a new tab without telling the site where the click came from. */
export function actionLink(url: URL): HTMLAnchorElement {
  return h(
    'a',
    { class: 'button action', href: url.href, target: '_blank', rel: 'noopener noreferrer nofollow', title: url.href },
    'Open link ',
    h('span', { class: 'host' }, url.host),
    h('span', { class: 'sr-only' }, ' (opens in a new tab)'),
  );
}
