/**
 * APPEND (RFC 3501 §6.3.11) into INBOX or any folder, with flags and an internal date, answered
 * with UIDPLUS's `APPENDUID <uidvalidity> <uid>` (RFC 4315 §3).
 *
 * The message is stored exactly as the client sent it (no trace header: a client reads back the
 * draft it saved), through the same listing-field parse as SMTP's delivery, so an APPEND to
 * INBOX shows in the web UI and the API like delivered mail. It is marked as appended, not
 * delivered: its envelope has no sender or recipients, `helo` says `imap-append` and
 * `remoteAddress` is the IMAP client's, and it has no SMTP transcript.
 *
 * Limits: the message must fit --max-message-size (APPENDLIMIT, RFC 7889; a literal announced
 * larger is refused before it is sent, framing.ts), must not be empty, and is refused while the
 * mail store is full (the disk guard, as SMTP's 452). An internal date in the future is taken as
 * now, and one older than --retention is refused: retention reads a message's age from it, so
 * the message would be removed at the next pass (and a future one would hold the age rule up).
 * System flags are kept (\Recent cannot be set, §6.3.11, and keywords are not kept: as STORE).
 *
 * APPENDUID is answered once the store has announced the message (`message.stored`), not merely
 * committed it: a client fetches the UID it is given right away (Thunderbird re-reads the draft
 * it saved), so the message must be visible to SELECT and FETCH by then, also if the store's
 * announcement ever follows its commit by a moment (as the background parse does for listings).
 */
import type { EventBus } from '../../events/bus.js';
import { parseListingFields } from '../../mail/headers.js';
import type { Flag, MessageId, NewMessage, Store } from '../../store/types.js';
import { ImapSyntaxError, end, type Token } from '../syntax.js';
import { no, ok, type Handler } from '../command.js';
import { mailboxKey, shown } from '../folders.js';
import type { ImapSession } from '../session.js';
import { mailboxArgument } from './names.js';
import { flagsOf } from './store.js';

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** date-time (§9): "dd-Mon-yyyy hh:mm:ss +zzzz", the day possibly space-padded; ms since the epoch, or null. */
export function parseDateTime(text: string): number | null {
  const m = /^ ?(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf(m[2]!.toLowerCase());
  const [day, hour, minute, second] = [m[1], m[4], m[5], m[6]].map(Number) as [number, number, number, number];
  if (month === -1 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const offsetMinutes = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  return Date.UTC(Number(m[3]), month, day, hour, minute, second) - offsetMinutes * 60_000;
}

interface AppendArguments {
  name: string;
  flags: Flag[];
  dateMs: number | null;
  raw: Buffer;
}

function readArguments(args: Parameters<Handler>[0]['args']): AppendArguments {
  const name = mailboxArgument(args.next());
  let token: Token | null = args.next();
  let flags: Flag[] = [];
  let dateMs: number | null = null;
  if (token?.kind === 'list') {
    flags = flagsOf(token.items);
    token = args.next();
  }
  if (token?.kind === 'string' && !token.literal) {
    dateMs = parseDateTime(token.value);
    if (dateMs === null) throw new ImapSyntaxError(`invalid date-time "${token.value.slice(0, 40)}": expected "dd-Mon-yyyy hh:mm:ss +zzzz"`);
    token = args.next();
  }
  if (token?.kind !== 'string' || !token.literal || !token.bytes) throw new ImapSyntaxError('APPEND needs the message as a literal, {size}');
  end(args, 'APPEND');
  return { name, flags, dateMs, raw: token.bytes };
}

/** The message as the store takes it: parsed as SMTP's delivery parses it (delivery/ingest.ts), marked as appended. */
function appendedMessage(session: ImapSession, key: string, raw: Buffer, receivedAtMs: number): NewMessage {
  return {
    raw,
    inboxes: [key],
    envelope: { mailFrom: '', rcptTo: [], remoteAddress: session.remoteAddress, helo: 'imap-append', tls: session.tls },
    receivedAtMs,
    ...parseListingFields(raw),
    transcript: null,
  };
}

/** How long APPEND waits for the store to announce a committed message before answering anyway. */
const ANNOUNCE_WAIT_MS = 5_000;

/** Append, and resolve with the id once the store announced it. */
async function appendAnnounced(store: Pick<Store, 'append'>, events: EventBus, message: NewMessage): Promise<MessageId> {
  const announced = new Set<MessageId>();
  let wanted: MessageId | null = null;
  let wake: (() => void) | null = null;
  const unsubscribe = events.subscribe((event) => {
    if (event.type !== 'message.stored' || event.inbox !== message.inboxes[0]) return;
    announced.add(event.id);
    if (event.id === wanted) wake?.();
  });
  try {
    const [id] = await store.append(message);
    if (!announced.has(id!)) {
      wanted = id!;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ANNOUNCE_WAIT_MS);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return id!;
  } finally {
    unsubscribe();
  }
}

export const append: Handler = async ({ session, args }) => {
  const { name, flags, dateMs, raw } = readArguments(args);
  const { settings, services } = session;
  if (raw.length > settings.maxAppendBytes) return no(`The message is larger than ${settings.maxAppendBytes} bytes`, 'TOOBIG');
  if (raw.length === 0) return no('An empty message cannot be stored', 'CANNOT');
  if (services.storageFull?.()) return no('The mail store is full; try again later', 'OVERQUOTA');
  const now = services.now();
  const receivedAtMs = dateMs === null ? now : Math.min(dateMs, now);
  if (settings.retentionMs > 0 && receivedAtMs < now - settings.retentionMs) {
    return no('The internal date is older than this server keeps mail: the message would be removed at once', 'LIMIT');
  }
  const inbox = session.inbox!;
  return services.folders.exclusive(inbox, async () => {
    if (!(await services.folders.exists(inbox, name))) return no(`No mailbox "${shown(name)}": CREATE it first`, 'TRYCREATE');
    const id = await appendAnnounced(services.store, services.events, appendedMessage(session, mailboxKey(inbox, name), raw, receivedAtMs));
    if (flags.length > 0) await services.store.setFlags([id], 'replace', flags);
    return ok('APPEND completed', `APPENDUID ${services.store.uidValidity()} ${id}`);
  });
};
