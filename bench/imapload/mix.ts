/**
 * The IMAP load generator: `clients` connections, each logged in with INBOX selected, each
 * running one command at a time (the next only after the tagged completion) drawn from the mix
 * 40 % `FETCH n (FLAGS ENVELOPE)`, 20 % `UID FETCH u BODY.PEEK[]`, 20 % `SEARCH SUBJECT word`,
 * 10 % `STORE n +FLAGS (\Seen)`, 10 % `NOOP`, with n, u and word uniformly random (a seeded
 * generator per client, so two servers get the same sequence). Meanwhile a prober opens a new
 * connection every PROBE_INTERVAL_MS and times connect → greeting: how long a newcomer waits
 * under the load. Commands completed inside the window count; latency is send → completion.
 *
 * The same generator measures Tidemail and the reference (Dovecot), in one process, one after
 * the other, each warmed first by one pass over the mailbox, so the ratio is what the bench quotes.
 */
import { lineEnd, ReadConnection } from '../mailread/connection.js';
import { ImapResponseScanner, type TaggedCompletion } from '../mailread/imap-scanner.js';
import { ownCpuSeconds } from '../proc.js';
import { Samples, summarize, type LatencySummary } from '../stats.js';
import { SUBJECT_WORDS } from './messages.js';

export interface MixSpec {
  port: number;
  /** LOGIN user name (any password). */
  user: string;
  clients: number;
  warmupMs: number;
  durationMs: number;
  /** CPU seconds the server (all its processes) has used so far, to quote CPU per command; machine load does not skew it. */
  serverCpuSeconds: () => number;
}

export type CommandKind = 'fetch-envelope' | 'uid-fetch-body' | 'search-subject' | 'store-seen' | 'noop';

export interface MixResult {
  commandsPerSecond: number;
  latency: LatencySummary;
  /** Latency per command kind. */
  byKind: Record<CommandKind, LatencySummary>;
  greeting: LatencySummary;
  errors: number;
  errorSamples: string[];
  clientCpuCores: number;
  /** Server CPU during the window, in cores, and per command completed in it. */
  serverCpuCores: number;
  serverCpuMsPerCommand: number | null;
}

/** [kind, cumulative share out of 10] */
const MIX: ReadonlyArray<[CommandKind, number]> = [['fetch-envelope', 4], ['uid-fetch-body', 6], ['search-subject', 8], ['store-seen', 9], ['noop', 10]];
const PROBE_INTERVAL_MS = 50;

/** mulberry32: a tiny seeded PRNG, so a run is repeatable. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Lines up to the tagged completion, for setup commands (their responses carry no literals). */
async function simple(connection: ReadConnection, tag: string, text: string): Promise<string[]> {
  connection.write(`${tag} ${text}\r\n`);
  const lines: string[] = [];
  for (;;) {
    const line = (await connection.until(lineEnd)).toString('latin1').trimEnd();
    if (line.startsWith(`${tag} `)) {
      if (!line.startsWith(`${tag} OK`)) throw new Error(`${text.split(' ', 1)[0]} → ${line}`);
      return lines;
    }
    lines.push(line);
  }
}

async function command(connection: ReadConnection, tag: string, text: string): Promise<TaggedCompletion> {
  connection.write(`${tag} ${text}\r\n`);
  const scanner = new ImapResponseScanner();
  let done: TaggedCompletion | null = null;
  await connection.stream((chunk) => (done = scanner.push(chunk, tag)) !== null);
  return done!;
}

interface Window {
  startNs: bigint;
  endNs: bigint;
  stopAt: number;
}

interface ClientTally {
  inWindow: number;
  latency: Samples;
  byKind: Map<CommandKind, Samples>;
  errors: number;
  errorSamples: string[];
}

async function runClient(spec: MixSpec, index: number, window: Window, tally: ClientTally): Promise<void> {
  const connection = await ReadConnection.open(spec.port);
  try {
    await connection.until(lineEnd);
    await simple(connection, 'l', `LOGIN ${spec.user} bench`);
    const select = await simple(connection, 's', 'SELECT INBOX');
    const exists = Number(/^\* (\d+) EXISTS/m.exec(select.join('\n'))?.[1] ?? 0);
    const search = await simple(connection, 'u', 'UID SEARCH ALL');
    const uids = (search.find((l) => l.startsWith('* SEARCH')) ?? '').split(' ').slice(2).map(Number);
    if (exists === 0 || uids.length === 0) throw new Error('the load mailbox is empty');
    const next = random(0x5eed + index);
    const pick = (n: number): number => 1 + Math.floor(next() * n);
    let round = 0;
    while (Date.now() < window.stopAt) {
      const roll = next() * 10;
      const kind = MIX.find(([, upTo]) => roll < upTo)![0];
      const text =
        kind === 'fetch-envelope' ? `FETCH ${pick(exists)} (FLAGS ENVELOPE)`
        : kind === 'uid-fetch-body' ? `UID FETCH ${uids[pick(uids.length) - 1]} BODY.PEEK[]`
        : kind === 'search-subject' ? `SEARCH SUBJECT ${SUBJECT_WORDS[pick(SUBJECT_WORDS.length) - 1]}`
        : kind === 'store-seen' ? `STORE ${pick(exists)} +FLAGS (\\Seen)`
        : 'NOOP';
      const sent = process.hrtime.bigint();
      const completion = await command(connection, `c${++round}`, text);
      const done = process.hrtime.bigint();
      if (completion.status !== 'OK') {
        tally.errors++;
        if (tally.errorSamples.length < 3) tally.errorSamples.push(`${text} → ${completion.status} ${completion.text}`);
      }
      if (sent >= window.startNs && done <= window.endNs) {
        const ms = Number(done - sent) / 1e6;
        tally.inWindow++;
        tally.latency.add(ms);
        tally.byKind.get(kind)!.add(ms);
      }
    }
    connection.write('z LOGOUT\r\n');
  } finally {
    connection.close();
  }
}

