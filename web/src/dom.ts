/**
 * A few DOM helpers. Mail content only ever reaches the page as text (`textContent`), never as
 * markup: the one place HTML from a message is shown is the sandboxed iframe.
 */
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | ((event: Event) => void) | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.textContent = '';
  append(parent, ...children);
}

/** Copy text; the async clipboard needs a secure context, so plain-HTTP hosts get the old way. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // fall back below
  }
  const area = h('textarea', { readonly: true, class: 'offscreen' }, text);
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

/**
 * A button that copies `text` and says so (announced to screen readers via aria-live). `what`
 * completes its accessible name ("Copy code 482913") where a row holds several copy buttons.
 */
export function copyButton(text: string, label = 'Copy', what = ''): HTMLButtonElement {
  const shown = document.createTextNode(label);
  const button = h('button', { type: 'button', class: 'copy', 'aria-live': 'polite', title: `Copy ${text}` }, shown, what && h('span', { class: 'sr-only' }, ` ${what}`));
  button.addEventListener('click', async () => {
    const ok = await copyText(text);
    shown.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => (shown.textContent = label), 1500);
  });
  return button;
}

/** A URL from a mail, if it is safe to put in an href: http(s) only, never `javascript:` or `data:`. */
export function webUrl(text: string): URL | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : null;
  } catch {
    return null;
  }
}

export function relativeTime(iso: string): string {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  if (seconds < 45) return 'just now';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
