/**
 * The Rules page (`/rules`): every routing rule in the order they apply, with where it comes
 * from (the --rules file or the API) and the problems of the last load; API rules can be added,
 * replaced (as JSON) and deleted with the admin token, typed here and kept for this tab only.
 */
import { api, type RulesView } from './api.js';
import { h, replaceChildren } from './dom.js';

const TOKEN_KEY = 'tidemail.adminToken';
const EXAMPLE = JSON.stringify({ name: 'billing', priority: 10, conditions: [{ field: 'to', op: 'prefix', value: 'invoices' }], actions: [{ tag: 'billing' }] }, null, 2);

export function renderRules(main: HTMLElement): void {
  document.title = 'Rules · Tidemail';
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const body = h('div', { id: 'rules' });
  const token = h('input', { type: 'password', id: 'admin-token', autocomplete: 'off', placeholder: 'admin token', value: sessionStorage.getItem(TOKEN_KEY) ?? '' });
  token.addEventListener('change', () => sessionStorage.setItem(TOKEN_KEY, token.value));
  const editor = h('textarea', { id: 'rule-json', rows: '10', cols: '70', spellcheck: 'false', 'aria-label': 'Rule as JSON' });
  editor.value = EXAMPLE;
  const save = h('button', { type: 'button', id: 'save-rule' }, 'Save rule');
  const refresh = async (): Promise<void> => {
    try {
      replaceChildren(body, ...sections(await api.rules(), remove, edit));
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
    } catch (error) {
      status.textContent = `Cannot load the rules: ${(error as Error).message}`;
    }
  };
  const remove = async (name: string): Promise<void> => {
    try {
      await api.deleteRule(name, token.value);
      await refresh();
    } catch (error) {
      status.textContent = `Cannot delete ${name}: ${(error as Error).message}`;
    }
  };
  const edit = (json: string): void => {
    editor.value = json;
    editor.focus();
  };
  save.addEventListener('click', () => {
    void (async () => {
      try {
        const name = (JSON.parse(editor.value) as { name?: unknown }).name;
        if (typeof name !== 'string') throw new Error('the rule needs a "name"');
        await api.putRule(name, editor.value, token.value);
        await refresh();
      } catch (error) {
        status.textContent = `Cannot save the rule: ${(error as Error).message}`;
      }
    })();
  });
  replaceChildren(
    main,
    h('h1', {}, 'Rules'),
    h('p', { class: 'muted' }, 'Routing rules act on mail at the end of DATA, lowest priority first. Reading is public; changes need the admin token. Rules of the --rules file change only in the file.'),
    h('p', {}, h('label', { for: 'admin-token' }, 'Admin token '), token),
    status,
    body,
    h('h2', {}, 'Add or replace a rule'),
    editor,
    h('p', {}, save),
  );
  void refresh();
}

function sections(view: RulesView, remove: (name: string) => Promise<void>, edit: (json: string) => void): HTMLElement[] {
  return [
    ...(view.problems.length ? [h('ul', { class: 'notice', id: 'rule-problems' }, ...view.problems.map((p) => h('li', {}, p)))] : []),
    view.rules.length
      ? h('table', { class: 'policy-table', id: 'rule-list' },
          h('thead', {}, h('tr', {}, ...['Priority', 'Name', 'Source', 'When', 'Then', ''].map((t) => h('th', {}, t)))),
          h('tbody', {}, ...view.rules.map((rule) => {
            const { source, ...json } = rule;
            const when = rule.conditions.length ? rule.conditions.map((c) => `${c.field} ${c.op} "${c.value}"`).join(rule.match === 'any' ? ' or ' : ' and ') : 'every message';
            return h('tr', { 'data-rule': rule.name, class: rule.enabled ? '' : 'muted' },
              h('td', {}, String(rule.priority)),
              h('td', {}, rule.name, rule.enabled ? '' : ' (disabled)'),
              h('td', {}, source),
              h('td', {}, when),
              h('td', {}, rule.actions.map((a) => Object.entries(a).map(([k, v]) => `${k} ${v === true ? '' : String(v)}`.trim()).join(' ')).join('; ')),
              h('td', {}, source === 'api'
                ? h('span', {}, h('button', { type: 'button', onclick: () => edit(JSON.stringify(json, null, 2)) }, 'Edit'), ' ',
                    h('button', { type: 'button', onclick: () => void remove(rule.name), 'aria-label': `Delete rule ${rule.name}` }, 'Delete'))
                : ''));
          })))
      : h('p', { class: 'muted' }, 'No rules yet.'),
  ];
}