/**
 * Connect → greeting, once per interval, from the window's start (the clients' logins are over)
 * to its end. Every probe started in the window counts, however long its greeting took: a slow
 * one is what this measures.
 */
async function probeGreetings(port: number, window: Window, samples: Samples): Promise<void> {
  while (process.hrtime.bigint() < window.startNs) await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  while (Date.now() < window.stopAt) {
    const started = process.hrtime.bigint();
    const connection = await ReadConnection.open(port);
    try {
      await connection.until(lineEnd);
      samples.add(Number(process.hrtime.bigint() - started) / 1e6);
    } finally {
      connection.close();
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }
}

/**
 * One session reads every message's ENVELOPE and searches once before the clients start, so
 * both servers are measured warm: Dovecot has built its index and cache files, Tidemail its
 * header cache. (Otherwise a short window measures mostly the first pass over the mailbox.)
 */
async function warm(spec: MixSpec): Promise<void> {
  const connection = await ReadConnection.open(spec.port);
  try {
    await connection.until(lineEnd);
    await simple(connection, 'w1', `LOGIN ${spec.user} bench`);
    await simple(connection, 'w2', 'SELECT INBOX');
    for (const [tag, text] of [['w3', 'FETCH 1:* (FLAGS ENVELOPE)'], ['w4', `SEARCH SUBJECT ${SUBJECT_WORDS[0]}`]] as const) {
      const completion = await command(connection, tag, text);
      if (completion.status !== 'OK') throw new Error(`warm-up ${text} → ${completion.status} ${completion.text}`);
    }
    connection.write('w5 LOGOUT\r\n');
  } finally {
    connection.close();
  }
}

export async function runMix(spec: MixSpec): Promise<MixResult> {
  await warm(spec);
  const now = Date.now();
  const startNs = process.hrtime.bigint() + BigInt(spec.warmupMs) * 1_000_000n;
  const window: Window = { startNs, endNs: startNs + BigInt(spec.durationMs) * 1_000_000n, stopAt: now + spec.warmupMs + spec.durationMs };
  const tallies: ClientTally[] = Array.from({ length: spec.clients }, () => ({
    inWindow: 0, latency: new Samples(), byKind: new Map(MIX.map(([k]) => [k, new Samples()])), errors: 0, errorSamples: [],
  }));
  const greetings = new Samples();
  const cpuStart = ownCpuSeconds();
  let serverCpuStart = 0;
  let serverCpuEnd = 0;
  const windowStarts = setTimeout(() => (serverCpuStart = spec.serverCpuSeconds()), spec.warmupMs);
  const windowEnds = setTimeout(() => (serverCpuEnd = spec.serverCpuSeconds()), spec.warmupMs + spec.durationMs);
  const outcomes = await Promise.allSettled([
    ...tallies.map((tally, i) => runClient(spec, i, window, tally)),
    probeGreetings(spec.port, window, greetings),
  ]);
  const cpu = ownCpuSeconds() - cpuStart;
  clearTimeout(windowStarts);
  clearTimeout(windowEnds);
  const serverCpu = Math.max(0, serverCpuEnd - serverCpuStart);
  const failures = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected').map((o) => String((o.reason as Error).message ?? o.reason));
  const all = new Samples();
  const byKind = {} as Record<CommandKind, LatencySummary>;
  for (const [kind] of MIX) {
    const merged = new Samples();
    for (const t of tallies) merged.addAll(t.byKind.get(kind)!.toArray());
    byKind[kind] = merged.summary();
  }
  for (const t of tallies) all.addAll(t.latency.toArray());
  const seconds = spec.durationMs / 1000;
  const completed = tallies.reduce((n, t) => n + t.inWindow, 0);
  return {
    commandsPerSecond: completed / seconds,
    serverCpuCores: serverCpu / seconds,
    serverCpuMsPerCommand: completed ? (serverCpu * 1000) / completed : null,
    latency: summarize(all.toArray()),
    byKind,
    greeting: greetings.summary(),
    errors: tallies.reduce((n, t) => n + t.errors, 0) + failures.length,
    errorSamples: [...failures, ...tallies.flatMap((t) => t.errorSamples)].slice(0, 5),
    clientCpuCores: cpu / ((spec.warmupMs + spec.durationMs) / 1000),
  };
}
