/**
 * The inboxes opened recently in this browser, newest first, kept in local storage (nothing
 * leaves the browser; the server has no accounts to remember them by). Storage can be off or
 * full (private windows, quotas): then the list is simply empty and nothing breaks.
 */

const KEY = 'tidemail.recent-inboxes';
const KEEP = 8;

export interface RecentInbox {
  name: string;
  /** When it was last opened, ms since the epoch. */
  openedAtMs: number;
}

export function recentInboxes(): RecentInbox[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isRecent).slice(0, KEEP) : [];
  } catch {
    return [];
  }
}

export function rememberInbox(name: string, nowMs = Date.now()): void {
  const rest = recentInboxes().filter((entry) => entry.name !== name);
  write([{ name, openedAtMs: nowMs }, ...rest].slice(0, KEEP));
}

export function clearRecentInboxes(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // storage off: there was nothing to clear
  }
}

function write(entries: RecentInbox[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(entries));
  } catch {
    // storage off or full: not remembering is fine
  }
}

function isRecent(value: unknown): value is RecentInbox {
  const entry = value as Partial<RecentInbox> | null;
  return typeof entry?.name === 'string' && entry.name !== '' && typeof entry.openedAtMs === 'number';
}
