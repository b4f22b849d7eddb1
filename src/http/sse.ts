/**
 * `GET /api/v1/events?inbox=`: the store's events as server-sent events (WHATWG HTML §9.2).
 *
 * Each event's `id` is the bus `seq`, so a reconnecting EventSource sends `Last-Event-ID` and
 * we replay what it missed from `events.since(seq)`. Subscribing and replaying happen in one
 * synchronous step, so nothing is lost or doubled between the replay and the live stream. If
 * the bus no longer holds that far back, a `reset` event tells the client to reload its view
 * from the store. After any replay a `ready` event carries the current seq as its id, so even a
 * client filtered to a quiet inbox resumes from now, not from where it first connected.
 *
 * Events: `message` (a new message's summary), `deleted` (`{id, inbox}`), `flags`
 * (`{id, inbox, flags, seen}`), `ready` and `reset` (`{seq}`). A comment line every
 * KEEPALIVE_INTERVAL_MS keeps proxies from closing an idle stream; a client that stops reading
 * is dropped rather than buffered without bound.
 */
import type { SequencedEvent } from '../events/bus.js';
import { HttpError } from './errors.js';
import { inboxParam } from './params.js';
import { presentSummary, type TagsOf } from './present.js';
import type { RequestContext } from './router.js';

export const KEEPALIVE_INTERVAL_MS = 15_000;
/** Tell EventSource to reconnect quickly after a drop. */
const RETRY_MS = 2_000;
const MAX_UNSENT_BYTES = 1024 * 1024;

export function streamEvents({ query, req, res, app, shutdown }: RequestContext): void {
  const inboxText = query.get('inbox');
  const inbox = inboxText ? inboxParam(inboxText) : null;
  const lastEventText = req.headers['last-event-id'] ?? query.get('lastEventId');
  let resumeFrom: number | null = null;
  if (typeof lastEventText === 'string' && lastEventText !== '') {
    if (!/^[0-9]{1,16}$/.test(lastEventText)) throw new HttpError(400, 'invalid_parameter', 'Last-Event-ID must be an event id from this stream');
    resumeFrom = Number(lastEventText);
  }

  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
    'X-Content-Type-Options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const write = (text: string): void => {
    if (res.writableLength > MAX_UNSENT_BYTES) {
      res.destroy();
      return;
    }
    res.write(text);
  };
  const send = (event: SequencedEvent): void => {
    if (inbox !== null && event.inbox !== inbox) return;
    const frame = toFrame(event, app.tagsOf);
    write(`id: ${event.seq}\nevent: ${frame.name}\ndata: ${JSON.stringify(frame.data)}\n\n`);
  };

  const unsubscribe = app.events.subscribe(send);
  write(`retry: ${RETRY_MS}\n\n`);
  if (resumeFrom !== null) {
    const missed = app.events.since(resumeFrom);
    if (missed === null) write(`event: reset\ndata: ${JSON.stringify({ seq: app.events.lastSeq() })}\n\n`);
    else for (const event of missed) send(event);
  }
  const seq = app.events.lastSeq();
  write(`id: ${seq}\nevent: ready\ndata: ${JSON.stringify({ seq, inbox })}\n\n`);

  const keepAlive = setInterval(() => write(': keep-alive\n\n'), KEEPALIVE_INTERVAL_MS);
  const end = (): void => {
    clearInterval(keepAlive);
    unsubscribe();
    shutdown.removeEventListener('abort', end);
    if (!res.writableEnded) res.end();
  };
  res.once('close', end);
  shutdown.addEventListener('abort', end);
}

function toFrame(event: SequencedEvent, tagsOf: TagsOf | undefined): { name: string; data: unknown } {
  switch (event.type) {
    case 'message.stored':
      return { name: 'message', data: presentSummary(event.summary, tagsOf) };
    case 'message.deleted':
      return { name: 'deleted', data: { id: event.id, inbox: event.inbox } };
    case 'message.flags':
      return { name: 'flags', data: { id: event.id, inbox: event.inbox, flags: event.flags, seen: event.flags.includes('seen') } };
  }
}
