/**
 * The IMAP namespace of one inbox (RFC 3501 §5.1, §6.3): INBOX, the four special-use folders
 * every inbox has (RFC 6154: Drafts, Sent, Junk, Trash), and the folders its clients create,
 * hierarchy delimiter "/". Names arrive decoded (mailbox-name.ts) and are checked here; the
 * commands only translate outcomes into responses.
 *
 * Where things live: the messages of a folder are the store's, under the mailbox key
 * `<inbox>/<path>` (inbox names never hold "/"), so COPY, MOVE and RENAME are store operations
 * and retention treats a folder as it treats an inbox (the per-inbox cap counts each mailbox key
 * on its own; age and total size apply to all). Which folders exist, and the subscriptions, are
 * in the FolderRegistry. The store and the registry are two commits: each operation writes the
 * store first and the registry after, so a crash between leaves messages under a key no folder
 * names (invisible; retention removes them; CREATE clears such a key before it names it again),
 * never a folder listing messages that are gone.
 *
 * Rules, and why:
 * - The special-use folders always exist and cannot be deleted or renamed: a client that found
 *   its Trash by `\Trash` must find it again (they may have child folders: Thunderbird deletes a
 *   folder by moving it into Trash). INBOX has no child folders.
 * - At most MAX_FOLDERS_PER_INBOX created folders (every level counts), names of at most
 *   MAX_PATH_BYTES, without "*" and "%" (LIST's wildcards) or control characters, no empty level.
 * - CREATE makes the missing superiors of a name (§6.3.3); DELETE refuses a folder that has
 *   children (so every folder's superiors exist and none is \Noselect), as Dovecot does; RENAME
 *   moves the inferiors along (§6.3.5), and RENAME INBOX moves its messages into a new folder,
 *   leaving INBOX empty.
 * - Operations that change the namespace of an inbox, and APPEND/COPY/MOVE into it, run one at a
 *   time per inbox (`exclusive`), so a folder cannot vanish between "it exists" and the write.
 */
import type { FolderRegistry } from '../store/folders.js';
import type { Store } from '../store/types.js';
import { encodeMailboxName } from './mailbox-name.js';

export const SPECIAL_USE: ReadonlyMap<string, string> = new Map([
  ['Drafts', '\\Drafts'],
  ['Sent', '\\Sent'],
  ['Junk', '\\Junk'],
  ['Trash', '\\Trash'],
]);
export const MAX_FOLDERS_PER_INBOX = 100;
export const MAX_SUBSCRIPTIONS_PER_INBOX = 200;
export const MAX_PATH_BYTES = 200;

export type FolderOutcome = { ok: true } | { ok: false; code: string; text: string };

const INBOX = 'INBOX';

function refused(code: string, text: string): FolderOutcome {
  return { ok: false, code, text };
}

/** Marks a name that was not modified UTF-7 on the wire (commands/names.ts): no mailbox has it. */
export const UNDECODABLE = '\0';

