/**
 * The Policy page (`/policy`): what the server's defences are doing, live. The bans in force
 * (lifted with the admin token, typed here and kept for this tab only), the hottest counters,
 * the full-disk guard, and the last refused sessions with their transcripts. The API has no
 * events for policy, so the page reads it again every REFRESH_MS while it is visible.
 */
import { ApiError, api, type PolicyView } from './api.js';
import { h, replaceChildren } from './dom.js';
import { showTranscript } from './transcript.js';

const REFRESH_MS = 2000;
const TOKEN_KEY = 'tidemail.adminToken';

const time = (ms: number): string => new Date(ms).toLocaleString();
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export function renderPolicy(main: HTMLElement): void {
  document.title = 'Policy · Tidemail';
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const body = h('div', { id: 'policy' });
  const token = h('input', { type: 'password', id: 'admin-token', autocomplete: 'off', placeholder: 'admin token', value: sessionStorage.getItem(TOKEN_KEY) ?? '' });
  token.addEventListener('change', () => sessionStorage.setItem(TOKEN_KEY, token.value));
  replaceChildren(
    main,
    h('h1', {}, 'Policy'),
    h('p', { class: 'muted' }, 'The defences for untrusted clients, as they stand now. Reading is public; lifting a ban needs the admin token.'),
    h('p', {}, h('label', { for: 'admin-token' }, 'Admin token '), token),
    status,
    body,
  );

  let opened = new Set<string>();
  const refresh = async (): Promise<void> => {
    try {
      const view = await api.policy();
      // Keep the refused sessions a reader opened open across refreshes.
      opened = new Set([...body.querySelectorAll<HTMLDetailsElement>('details[open]')].map((d) => d.dataset.key ?? ''));
      replaceChildren(body, ...sections(view, opened, lift));
      status.textContent = `Updated ${new Date().toLocaleTimeString()}${view.enabled ? '' : ' — the policy is off (--policy off)'}`;
    } catch (error) {
      status.textContent = error instanceof ApiError && error.status === 404 ? 'This server has no SMTP listener, so no policy.' : `Cannot load the policy: ${(error as Error).message}`;
    }
  };
  const lift = async (id: number): Promise<void> => {
    try {
      await api.liftBan(id, token.value);
      await refresh();
    } catch (error) {
      status.textContent = `Cannot lift ban ${id}: ${(error as Error).message}`;
    }
  };
  void refresh();
  const timer = setInterval(() => {
    if (document.visibilityState === 'visible') void refresh();
  }, REFRESH_MS);
  addEventListener('pagehide', () => clearInterval(timer), { once: true });
}

function sections(view: PolicyView, opened: Set<string>, lift: (id: number) => Promise<void>): HTMLElement[] {
  const disk = view.disk;
  return [
    h('h2', {}, 'Disk'),
    disk
      ? h('p', { id: 'disk', class: disk.state === 'full' ? 'notice' : '' },
          disk.state === 'full' ? 'Full: new mail is refused with 452 4.3.1 until space returns. ' : 'OK. ',
          `Free ${mib(disk.freeBytes)} + ${mib(disk.reusableBytes)} reusable in the store, minimum ${mib(disk.minFreeBytes)}; ${disk.evictedTotal} messages evicted so far.`)
      : h('p', { class: 'muted' }, 'The full-disk guard is off (--min-free-disk 0).'),
    h('h2', {}, `Bans (${view.bans.length})`),
    view.bans.length
      ? h('table', { class: 'policy-table', id: 'bans' },
          h('thead', {}, h('tr', {}, h('th', {}, 'What'), h('th', {}, 'Why'), h('th', {}, 'Since'), h('th', {}, 'Until'), h('th', {}, ''))),
          h('tbody', {}, ...view.bans.map((ban) =>
            h('tr', { 'data-ban': String(ban.id) },
              h('td', {}, `${ban.kind} `, h('code', {}, ban.value)), h('td', {}, ban.reason), h('td', {}, time(ban.sinceMs)), h('td', {}, time(ban.untilMs)),
              h('td', {}, h('button', { type: 'button', class: 'lift', onclick: () => void lift(ban.id), 'aria-label': `Lift the ban on ${ban.value}` }, 'Lift')),
            ))))
      : h('p', { class: 'muted' }, 'No bans in force.'),
    h('h2', {}, 'Hottest counters'),
    view.hottest.length
      ? h('table', { class: 'policy-table', id: 'hottest' },
          h('thead', {}, h('tr', {}, h('th', {}, 'What'), h('th', {}, 'Count'), h('th', {}, 'Window ends'))),
          h('tbody', {}, ...view.hottest.map((c) => h('tr', {}, h('td', {}, `${c.kind} `, h('code', {}, c.key)), h('td', {}, String(c.count)), h('td', {}, time(c.resetAtMs))))))
      : h('p', { class: 'muted' }, 'No counters running.'),
    h('h2', {}, `Refused sessions (${view.refused.length})`),
    view.refused.length
      ? h('ol', { class: 'refused', id: 'refused' }, ...view.refused.map((r) => {
          const key = `${r.atMs} ${r.remoteAddress} ${r.reason}`;
          return h('li', {},
            h('details', { 'data-key': key, open: opened.has(key) },
              h('summary', {}, h('strong', {}, r.reason), ` from ${r.remoteAddress}${r.helo ? ` (HELO ${r.helo})` : ''} at ${time(r.atMs)}`),
              ...showTranscript(r.transcript)));
        }))
      : h('p', { class: 'muted' }, 'Nothing refused yet.'),
  ];
}
