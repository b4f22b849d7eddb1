/**
 * The inbox view: the newest messages, kept live by server-sent events. On every `ready`
 * (first connect and each reconnect) and on `reset` the list is reloaded from the API, so
 * nothing that arrived while disconnected is missed; `message`, `deleted` and `flags` events
 * patch it in between.
 */
import { api, mailDomain, type Summary } from './api.js';
import { copyButton, h, replaceChildren } from './dom.js';
import { messageRow } from './message-row.js';
import { rememberInbox } from './recent.js';
import { searchBox } from './search.js';

export function renderInbox(main: HTMLElement, inbox: string): void {
  const address = `${inbox}@${mailDomain()}`;
  document.title = `${inbox} · Tidemail`;
  rememberInbox(inbox);
  const status = h('span', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'connecting…');
  const list = h('ol', { class: 'messages', 'aria-label': `Messages for ${address}` });
  const empty = h('p', { class: 'empty muted' }, `Waiting for mail to ${address}…`);
  const deleteAll = h('button', { type: 'button', class: 'danger' }, 'Delete all');
  deleteAll.addEventListener('click', async () => {
    if (!confirm(`Delete every message in ${address}?`)) return;
    await api.deleteInbox(inbox);
    await reload();
  });
  replaceChildren(
    main,
    h('nav', { class: 'crumbs' }, h('a', { href: '/' }, '← All inboxes')),
    h('div', { class: 'inbox-head' }, h('h1', {}, h('code', { id: 'inbox-address' }, address)), copyButton(address, 'Copy address'), deleteAll),
    searchBox(inbox),
    h('p', { class: 'muted' }, 'Updates live as mail arrives. ', status),
    empty,
    list,
  );

  const rows = new Map<number, HTMLLIElement>();
  const showEmpty = (): void => {
    empty.hidden = rows.size > 0;
  };
  const add = (summary: Summary, atTop: boolean): void => {
    if (rows.has(summary.id)) return;
    const row = messageRow(summary);
    rows.set(summary.id, row);
    if (atTop) list.prepend(row);
    else list.append(row);
    showEmpty();
  };
  const reload = async (): Promise<void> => {
    try {
      const page = await api.list(inbox);
      rows.clear();
      list.textContent = '';
      for (const summary of page.messages) add(summary, false);
      showEmpty();
    } catch (error) {
      replaceChildren(empty, `Cannot open this inbox: ${(error as Error).message}`);
      empty.hidden = false;
    }
  };

  const source = new EventSource(api.eventsUrl(inbox));
  source.addEventListener('ready', () => {
    status.textContent = 'live';
    void reload();
  });
  source.addEventListener('reset', () => void reload());
  source.addEventListener('message', (event) => add(JSON.parse((event as MessageEvent<string>).data) as Summary, true));
  source.addEventListener('deleted', (event) => {
    const { id } = JSON.parse((event as MessageEvent<string>).data) as { id: number };
    rows.get(id)?.remove();
    rows.delete(id);
    showEmpty();
  });
  source.addEventListener('flags', (event) => {
    const { id, seen } = JSON.parse((event as MessageEvent<string>).data) as { id: number; seen: boolean };
    rows.get(id)?.classList.toggle('unseen', !seen);
  });
  source.addEventListener('error', () => (status.textContent = 'reconnecting…'));
  window.addEventListener('pagehide', () => source.close());
}
