/**
 * The flood cell (issue 14 §3): 10,000 idle connections from 50 loopback addresses
 * (127.0.1.1–127.0.1.50) against an untrusted-everyone server with the per-network cap off, so
 * shedding is what admits the legitimate sender; then 20 sends from 127.0.2.1, one connection
 * each (connect → 220 → EHLO → MAIL → RCPT → DATA → 250 → QUIT), timed end to end. Reported:
 * p50/p99 of a send (target p99 < 1 s), the server's peak RSS (target < 512 MiB), and whether
 * every acknowledged message is in the store. Bounded: 10,000 attempts, 20 sends.
 */
import net from 'node:net';
import { processMemory } from '../proc.js';
import { summarize, type LatencySummary } from '../stats.js';
import { startTarget } from '../target.js';

export interface FloodResult {
  idleAttempts: number;
  held: number;
  sends: number;
  acknowledged: number;
  stored: number | null;
  latency: LatencySummary;
  peakRssBytes: number;
  errors: string[];
}

const ATTACKERS = 50;
const PER_ATTACKER = 200;
const SENDS = 20;

/** Open one silent connection from `from`; resolves once it is established or refused, never rejects. */
export function holdOpen(port: number, from: string, sockets: net.Socket[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: from }, () => resolve());
    socket.on('error', () => resolve());
    socket.on('data', () => {});
    sockets.push(socket);
  });
}

/** What the sender writes after each reply, and the reply it expects before writing it. */
const SCRIPT: Array<[expected: number, write: (index: number) => string]> = [
  [220, () => 'EHLO legit.example\r\n'],
  [250, () => 'MAIL FROM:<news@legit.example>\r\n'],
  [250, () => 'RCPT TO:<flood-survivor@bench.local>\r\n'],
  [250, () => 'DATA\r\n'],
  [354, (i) => `Subject: legit ${i}\r\nFrom: news@legit.example\r\n\r\nStill here.\r\n.\r\n`],
  [250, () => 'QUIT\r\n'],
];

/** One whole transaction on a fresh connection; resolves with the first unexpected reply code, or 250 when the message was accepted. */
function sendOnce(port: number, index: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.2.1' });
    let buffer = '';
    let step = 0;
    let done = false;
    const timer = setTimeout(() => socket.destroy(new Error('no answer in 30 s')), 30_000);
    const finish = (code: number): void => {
      done = true;
      clearTimeout(timer);
      socket.end();
      resolve(code);
    };
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      buffer += chunk.toString('latin1');
      for (let match = /^(\d{3}) [^\r\n]*\r\n/m.exec(buffer); match; match = /^(\d{3}) [^\r\n]*\r\n/m.exec(buffer)) {
        buffer = buffer.slice(match.index + match[0].length);
        const code = Number(match[1]);
        const [expected, write] = SCRIPT[step]!;
        if (code !== expected) return finish(code);
        socket.write(write(index));
        if (++step === SCRIPT.length) return finish(250); // the message's 250 came; QUIT is on its way
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export async function runFloodCell(progress: (line: string) => void): Promise<FloodResult> {
  const target = await startTarget([], ['--trusted-networks', 'none', '--greet-wait', '0', '--max-connections', '1000', '--max-connections-per-ip', '100', '--max-connections-per-network', '0']);
  const sockets: net.Socket[] = [];
  const errors: string[] = [];
  let acknowledged = 0;
  const times: number[] = [];
  try {
    for (let wave = 0; wave < PER_ATTACKER; wave += 20) {
      const opening: Promise<void>[] = [];
      for (let a = 1; a <= ATTACKERS; a++) for (let i = 0; i < 20; i++) opening.push(holdOpen(target.ports.smtp!, `127.0.1.${a}`, sockets));
      await Promise.all(opening);
    }
    const held = sockets.filter((s) => !s.destroyed && s.readyState === 'open').length;
    progress(`flood: ${sockets.length} idle connection attempts, ${held} still open on our side`);
    for (let i = 0; i < SENDS; i++) {
      const started = performance.now();
      try {
        const code = await sendOnce(target.ports.smtp!, i);
        if (code === 250) acknowledged++;
        else errors.push(`send ${i}: ${code}`);
      } catch (error) {
        errors.push(`send ${i}: ${(error as Error).message}`);
      }
      times.push(performance.now() - started);
    }
    let stored: number | null = null;
    if (target.ports.http) {
      const response = await fetch(`http://127.0.0.1:${target.ports.http}/api/v1/inboxes/flood-survivor/messages`);
      stored = ((await response.json()) as { total: number }).total;
    }
    const peakRssBytes = processMemory(target.pid).peakRssBytes;
    const latency = summarize(times);
    progress(`flood: ${acknowledged}/${SENDS} sends acknowledged, ${stored} stored, p99 ${latency.p99Ms?.toFixed(1)} ms, peak RSS ${(peakRssBytes / 2 ** 20).toFixed(0)} MiB`);
    return { idleAttempts: sockets.length, held, sends: SENDS, acknowledged, stored, latency, peakRssBytes, errors };
  } finally {
    for (const socket of sockets) socket.destroy();
    await target.stop();
  }
}
