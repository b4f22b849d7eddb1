/**
 * Home: open any inbox by name (or full address), or make up a random one; the full address to
 * copy; the inboxes this browser opened lately; a search over every inbox.
 */
import { mailDomain } from './api.js';
import { copyText, h, relativeTime, replaceChildren } from './dom.js';
import { clearRecentInboxes, recentInboxes } from './recent.js';
import { searchBox } from './search.js';

const WORDS_A = ['amber', 'brisk', 'calm', 'dusty', 'eager', 'foggy', 'gentle', 'hidden', 'icy', 'jolly', 'lucky', 'misty', 'nimble', 'quiet', 'rapid', 'salty', 'tidy', 'vivid', 'windy', 'zesty'];
const WORDS_B = ['otter', 'heron', 'falcon', 'walrus', 'badger', 'marten', 'puffin', 'lynx', 'gecko', 'bison', 'koala', 'ibis', 'newt', 'orca', 'panda', 'quail', 'raven', 'seal', 'tapir', 'wombat'];

function pick<T>(items: readonly T[]): T {
  const random = new Uint32Array(1);
  crypto.getRandomValues(random);
  return items[random[0]! % items.length]!;
}

export function randomInboxName(): string {
  const digits = new Uint32Array(1);
  crypto.getRandomValues(digits);
  return `${pick(WORDS_A)}-${pick(WORDS_B)}-${(digits[0]! % 9000) + 1000}`;
}

/** What the server does too: a full address names the inbox of its local part, lower-cased, without +tag. */
export function inboxName(input: string): string {
  const local = input.trim().replace(/@[^@]*$/, '');
  return local.split('+')[0]!.toLowerCase();
}

export function renderHome(main: HTMLElement): void {
  document.title = 'Tidemail';
  const domain = mailDomain();
  const input = h('input', {
    id: 'inbox-name', name: 'inbox', type: 'text', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false',
    placeholder: 'any-name', required: true, 'aria-describedby': 'address-hint',
  });
  const address = h('code', { id: 'full-address' });
  const copy = h('button', { type: 'button', class: 'copy' }, 'Copy address');
  const update = (): void => {
    const name = inboxName(input.value);
    address.textContent = `${name || 'any-name'}@${domain}`;
    copy.disabled = name === '';
  };
  input.addEventListener('input', update);
  copy.addEventListener('click', async () => {
    copy.textContent = (await copyText(address.textContent ?? '')) ? 'Copied' : 'Copy failed';
    setTimeout(() => (copy.textContent = 'Copy address'), 1500);
  });
  const form = h(
    'form',
    { class: 'open-inbox', action: '/', onsubmit: (event: Event) => {
      event.preventDefault();
      const name = inboxName(input.value);
      if (name) location.assign(`/inbox/${encodeURIComponent(name)}`);
    } },
    h('label', { for: 'inbox-name' }, 'Inbox name or address'),
    h('div', { class: 'row' }, input, h('button', { type: 'submit', class: 'primary' }, 'Open inbox')),
  );
  const random = h('button', { type: 'button', id: 'random-inbox', onclick: () => {
    input.value = randomInboxName();
    update();
    input.focus();
  } }, 'Random inbox');
  replaceChildren(
    main,
    h('h1', {}, 'Read any inbox'),
    h('p', { class: 'lead' }, 'Mail sent to any address at ', h('strong', {}, domain), ' lands here. No sign-up, no password: anyone who knows the name can read the inbox.'),
    form,
    h('div', { class: 'row address-row' }, random, h('span', { id: 'address-hint', class: 'muted' }, 'Address: '), address, copy),
    recentSection(domain, () => input.focus()),
    searchBox(),
  );
  update();
  input.focus();
}

/** Nothing when this browser opened no inbox yet; "Clear" forgets them all and hands the focus back. */
function recentSection(domain: string, afterClear: () => void): HTMLElement | null {
  const recent = recentInboxes();
  if (recent.length === 0) return null;
  const clear = h('button', { type: 'button', class: 'copy', id: 'clear-recent' }, 'Clear', h('span', { class: 'sr-only' }, ' recent inboxes'));
  const section = h(
    'section',
    { class: 'recent', 'aria-labelledby': 'recent-title' },
    h('div', { class: 'row' }, h('h2', { id: 'recent-title' }, 'Recent inboxes'), clear),
    h(
      'ol',
      { class: 'recent-list' },
      ...recent.map((entry) =>
        h(
          'li',
          { 'data-nav-item': true },
          h('a', { href: `/inbox/${encodeURIComponent(entry.name)}` }, `${entry.name}@${domain}`),
          h('time', { class: 'muted', datetime: new Date(entry.openedAtMs).toISOString() }, `opened ${relativeTime(new Date(entry.openedAtMs).toISOString())}`),
        ),
      ),
    ),
  );
  clear.addEventListener('click', () => {
    clearRecentInboxes();
    section.remove();
    afterClear();
  });
  return section;
}