/** A name for the text of a response: as the client wrote it, short, without quotes. */
export function shown(path: string): string {
  const wire = path.startsWith(UNDECODABLE) ? path.slice(1) : encodeMailboxName(path);
  return wire.replace(/["\\\x00-\x1f\x7f-\uffff]/g, '').slice(0, 60);
}

/** The name as the namespace keeps it: INBOX in any case is INBOX (§5.1); anything else exactly. */
export function canonicalName(name: string): string {
  return name.toUpperCase() === INBOX ? INBOX : name;
}

/** Why `path` cannot name a folder, or null if it can. */
export function invalidPath(path: string): string | null {
  if (path === INBOX) return null;
  if (path.startsWith(UNDECODABLE)) return 'Mailbox names are modified UTF-7 (RFC 3501 §5.1.3); this one is not';
  if (path.toUpperCase().startsWith('INBOX/')) return 'INBOX has no child folders here: make it a top-level folder';
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) return `Folder names are at most ${MAX_PATH_BYTES} bytes`;
  if (path.split('/').some((level) => level === '')) return 'Folder names have no empty level (no leading, trailing or double "/")';
  // eslint-disable-next-line no-control-regex
  if (/[*%\x00-\x1f\x7f]/.test(path)) return 'Folder names may not hold "*", "%" or control characters';
  return null;
}

/** The store's mailbox key of a name in an inbox. */
export function mailboxKey(inbox: string, path: string): string {
  return path === INBOX ? inbox : `${inbox}/${path}`;
}

function superiors(path: string): string[] {
  const levels = path.split('/');
  return levels.slice(1).map((_, i) => levels.slice(0, i + 1).join('/'));
}

export interface MailboxListing {
  path: string;
  attributes: string[];
}

export class Folders {
  private readonly busy = new Map<string, Promise<unknown>>();

  constructor(
    private readonly registry: FolderRegistry,
    private readonly store: Pick<Store, 'mailbox' | 'deleteInbox' | 'renameInbox'>,
  ) {}

  /** Run `work` after every earlier exclusive work of this inbox has finished. */
  exclusive<T>(inbox: string, work: () => Promise<T>): Promise<T> {
    const before = this.busy.get(inbox) ?? Promise.resolve();
    const result = before.then(work, work);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.busy.set(inbox, settled);
    void settled.then(() => {
      if (this.busy.get(inbox) === settled) this.busy.delete(inbox);
    });
    return result;
  }

  /** Every mailbox of the inbox with its LIST attributes: INBOX, the special-use folders, then the others in code-point order. */
  async all(inbox: string): Promise<MailboxListing[]> {
    const created = await this.registry.folders(inbox);
    const hasChildren = (path: string): boolean => created.some((p) => p.startsWith(`${path}/`));
    const children = (path: string): string => (hasChildren(path) ? '\\HasChildren' : '\\HasNoChildren');
    return [
      { path: INBOX, attributes: ['\\HasNoChildren'] },
      ...[...SPECIAL_USE].map(([path, use]) => ({ path, attributes: [children(path), use] })),
      ...created.map((path) => ({ path, attributes: [children(path)] })),
    ];
  }

  async exists(inbox: string, path: string): Promise<boolean> {
    return path === INBOX || SPECIAL_USE.has(path) || (await this.registry.folders(inbox)).includes(path);
  }

  async subscriptions(inbox: string): Promise<string[]> {
    const subscribed = new Set([INBOX, ...SPECIAL_USE.keys(), ...(await this.registry.subscriptions(inbox))]);
    return [...subscribed];
  }

  /** Messages under a key no folder names (a crash between store and registry): cleared before the name is used again. */
  private async clearStale(inbox: string, paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      const key = mailboxKey(inbox, path);
      if ((await this.store.mailbox(key)).length > 0) await this.store.deleteInbox(key);
    }
  }

  private async roomFor(inbox: string, adding: number): Promise<FolderOutcome> {
    const count = (await this.registry.folders(inbox)).length;
    if (count + adding <= MAX_FOLDERS_PER_INBOX) return { ok: true };
    return refused('LIMIT', `An inbox holds at most ${MAX_FOLDERS_PER_INBOX} folders of its own (this one has ${count})`);
  }

  /** The superiors of `path` (and `path` itself) that do not exist yet. */
  private async missing(inbox: string, path: string): Promise<string[]> {
    const out: string[] = [];
    for (const p of [...superiors(path), path]) if (!(await this.exists(inbox, p))) out.push(p);
    return out;
  }

  create(inbox: string, name: string): Promise<FolderOutcome> {
    // §6.3.3: a trailing delimiter says the client means to make children; the name is without it.
    const path = canonicalName(name.endsWith('/') ? name.slice(0, -1) : name);
    const invalid = invalidPath(path);
    if (invalid) return Promise.resolve(refused('CANNOT', invalid));
    return this.exclusive(inbox, async () => {
      if (await this.exists(inbox, path)) return refused('ALREADYEXISTS', `"${shown(path)}" already exists`);
      const added = await this.missing(inbox, path);
      const room = await this.roomFor(inbox, added.length);
      if (!room.ok) return room;
      await this.clearStale(inbox, added);
      await this.registry.create(inbox, added);
      return { ok: true };
    });
  }

  delete(inbox: string, name: string): Promise<FolderOutcome> {
    const path = canonicalName(name);
    if (path === INBOX) return Promise.resolve(refused('CANNOT', 'INBOX cannot be deleted (expunge its messages instead)'));
    if (SPECIAL_USE.has(path)) return Promise.resolve(refused('CANNOT', `${shown(path)} is a special-use folder every inbox has; expunge its messages instead`));
    return this.exclusive(inbox, async () => {
      const created = await this.registry.folders(inbox);
      if (!created.includes(path)) return refused('NONEXISTENT', `No folder "${shown(path)}"`);
      if (created.some((p) => p.startsWith(`${path}/`))) return refused('CANNOT', `"${shown(path)}" has child folders: delete them first`);
      await this.store.deleteInbox(mailboxKey(inbox, path));
      await this.registry.remove(inbox, path);
      return { ok: true };
    });
  }

  rename(inbox: string, fromName: string, toName: string): Promise<FolderOutcome> {
    const from = canonicalName(fromName);
    const to = canonicalName(toName);
    const invalid = invalidPath(to);
    if (invalid) return Promise.resolve(refused('CANNOT', invalid));
    if (to === INBOX) return Promise.resolve(refused('CANNOT', 'Nothing can be renamed to INBOX'));
    if (SPECIAL_USE.has(from)) return Promise.resolve(refused('CANNOT', `${shown(from)} is a special-use folder every inbox has and keeps its name`));
    if (to === from || to.startsWith(`${from}/`)) return Promise.resolve(refused('CANNOT', 'A folder cannot be moved into itself'));
    return this.exclusive(inbox, async () => {
      if (!(await this.exists(inbox, from))) return refused('NONEXISTENT', `No folder "${shown(from)}"`);
      if (await this.exists(inbox, to)) return refused('ALREADYEXISTS', `"${shown(to)}" already exists`);
      const created = await this.registry.folders(inbox);
      const moving = from === INBOX ? [INBOX] : [from, ...created.filter((p) => p.startsWith(`${from}/`))];
      const pairs = moving.map((p) => [p, p === INBOX ? to : to + p.slice(from.length)] as const);
      const parents = (await this.missing(inbox, to)).filter((p) => p !== to);
      const room = await this.roomFor(inbox, parents.length + (from === INBOX ? 1 : 0));
      if (!room.ok) return room;
      await this.clearStale(inbox, [...parents, ...pairs.map(([, target]) => target)]);
      for (const [source, target] of pairs) await this.store.renameInbox(mailboxKey(inbox, source), mailboxKey(inbox, target));
      await this.registry.create(inbox, from === INBOX ? [...parents, to] : parents);
      if (from !== INBOX) await this.registry.rename(inbox, pairs);
      return { ok: true };
    });
  }

  async subscribe(inbox: string, name: string, subscribed: boolean): Promise<FolderOutcome> {
    const path = canonicalName(name);
    const invalid = invalidPath(path);
    if (invalid) return refused('CANNOT', invalid);
    if (path === INBOX || SPECIAL_USE.has(path)) {
      return subscribed ? { ok: true } : refused('CANNOT', `${shown(path)} is always subscribed`);
    }
    if (subscribed) {
      const current = await this.registry.subscriptions(inbox);
      if (!current.includes(path) && current.length >= MAX_SUBSCRIPTIONS_PER_INBOX) return refused('LIMIT', `At most ${MAX_SUBSCRIPTIONS_PER_INBOX} subscriptions per inbox`);
    }
    await this.registry.subscribe(inbox, path, subscribed);
    return { ok: true };
  }
}
