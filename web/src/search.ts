/**
 * The search box over `/api/v1/search`: every inbox from the home page, one inbox from the
 * inbox page. The words searched for go into the page's `?q=` (replaceState), so reloading or
 * coming Back to the page shows the same results. Results are message rows linking to
 * `/message/{id}`; a newer search that finishes first is never overwritten by an older one.
 */
import { api } from './api.js';
import { h, replaceChildren } from './dom.js';
import { messageRow } from './message-row.js';

export function searchBox(inbox?: string): HTMLElement {
  const label = inbox ? 'Search this inbox' : 'Search all inboxes';
  const input = h('input', { id: 'search-q', name: 'q', type: 'search', autocomplete: 'off', spellcheck: 'false', placeholder: 'subject, sender or words', 'aria-keyshortcuts': '/' });
  const status = h('p', { class: 'muted search-status', role: 'status', 'aria-live': 'polite' });
  const results = h('ol', { class: 'messages search-results', 'aria-label': 'Search results' });
  const clear = h('button', { type: 'button', class: 'copy', hidden: true }, 'Clear search');
  const output = h('div', { class: 'search-output', hidden: true }, h('div', { class: 'row' }, status, clear), results);
  let latest = 0;

  const run = async (text: string): Promise<void> => {
    const ticket = ++latest;
    setQuery(text);
    if (text === '') {
      output.hidden = true;
      replaceChildren(results);
      return;
    }
    output.hidden = false;
    clear.hidden = false;
    status.textContent = 'Searching…';
    try {
      const found = await api.search(text, inbox);
      if (ticket !== latest) return;
      replaceChildren(results, ...found.messages.map((summary) => messageRow(summary, { showInbox: !inbox })));
      const n = found.messages.length;
      status.textContent = n === 0 ? `No messages match “${text}”.` : `${n} message${n === 1 ? '' : 's'} match “${text}”.`;
    } catch (error) {
      if (ticket !== latest) return;
      replaceChildren(results);
      status.textContent = `Search failed: ${(error as Error).message}`;
    }
  };

  clear.addEventListener('click', () => {
    input.value = '';
    void run('');
    input.focus();
  });
  const form = h(
    'form',
    { class: 'search', role: 'search', action: location.pathname, onsubmit: (event: Event) => {
      event.preventDefault();
      void run(input.value.trim());
    } },
    h('label', { for: 'search-q' }, label),
    h('div', { class: 'row' }, input, h('button', { type: 'submit' }, 'Search')),
    h('p', { class: 'muted keys-hint' }, 'Keys: ', h('kbd', {}, '/'), ' search, ', h('kbd', {}, 'j'), ' / ', h('kbd', {}, 'k'), ' move through the list, ', h('kbd', {}, 'Enter'), ' opens.'),
  );
  const initial = new URLSearchParams(location.search).get('q')?.trim() ?? '';
  if (initial) {
    input.value = initial;
    void run(initial);
  }
  return h('div', { class: 'search-box' }, form, output);
}

function setQuery(text: string): void {
  const url = new URL(location.href);
  if (text) url.searchParams.set('q', text);
  else url.searchParams.delete('q');
  history.replaceState(history.state, '', url);
}
