/**
 * Keyboard moves through lists the way mail readers do: `j` next, `k` previous, Enter opens,
 * `/` jumps to the search box, Escape leaves a text field. The stops are every visible `[data-nav-item]` on the page in
 * document order (recent inboxes, search results, messages), so one pair of keys walks them all.
 *
 * The selection is the focused row's link, not a separate cursor: moving it moves the focus, so
 * screen readers announce the row and Enter is the link's own. The row also carries `.selected`
 * so the choice stays visible when the focus leaves (a click on the page's background), and
 * Enter on the background still opens it. Keys typed into a field, or with a modifier, are left
 * alone.
 */

const ITEM = '[data-nav-item]';
let selected: HTMLElement | null = null;

export function installListKeys(): void {
  document.addEventListener('keydown', onKey);
  // Tab and clicks move the selection too, so j/k continue from wherever the reader is.
  document.addEventListener('focusin', (event) => {
    const item = (event.target as Element | null)?.closest<HTMLElement>(ITEM);
    if (item) select(item, false);
  });
}

function onKey(event: KeyboardEvent): void {
  if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
  if (isTyping(event.target)) {
    // Escape leaves the field (the home page starts in one), so j/k work without the mouse.
    if (event.key === 'Escape') (event.target as HTMLElement).blur();
    return;
  }
  if (event.key === 'j' || event.key === 'k') {
    event.preventDefault();
    move(event.key === 'j' ? 1 : -1);
  } else if (event.key === '/') {
    const search = document.querySelector<HTMLInputElement>('input[type=search]');
    if (!search) return;
    event.preventDefault();
    search.focus();
    search.select();
  } else if (event.key === 'Enter' && selected?.isConnected && !isInteractive(event.target)) {
    event.preventDefault();
    primaryLink(selected)?.click();
  }
}

function move(step: 1 | -1): void {
  const items = [...document.querySelectorAll<HTMLElement>(ITEM)].filter((item) => item.offsetParent !== null);
  if (items.length === 0) return;
  const at = selected ? items.indexOf(selected) : -1;
  const next = at === -1 ? (step === 1 ? 0 : items.length - 1) : Math.min(items.length - 1, Math.max(0, at + step));
  select(items[next]!, true);
}

function select(item: HTMLElement, focus: boolean): void {
  if (selected !== item) {
    selected?.classList.remove('selected');
    selected?.removeAttribute('aria-current');
    selected = item;
    item.classList.add('selected');
    item.setAttribute('aria-current', 'true');
  }
  if (focus) {
    primaryLink(item)?.focus();
    item.scrollIntoView({ block: 'nearest' });
  }
}

function primaryLink(item: HTMLElement): HTMLAnchorElement | null {
  return item.querySelector<HTMLAnchorElement>('a[href]');
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** Enter on a link or button is that element's own. */
function isInteractive(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('a[href], button, input, select, textarea, summary, [role=tab]') !== null;
}
