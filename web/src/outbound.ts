/**
 * The inbox page's Outbound tab (--capture-outbound): copies of mail this inbox's address sent
 * through the relay are ordinary messages of the inbox, listed by
 * `GET /api/v1/inboxes/{inbox}/outbound`. Their rows get an "outbound" badge, and the tabs
 * switch the list between everything and only those, as Mailpit and MailDev show what an app
 * sent. Without the flag on the server the tabs stay hidden.
 */
import { h } from './dom.js';

export interface OutboundTabs {
  element: HTMLElement;
  /** Ask the server again which rows are outbound and mark them (after a reload or an arrival). */
  refresh(): Promise<void>;
}

export function outboundTabs(inbox: string, list: HTMLElement): OutboundTabs {
  let outbound = new Set<number>();
  const all = h('button', { type: 'button', role: 'tab', 'aria-selected': 'true', class: 'tab' }, 'All');
  const sent = h('button', { type: 'button', role: 'tab', 'aria-selected': 'false', class: 'tab', id: 'outbound-tab' }, 'Outbound');
  const element = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Which messages', hidden: true }, all, sent);
  const select = (onlyOutbound: boolean): void => {
    list.classList.toggle('only-outbound', onlyOutbound);
    all.setAttribute('aria-selected', String(!onlyOutbound));
    sent.setAttribute('aria-selected', String(onlyOutbound));
  };
  all.addEventListener('click', () => select(false));
  sent.addEventListener('click', () => select(true));
  const mark = (): void => {
    for (const row of list.querySelectorAll<HTMLElement>('li[data-id]')) {
      const isOutbound = outbound.has(Number(row.dataset.id));
      row.classList.toggle('outbound', isOutbound);
      const badge = row.querySelector('.outbound-badge');
      if (isOutbound && !badge) row.prepend(h('span', { class: 'outbound-badge', title: 'Sent through the relay; a copy kept here' }, 'outbound'));
      if (!isOutbound) badge?.remove();
    }
  };
  new MutationObserver(mark).observe(list, { childList: true });
  return {
    element,
    async refresh() {
      try {
        const response = await fetch(`/api/v1/inboxes/${encodeURIComponent(inbox)}/outbound`);
        if (!response.ok) return;
        const body = (await response.json()) as { capture: boolean; ids: number[] };
        element.hidden = !body.capture;
        outbound = new Set(body.ids);
        mark();
      } catch {
        // the tabs are a convenience: the listing works without them
      }
    },
  };
}
