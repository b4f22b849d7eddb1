/**
 * Time to visible: under full-speed ingest (4 KiB, 20 sessions, one message per connection, in
 * worker threads), a probe session in this thread sends messages one after another to the inbox
 * "probe". For the k-th probe message, from its `250` to (a) the k-th `message` event on
 * `GET /api/v1/events?inbox=probe` (server-sent events), and (b) the first response of a
 * back-to-back poll of `GET /api/v1/inboxes/probe/messages?limit=1` whose `total` reaches k.
 * The poll's own round trip is included in (b), as a user polling would see it.
 *
 * What earlier cells left unparsed is not this cell's to measure (a full run's 100 KiB cells
 * leave the indexer seconds behind, and messages are shown in id order): the cell first sends one
 * message and starts once it is listed, which means everything stored before it is shown.
 */
import http from 'node:http';
import { KiB, envelope, messagePayload } from '../payloads.js';
import { SmtpLoadSession } from '../smtp/session.js';
import { runSmtpCell, type SmtpCellResult } from '../smtp/load.js';
import { summarize, type LatencySummary } from '../stats.js';
import { LOAD_INBOXES } from './smtp.js';

const PROBE_INBOX = 'probe';
const BACKLOG_INBOX = 'backlog-marker';
/** How long the cell waits for the backlog before it measures anyway. */
const BACKLOG_MAX_MS = 300_000;

export interface VisibleResult {
  probes: number;
  sse: LatencySummary | null;
  listing: LatencySummary | null;
  background: SmtpCellResult | null;
  /** How long the cell waited for what earlier cells left unshown before it began. */
  backlogWaitMs?: number;
  unavailable?: string;
  errors: string[];
}

/** Send one message and wait until it is listed: every message stored before it is shown then. */
async function waitForBacklog(target: { host: string; smtpPort: number }, httpPort: number, errors: string[]): Promise<number> {
  const started = Date.now();
  const payload = messagePayload(4 * KiB, 'backlog marker');
  let sent = false;
  await new Promise<void>((resolve) => {
    new SmtpLoadSession({
      host: target.host,
      port: target.smtpPort,
      mode: 'persistent',
      nextPayload: () => payload,
      nextEnvelope: () => ({ pipelined: envelope(BACKLOG_INBOX), inbox: BACKLOG_INBOX }),
      shouldStart: () => !sent && (sent = true),
      completed: () => undefined,
      failed: (reason) => errors.push(`backlog marker: ${reason}`),
      finished: resolve,
    }).start();
  });
  while (Date.now() - started < BACKLOG_MAX_MS) {
    try {
      const response = await fetch(`http://127.0.0.1:${httpPort}/api/v1/inboxes/${BACKLOG_INBOX}/messages?limit=1`);
      if (((await response.json()) as { total?: number }).total) break;
    } catch (error) {
      errors.push(`backlog marker listing: ${(error as Error).message}`);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

/** Count `message` events on an SSE stream (text/event-stream, blank-line separated). */
function openEvents(port: number, onMessage: (atNs: bigint) => void): Promise<http.ClientRequest> {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path: `/api/v1/events?inbox=${PROBE_INBOX}`, headers: { accept: 'text/event-stream' } }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        return reject(new Error(`GET /api/v1/events: HTTP ${response.statusCode}`));
      }
      let pending = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => {
        const atNs = process.hrtime.bigint();
        pending += text.replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = pending.indexOf('\n\n')) !== -1) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const type = /^event:\s*(.*)$/m.exec(block)?.[1]?.trim() ?? 'message';
          if (type === 'message' && /^data:/m.test(block)) onMessage(atNs);
        }
      });
      resolve(request);
    });
    request.on('error', reject);
  });
}

export async function runVisibleCell(
  target: { host: string; smtpPort: number; httpPort: number | undefined; pid: number },
  durationMs: number,
): Promise<VisibleResult> {
  if (target.httpPort === undefined) return { probes: 0, sse: null, listing: null, background: null, unavailable: 'not available (no http listener)', errors: [] };
  const httpPort = target.httpPort;
  const acceptedNs: bigint[] = [];
  const sseNs: bigint[] = [];
  const listedNs: bigint[] = [];
  const errors: string[] = [];
  const backlogWaitMs = await waitForBacklog(target, httpPort, errors);
  let events: http.ClientRequest;
  try {
    events = await openEvents(httpPort, (atNs) => sseNs.push(atNs));
  } catch (error) {
    return { probes: 0, sse: null, listing: null, background: null, unavailable: `not available (${(error as Error).message})`, errors };
  }
  const endAt = Date.now() + durationMs;
  const background = runSmtpCell({
    host: target.host, port: target.smtpPort, serverPid: target.pid, mode: 'per-connection', sizeBytes: 4 * KiB,
    sessions: 20, warmupMs: 0, durationMs, maxMessages: 1_000_000, inboxPrefix: 'load-', inboxCount: LOAD_INBOXES,
  });
  const probePayload = messagePayload(4 * KiB, 'visibility probe');
  const probe = new Promise<void>((resolve) => {
    new SmtpLoadSession({
      host: target.host,
      port: target.smtpPort,
      mode: 'persistent',
      nextPayload: () => probePayload,
      nextEnvelope: () => ({ pipelined: envelope(PROBE_INBOX), inbox: PROBE_INBOX }),
      shouldStart: () => Date.now() < endAt,
      completed: (_startNs, endNs) => acceptedNs.push(endNs),
      failed: (reason) => errors.push(`probe: ${reason}`),
      finished: resolve,
    }).start();
  });
  const poll = (async () => {
    // Bounded: stops when the probe has stopped and every accepted probe is listed, or 5 s later.
    const pollEnd = endAt + 5_000;
    while (Date.now() < pollEnd && !(Date.now() >= endAt && listedNs.length >= acceptedNs.length)) {
      try {
        const response = await fetch(`http://127.0.0.1:${httpPort}/api/v1/inboxes/${PROBE_INBOX}/messages?limit=1`);
        const atNs = process.hrtime.bigint();
        const body = (await response.json()) as { total?: number };
        if (typeof body.total !== 'number') throw new Error('listing has no "total"');
        while (listedNs.length < body.total) listedNs.push(atNs);
      } catch (error) {
        errors.push(`listing: ${(error as Error).message}`);
        if (errors.length > 20) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  })();
  const [backgroundResult] = await Promise.all([background, probe, poll]);
  const waitUntil = Date.now() + 2_000; // late SSE events
  while (sseNs.length < acceptedNs.length && Date.now() < waitUntil) await new Promise((resolve) => setTimeout(resolve, 20));
  events.destroy();
  const delays = (seen: bigint[]): LatencySummary | null => {
    const n = Math.min(seen.length, acceptedNs.length);
    return n ? summarize(Array.from({ length: n }, (_, k) => Number(seen[k]! - acceptedNs[k]!) / 1e6)) : null;
  };
  return { probes: acceptedNs.length, sse: delays(sseNs), listing: delays(listedNs), background: backgroundResult, backlogWaitMs, errors: errors.slice(0, 5) };
}
