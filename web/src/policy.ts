/**
 * The Policy page (`/policy`): what the server's defences are doing, live. The bans in force
 * (lifted with the admin token, typed here and kept for this tab only), the hottest counters,
 * the greylist (its rules, counts and latest entries), the full-disk guard, and the last
 * refused sessions with their transcripts. The API has no
 * events for policy, so the page reads it again every REFRESH_MS while it is visible.
 */
import { ApiError, api, type PolicyView } from './api.js';
import { h, replaceChildren } from './dom.js';
import { showTranscript } from './transcript.js';

declare module './api.js' {
  interface PolicyView {
    /** null without --greylist. */
    greylist: GreylistView | null;
  }
}

interface GreylistView {
  settings: { delayMs: number; retryWindowMs: number; lifetimeMs: number; hammerMs: number; autoWhitelistPasses: number; maxEntries: number; whitelistFile: string | null };
  counts: { grey: number; white: number; clients: number; whitelistLines: number };
  entries: Array<{ kind: 'grey' | 'white' | 'client'; network: string; sender: string | null; recipient: string | null; firstSeenMs: number; lastSeenMs: number; passes: number; expiresAtMs: number }>;
}

const REFRESH_MS = 2000;
const TOKEN_KEY = 'tidemail.adminToken';

const time = (ms: number): string => new Date(ms).toLocaleString();
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const span = (ms: number): string =>
  ms >= 172_800_000 && ms % 86_400_000 === 0 ? `${ms / 86_400_000} d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;

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
    ...greylistSection(view.greylist),
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

/** The greylist: its rules in one line, its counts, and the entries seen most recently. */
function greylistSection(greylist: GreylistView | null): HTMLElement[] {
  if (!greylist) return [h('h2', {}, 'Greylist'), h('p', { class: 'muted' }, 'Greylisting is off (--greylist).')];
  const { settings: s, counts: c } = greylist;
  const state = (e: GreylistView['entries'][number]): string =>
    e.kind === 'client' ? (s.autoWhitelistPasses > 0 && e.passes >= s.autoWhitelistPasses ? 'whitelisted network' : 'network passes') : e.kind;
  return [
    h('h2', {}, `Greylist (${c.grey} grey, ${c.white} white, ${c.clients} client networks)`),
    h('p', { id: 'greylist-rules' },
      `Unknown triplets wait ${span(s.delayMs)} and must retry within ${span(s.retryWindowMs)}; passed ones are kept ${span(s.lifetimeMs)}. `,
      s.hammerMs > 0 ? `A retry sooner than ${span(s.hammerMs)} restarts the clock. ` : '',
      s.autoWhitelistPasses > 0 ? `A client network is whitelisted after ${s.autoWhitelistPasses} passes. ` : '',
      `At most ${s.maxEntries} triplets. `,
      s.whitelistFile ? `Whitelist: ${s.whitelistFile} (${c.whitelistLines} entries).` : 'No whitelist file.'),
    greylist.entries.length
      ? h('table', { class: 'policy-table', id: 'greylist' },
          h('thead', {}, h('tr', {}, h('th', {}, 'Client network'), h('th', {}, 'Sender → recipient'), h('th', {}, 'State'), h('th', {}, 'First seen'), h('th', {}, 'Passes'), h('th', {}, 'Expires'))),
          h('tbody', {}, ...greylist.entries.map((e) =>
            h('tr', { 'data-kind': e.kind },
              h('td', {}, h('code', {}, e.network)),
              h('td', {}, e.kind === 'client' ? '(any)' : `${e.sender || '<>'} → ${e.recipient}`),
              h('td', {}, state(e)), h('td', {}, time(e.firstSeenMs)), h('td', {}, String(e.passes)), h('td', {}, time(e.expiresAtMs))))))
      : h('p', { class: 'muted' }, 'No greylist entries yet.'),
  ];
}
