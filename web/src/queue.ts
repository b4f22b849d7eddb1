/**
 * The Queue page (`/queue`, `/queue/{id}`): what the relay queue is sending. The list shows each
 * message with its recipients' states; a message's page shows, per recipient, every attempt
 * as a timeline (time, host, the reply, the outcome) and the next retry. Retry now and Delete
 * need the admin token (typed here, kept for this tab only, as on the Policy page). The API has
 * no events for the queue, so the page reads it again every REFRESH_MS while visible.
 */
import { h, replaceChildren } from './dom.js';

const REFRESH_MS = 2000;
const TOKEN_KEY = 'tidemail.adminToken';

interface Attempt { at: string; host: string; reply: string; outcome: 'delivered' | 'deferred' | 'bounced' }
interface Recipient { address: string; state: string; attempts: number; nextAttemptAt: string | null; lastReply: string; attemptLog?: Attempt[] }
interface QueuedMessage { id: number; mailFrom: string; origin: string; sourceId: number | null; size: number; createdAt: string; recipients: Recipient[] }

const time = (iso: string | null): string => (iso ? new Date(iso).toLocaleString() : '—');

async function getJson<T>(path: string, init?: RequestInit): Promise<T | null> {
  const response = await fetch(path, init);
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(body?.error?.message ?? `${response.status} ${response.statusText}`);
  }
  return response.status === 204 ? null : ((await response.json()) as T);
}

function tokenInput(): HTMLInputElement {
  const token = h('input', { type: 'password', id: 'admin-token', autocomplete: 'off', placeholder: 'admin token', value: sessionStorage.getItem(TOKEN_KEY) ?? '' });
  token.addEventListener('change', () => sessionStorage.setItem(TOKEN_KEY, token.value));
  return token;
}

function every(refresh: () => Promise<void>): void {
  void refresh();
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, REFRESH_MS);
  addEventListener('pagehide', () => clearInterval(timer), { once: true });
}

const stateBadge = (state: string): HTMLElement => h('span', { class: `queue-state queue-${state}` }, state);

export function renderQueue(main: HTMLElement): void {
  document.title = 'Queue · Tidemail';
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const body = h('div', { id: 'queue' });
  replaceChildren(main, h('h1', {}, 'Queue'), h('p', { class: 'muted' }, 'Mail this server is sending on: relayed, released, bounces. Newest first.'), status, body);
  every(async () => {
    try {
      const page = (await getJson<{ total: number; messages: QueuedMessage[] }>('/api/v1/queue?limit=100'))!;
      replaceChildren(
        body,
        page.messages.length
          ? h('table', { class: 'policy-table', id: 'queue-list' },
              h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, 'From'), h('th', {}, 'Origin'), h('th', {}, 'Queued'), h('th', {}, 'Recipients'))),
              h('tbody', {}, ...page.messages.map((m) =>
                h('tr', { 'data-queue': String(m.id) },
                  h('td', {}, h('a', { href: `/queue/${m.id}` }, String(m.id))),
                  h('td', {}, m.mailFrom || '<> (null sender)'),
                  h('td', {}, m.origin),
                  h('td', {}, time(m.createdAt)),
                  h('td', {}, ...m.recipients.map((r) => h('div', {}, `${r.address} `, stateBadge(r.state))))))))
          : h('p', { class: 'muted' }, 'The queue is empty.'),
      );
      status.textContent = `${page.total} message${page.total === 1 ? '' : 's'}; updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      status.textContent = `Cannot load the queue: ${(error as Error).message}`;
    }
  });
}

export function renderQueuedMessage(main: HTMLElement, id: number): void {
  document.title = `Queue #${id} · Tidemail`;
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const body = h('div', { id: 'queued-message' });
  const token = tokenInput();
  const act = async (what: 'retry' | 'delete'): Promise<void> => {
    try {
      const headers = { authorization: `Bearer ${token.value}` };
      if (what === 'retry') await getJson(`/api/v1/queue/${id}/retry`, { method: 'POST', headers });
      else {
        await getJson(`/api/v1/queue/${id}`, { method: 'DELETE', headers });
        location.href = '/queue';
        return;
      }
      await refresh();
    } catch (error) {
      status.textContent = `Cannot ${what}: ${(error as Error).message}`;
    }
  };
  replaceChildren(
    main,
    h('p', {}, h('a', { href: '/queue' }, '← Queue')),
    h('h1', {}, `Queued message #${id}`),
    h('p', {}, h('label', { for: 'admin-token' }, 'Admin token '), token, ' ',
      h('button', { type: 'button', id: 'retry', onclick: () => void act('retry') }, 'Retry now'), ' ',
      h('button', { type: 'button', id: 'delete', onclick: () => void act('delete') }, 'Delete')),
    status,
    body,
  );
  const refresh = async (): Promise<void> => {
    try {
      const m = (await getJson<QueuedMessage>(`/api/v1/queue/${id}`))!;
      replaceChildren(
        body,
        h('p', {}, `From ${m.mailFrom || '<> (null sender)'} · ${m.origin} · ${m.size} bytes · queued ${time(m.createdAt)}`,
          m.sourceId ? h('span', {}, ' · from stored ', h('a', { href: `/message/${m.sourceId}` }, `message ${m.sourceId}`)) : ''),
        ...m.recipients.map((r) =>
          h('section', { class: 'queue-recipient', 'data-address': r.address },
            h('h2', {}, `${r.address} `, stateBadge(r.state)),
            h('p', { class: 'muted' }, r.nextAttemptAt ? `Next attempt ${time(r.nextAttemptAt)}` : `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}, final`),
            (r.attemptLog ?? []).length
              ? h('ol', { class: 'timeline' }, ...(r.attemptLog ?? []).map((a) =>
                  h('li', { class: `timeline-${a.outcome}` },
                    h('time', { datetime: a.at }, time(a.at)), ' ',
                    h('strong', {}, a.outcome), a.host ? ` at ${a.host}` : '',
                    h('div', {}, h('code', {}, a.reply)))))
              : h('p', { class: 'muted' }, 'Not tried yet.'))),
      );
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      status.textContent = `Cannot load queued message ${id}: ${(error as Error).message}`;
    }
  };
  every(refresh);
}
