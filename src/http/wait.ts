/**
 * `GET /api/v1/inboxes/{inbox}/wait?after={id}&timeout={seconds}&from=…&to=…&subject=…&contains=…&code=1`:
 * long-poll for the oldest message newer than `after` that meets every matcher given
 * (wait-criteria.ts). Unknown parameters and bad values are a 400 naming them.
 *
 * Ids are strictly ascending in commit order (store/types.ts), so "newer than `after`" is exact
 * and a message that arrives between two calls is never missed: the caller passes the id it
 * last saw. The store is the only source of messages; events only say when to read it again.
 * Order matters: we subscribe to the event bus *before* the first read, so a message committed
 * after that read still wakes us (the store publishes only after commit, so the read finds
 * anything published before we subscribed). Each message is looked at once, in id order, so the
 * answer is the oldest that matches, and a message that does not match costs one look however
 * many arrive after it.
 *
 * Without `after`, the cursor is the inbox's newest id at call time: the answer is the first
 * matching message that arrives after the call. The messages already there when the call comes
 * are all looked at, even with `timeout=0` (a check without waiting); the timeout bounds the
 * waiting for new ones. On timeout: 204. A client that hangs up (or a shutdown) stops the scan
 * and frees its listener and timer at once.
 */
import type { MessageId, StoredMessage } from '../store/types.js';
import type { HttpDeps } from './deps.js';
import { cursorParam, inboxParam, integerParam, onlyParams } from './params.js';
import { presentSummary } from './present.js';
import { sendJson, sendNoContent } from './reply.js';
import type { RequestContext } from './router.js';
import { CRITERIA_PARAMS, criteriaFromQuery, matchingMessage, type WaitCriteria } from './wait-criteria.js';

export const MAX_WAIT_SECONDS = 300;
export const DEFAULT_WAIT_SECONDS = 30;
const WAIT_PARAMS = ['after', 'timeout', ...CRITERIA_PARAMS];
/** Messages read from the store at a time while catching up with a backlog. */
const SCAN_PAGE = 100;

export async function waitForMessage({ params, query, res, app, shutdown }: RequestContext): Promise<void> {
  onlyParams(query, WAIT_PARAMS);
  const inbox = inboxParam(params.inbox!);
  const timeoutSeconds = integerParam(query, 'timeout', DEFAULT_WAIT_SECONDS, 0, MAX_WAIT_SECONDS);
  const after = cursorParam(query, 'after');
  const criteria = criteriaFromQuery(query);

  const signal = new ScanSignal();
  const unsubscribe = app.events.subscribe((event) => {
    if (event.type === 'message.stored' && event.inbox === inbox) signal.arrived(event.id);
  });
  const timer = app.clock.after(timeoutSeconds * 1000, signal.timeUp);
  res.once('close', signal.hangUp);
  shutdown.addEventListener('abort', signal.hangUp);
  try {
    const newestAtCall = (await app.store.list(inbox, { limit: 1, offset: 0 })).messages[0]?.id ?? 0;
    const message = await firstMatch(app, inbox, { cursor: after ?? newestAtCall, newestAtCall }, criteria, signal);
    if (res.destroyed || res.writableEnded) return;
    if (message) sendJson(res, 200, presentSummary(message, app.tagsOf));
    else sendNoContent(res);
  } finally {
    unsubscribe();
    timer.cancel();
    res.off('close', signal.hangUp);
    shutdown.removeEventListener('abort', signal.hangUp);
  }
}

interface ScanStart {
  /** Look at messages newer than this. */
  cursor: MessageId;
  /** The messages up to this one were there when the call came: looked at even after the timeout. */
  newestAtCall: MessageId;
}

/** The oldest message of `inbox` newer than the cursor meeting `criteria`, or null once the wait is over. */
async function firstMatch(app: HttpDeps, inbox: string, { cursor, newestAtCall }: ScanStart, criteria: WaitCriteria, signal: ScanSignal): Promise<StoredMessage | null> {
  for (;;) {
    if (signal.over && cursor >= newestAtCall) return null;
    // Every arrival announced so far was committed before this read: in the page, or deleted since.
    const landed = signal.newestArrival;
    const page = await app.store.listAfter(inbox, cursor, SCAN_PAGE);
    for (const summary of page) {
      if (signal.hungUp) return null;
      const message = await matchingMessage(criteria, summary, app.store);
      if (message) return message;
      cursor = summary.id;
    }
    if (page.length === SCAN_PAGE) continue;
    cursor = Math.max(cursor, landed);
    if (!(await signal.newerThan(cursor))) return null;
  }
}

/** Tells the scan when a message newer than what it has read lands, and when to give up. */
class ScanSignal {
  /** The id of the newest message announced since we subscribed (0: none yet). */
  newestArrival: MessageId = 0;
  /** The client left or the server is shutting down: nobody will read the answer. */
  hungUp = false;
  private timedOut = false;
  private wake: (() => void) | null = null;

  get over(): boolean {
    return this.timedOut || this.hungUp;
  }

  arrived(id: MessageId): void {
    this.newestArrival = Math.max(this.newestArrival, id);
    this.wake?.();
  }

  readonly timeUp = (): void => {
    this.timedOut = true;
    this.wake?.();
  };

  readonly hangUp = (): void => {
    this.hungUp = true;
    this.wake?.();
  };

  /** True once a message newer than `cursor` has landed, false if the wait is over first. */
  async newerThan(cursor: MessageId): Promise<boolean> {
    while (!this.over && this.newestArrival <= cursor) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = null;
    return !this.over;
  }
}
