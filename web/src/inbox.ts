/**
 * The inbox view: the newest messages, kept live by server-sent events. On every `ready`
 * (first connect and each reconnect) and on `reset` the list is reloaded from the API, so
 * nothing that arrived while disconnected is missed; `message`, `deleted` and `flags` events
 * patch it in between. A reload updates rows in place rather than rebuilding the list, so the
 * j/k selection and the focus survive it. Each row shows its codes and action link
 * (message-row.ts): a message is announced and listed only with its summary final (the store's
 * visibility gate), so a row never needs filling in later.
 */
import { api, mailDomain, type Summary } from './api.js';
import { copyButton, h, replaceChildren } from './dom.js';
import { messageRow, updateRow } from './message-row.js';
import { outboundTabs } from './outbound.js';
import { rememberInbox } from './recent.js';
import { searchBox } from './search.js';

export function renderInbox(main: HTMLElement, inbox: string): void {
  const address = `${inbox}@${mailDomain()}`;
  document.title = `${inbox} · Tidemail`;
  rememberInbox(inbox);
  const status = h('span', { class: 'status', role: 'status', 'aria-live': 'polite' }, 'connecting…');
  const list = h('ol', { class: 'messages', 'aria-label': `Messages for ${address}` });
  const empty = h('p', { class: 'empty muted' }, `Waiting for mail to ${address}…`);
  const tabs = outboundTabs(inbox, list); // --capture-outbound (issue 16)
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
    tabs.element,
    empty,
    list,
  );

  interface Entry {
    row: HTMLLIElement;
    summary: Summary;
    /** Which live arrival added it (0: a listing did). */
    arrival: number;
  }
  const rows = new Map<number, Entry>();
  let arrivals = 0;
  const showEmpty = (): void => {
    empty.hidden = rows.size > 0;
  };
  const add = (summary: Summary): void => {
    if (rows.has(summary.id)) return;
    const row = messageRow(summary);
    rows.set(summary.id, { row, summary, arrival: ++arrivals });
    list.prepend(row);
    showEmpty();
  };
  /**
   * Make the list the listing's, reusing the rows still there (never moved, so the focus stays
   * put). A row that arrived live after the listing was asked for is newer than it: kept.
   */
  const show = (messages: Summary[], arrivalsBefore: number): void => {
    const next = new Map<number, Entry>();
    for (const [id, entry] of rows) if (entry.arrival > arrivalsBefore) next.set(id, entry);
    for (const summary of messages) {
      const known = rows.get(summary.id);
      if (known && JSON.stringify(known.summary) !== JSON.stringify(summary)) updateRow(known.row, summary);
      if (!next.has(summary.id)) next.set(summary.id, { row: known?.row ?? messageRow(summary), summary, arrival: 0 });
      else next.get(summary.id)!.summary = summary;
    }
    for (const [id, { row }] of rows) if (!next.has(id)) row.remove();
    const ordered = [...next.values()].sort((a, b) => b.summary.id - a.summary.id);
    let cursor = list.firstChild;
    for (const { row } of ordered) {
      if (row === cursor) cursor = cursor.nextSibling;
      else list.insertBefore(row, cursor);
    }
    rows.clear();
    for (const entry of ordered) rows.set(entry.summary.id, entry);
    showEmpty();
  };
  const reload = async (): Promise<void> => {
    const arrivalsBefore = arrivals;
    try {
      show((await api.list(inbox)).messages, arrivalsBefore);
      await tabs.refresh();
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
  source.addEventListener('message', (event) => {
    add(JSON.parse((event as MessageEvent<string>).data) as Summary);
    void tabs.refresh();
  });
  source.addEventListener('deleted', (event) => {
    const { id } = JSON.parse((event as MessageEvent<string>).data) as { id: number };
    rows.get(id)?.row.remove();
    rows.delete(id);
    showEmpty();
  });
  source.addEventListener('flags', (event) => {
    const { id, seen, flags } = JSON.parse((event as MessageEvent<string>).data) as Pick<Summary, 'id' | 'seen' | 'flags'>;
    const entry = rows.get(id);
    if (!entry) return;
    entry.summary = { ...entry.summary, seen, flags };
    entry.row.classList.toggle('unseen', !seen);
  });
  source.addEventListener('error', () => (status.textContent = 'reconnecting…'));
  window.addEventListener('pagehide', () => source.close());
}
