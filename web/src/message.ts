/**
 * The message view. The HTML part is shown only inside an iframe sandboxed without
 * `allow-scripts` and without `allow-same-origin`, loading the server's sanitised document
 * (which carries its own CSP); remote images, CSS and fonts stay blocked until the reader clicks
 * "Load remote content" for this message. Everything else from the mail is inserted as text.
 */
import { ApiError, api, type Message } from './api.js';
import { copyButton, formatBytes, h, replaceChildren, webUrl } from './dom.js';
import { transcriptPanel } from './transcript.js';

const REMOTE_REFERENCE = /(?:\b(?:src|srcset|background)\s*=\s*["']?\s*(?:https?:)?\/\/)|url\(\s*["']?\s*(?:https?:)?\/\/|@import/i;

export async function renderMessage(main: HTMLElement, id: number): Promise<void> {
  let message: Message;
  try {
    message = await api.message(id);
  } catch (error) {
    const text = error instanceof ApiError && error.status === 404 ? 'This message does not exist (it may have been deleted or expired).' : `Cannot load the message: ${(error as Error).message}`;
    replaceChildren(main, h('nav', { class: 'crumbs' }, h('a', { href: '/' }, '← Home')), h('p', { role: 'alert' }, text));
    return;
  }
  document.title = `${message.subject || '(no subject)'} · Tidemail`;
  const inboxHref = `/inbox/${encodeURIComponent(message.inbox)}`;

  const deleteButton = h('button', { type: 'button', class: 'danger', id: 'delete-message' }, 'Delete');
  deleteButton.addEventListener('click', async () => {
    if (!confirm('Delete this message?')) return;
    await api.deleteMessage(id);
    location.assign(inboxHref);
  });

  const panels = tabs(message);
  replaceChildren(
    main,
    h('nav', { class: 'crumbs' }, h('a', { href: inboxHref }, `← ${message.inbox}`)),
    h('h1', { class: 'subject', id: 'message-subject' }, message.subject || '(no subject)'),
    message.tags.length > 0 && h('p', { class: 'tags' }, ...message.tags.map((tag) => h('span', { class: 'badge rule-tag', title: 'tag from a routing rule' }, tag))),
    h(
      'dl',
      { class: 'meta' },
      h('dt', {}, 'From'), h('dd', {}, formatAddress(message.from)),
      h('dt', {}, 'To'), h('dd', {}, message.to.map(formatAddress).join(', ') || message.envelope.rcptTo.join(', ')),
      h('dt', {}, 'Date'), h('dd', {}, new Date(message.date ?? message.receivedAt).toLocaleString()),
    ),
    h('div', { class: 'row actions' }, deleteButton, h('a', { class: 'button', href: api.rawUrl(id), download: `message-${id}.eml` }, 'Download .eml')),
    extracted('Codes', 'codes', message.codes, (code) => h('code', { class: 'code' }, code), (code) => `code ${code}`),
    extracted('Links', 'links', message.links.filter((url) => webUrl(url) !== null), (url) => h('a', { href: url, target: '_blank', rel: 'noopener noreferrer nofollow' }, url), () => 'link'),
    attachments(message),
    panels,
  );
}

function formatAddress(address: { name: string; address: string } | null): string {
  if (!address) return '(none)';
  return address.name ? `${address.name} <${address.address}>` : address.address;
}

function extracted(title: string, id: string, items: string[], show: (item: string) => HTMLElement, what: (item: string) => string): HTMLElement | null {
  if (items.length === 0) return null;
  return h(
    'section',
    { class: 'extracted', id, 'aria-label': title },
    h('h2', {}, title),
    h('ul', {}, ...items.map((item) => h('li', {}, show(item), copyButton(item, 'Copy', what(item))))),
  );
}

function attachments(message: Message): HTMLElement | null {
  if (message.attachments.length === 0) return null;
  return h(
    'section',
    { class: 'extracted', id: 'attachments', 'aria-label': 'Attachments' },
    h('h2', {}, 'Attachments'),
    h(
      'ul',
      {},
      ...message.attachments.map((a) =>
        h(
          'li',
          {},
          h('a', { href: api.attachmentUrl(message.id, a.index), download: a.filename ?? `attachment-${a.index}` }, a.filename ?? `attachment-${a.index}`),
          h('span', { class: 'muted' }, ` ${a.contentType}, ${formatBytes(a.size)}`),
        ),
      ),
    ),
  );
}

/** HTML / Text / Headers / SMTP / Raw as a tab list (WAI-ARIA tabs pattern: arrow keys move between tabs). */
function tabs(message: Message): HTMLElement {
  const defs: Array<[string, () => HTMLElement]> = [];
  if (message.html) defs.push(['HTML', () => htmlPanel(message)]);
  defs.push(['Text', () => h('pre', { class: 'text' }, message.text || '(no text part)')]);
  defs.push(['Headers', () => headersPanel(message)]);
  defs.push(['SMTP', () => transcriptPanel(message.id)]);
  defs.push(['Raw', () => rawPanel(message.id)]);

  const tablist = h('div', { role: 'tablist', 'aria-label': 'Message views', class: 'tabs' });
  const panel = h('div', { role: 'tabpanel', class: 'panel', tabindex: '0' });
  const buttons = defs.map(([name], index) =>
    h('button', { type: 'button', role: 'tab', id: `tab-${name.toLowerCase()}`, 'aria-controls': 'panel', onclick: () => select(index) }, name),
  );
  const select = (index: number): void => {
    buttons.forEach((button, i) => {
      button.setAttribute('aria-selected', String(i === index));
      button.tabIndex = i === index ? 0 : -1;
    });
    panel.setAttribute('aria-labelledby', buttons[index]!.id);
    replaceChildren(panel, defs[index]![1]());
  };
  tablist.addEventListener('keydown', (event) => {
    const current = buttons.findIndex((b) => b.getAttribute('aria-selected') === 'true');
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    const next = (current + step + buttons.length) % buttons.length;
    select(next);
    buttons[next]!.focus();
  });
  buttons.forEach((b) => tablist.append(b));
  panel.id = 'panel';
  select(0);
  return h('section', { class: 'views' }, tablist, panel);
}

function htmlPanel(message: Message): HTMLElement {
  const frame = h('iframe', {
    id: 'message-frame',
    title: 'Message content',
    sandbox: 'allow-popups allow-popups-to-escape-sandbox',
    referrerpolicy: 'no-referrer',
    src: api.htmlUrl(message.id, false),
  });
  if (!REMOTE_REFERENCE.test(message.html)) return h('div', {}, frame);
  const load = h('button', { type: 'button', id: 'load-remote' }, 'Load remote content');
  const notice = h('p', { class: 'notice', role: 'note' }, 'Remote images and styles are blocked so the sender cannot tell you opened this. ', load);
  load.addEventListener('click', () => {
    frame.src = api.htmlUrl(message.id, true);
    replaceChildren(notice, 'Remote content loaded for this message.');
  });
  return h('div', {}, notice, frame);
}

function headersPanel(message: Message): HTMLElement {
  return h(
    'table',
    { class: 'headers' },
    h('tbody', {}, ...message.headers.map((header) => h('tr', {}, h('th', { scope: 'row' }, header.name), h('td', {}, header.value)))),
  );
}

function rawPanel(id: number): HTMLElement {
  const pre = h('pre', { class: 'raw' }, 'Loading…');
  api.raw(id).then(
    (text) => (pre.textContent = text),
    (error: Error) => (pre.textContent = `Cannot load the source: ${error.message}`),
  );
  return pre;
}
