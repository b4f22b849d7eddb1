/**
 * The Webhooks page (`/webhooks`): the webhook queue as it stands, newest first — what was sent
 * where, how many attempts, the last status, error and latency, and when the next attempt is due.
 * There are no events for the queue, so the page reads it again every REFRESH_MS while visible.
 */
import { api, type DeliveriesView } from './api.js';
import { h, replaceChildren } from './dom.js';

const REFRESH_MS = 2000;
const time = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '–');

export function renderWebhooks(main: HTMLElement): void {
  document.title = 'Webhooks · Tidemail';
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const body = h('div', { id: 'webhooks' });
  replaceChildren(
    main,
    h('h1', {}, 'Webhooks'),
    h('p', { class: 'muted' }, 'Every event to every endpoint, kept until delivered or given up (retried at 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). Receivers dedupe on webhook-id.'),
    status,
    body,
  );
  const refresh = async (): Promise<void> => {
    try {
      const view = await api.deliveries();
      replaceChildren(body, ...sections(view));
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      status.textContent = `Cannot load the deliveries: ${(error as Error).message}`;
    }
  };
  void refresh();
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, REFRESH_MS);
  addEventListener('pagehide', () => clearInterval(timer), { once: true });
}

function sections(view: DeliveriesView): HTMLElement[] {
  const { counts } = view;
  return [
    h('p', { id: 'webhook-counts' }, `${counts.pending} pending, ${counts.delivered} delivered, ${counts.failed} failed`),
    view.deliveries.length
      ? h('table', { class: 'policy-table', id: 'deliveries' },
          h('thead', {}, h('tr', {}, ...['Event', 'Message', 'Endpoint', 'State', 'Attempts', 'Last status', 'Latency', 'Last attempt', 'Next attempt'].map((t) => h('th', {}, t)))),
          h('tbody', {}, ...view.deliveries.map((d) =>
            h('tr', { 'data-delivery': String(d.id), class: `state-${d.state}` },
              h('td', {}, d.event),
              h('td', {}, h('a', { href: `/message/${d.messageId}` }, `#${d.messageId}`), ` in ${d.inbox}`),
              h('td', {}, h('code', {}, d.url)),
              h('td', {}, d.state),
              h('td', {}, String(d.attempts)),
              h('td', { title: d.lastError ?? '' }, d.lastStatus !== null ? String(d.lastStatus) : d.lastError ?? '–'),
              h('td', {}, d.lastLatencyMs !== null ? `${d.lastLatencyMs} ms` : '–'),
              h('td', {}, time(d.lastAttemptAt)),
              h('td', {}, time(d.nextAttemptAt)),
            ))))
      : h('p', { class: 'muted' }, 'Nothing sent yet. Start the server with --webhook URL, or add a rule with a webhook action.'),
  ];
}
