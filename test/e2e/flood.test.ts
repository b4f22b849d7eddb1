/**
 * A flood of idle connections must not lock a legitimate sender out (issue: 1,200 idle
 * connections from 12 addresses did, for the whole idle timeout). 10,000 connections from 50
 * loopback addresses (127.0.1.1–127.0.1.50) are opened and held silent, with the per-network
 * cap off so that shedding is what has to save the day; then a sender from 127.0.2.1 sends 20
 * messages, one connection each. Every one must be answered 250 and stored, and the server's
 * peak RSS stays under 512 MiB. Bounded: 10,000 attempts, 20 sends, then everything is closed.
 * (The time each send takes is printed, not asserted: `npm run bench` measures it.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { holdOpen } from '../../bench/cells/flood.js';
import { committedMessages } from '../helpers/disk.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

const ATTACKERS = 50;
const PER_ATTACKER = 200;
const SENDS = 20;

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

describe('a flood of idle connections', () => {
  let server: TestServer;
  const held: net.Socket[] = [];
  before(async () => {
    server = await startServer({ args: ['--trusted-networks', 'none', '--greet-wait', '0', '--max-connections', '1000', '--max-connections-per-ip', '100', '--max-connections-per-network', '0'] });
  });
  after(async () => {
    for (const socket of held) socket.destroy();
    await server.dispose();
  });

  it('10,000 idle connections from 50 addresses: a legitimate sender still gets every message through', async () => {
    for (let wave = 0; wave < PER_ATTACKER; wave += 20) {
      const opening: Promise<void>[] = [];
      for (let a = 1; a <= ATTACKERS; a++) for (let i = 0; i < 20; i++) opening.push(holdOpen(server.smtpPort, `127.0.1.${a}`, held));
      await Promise.all(opening);
    }
    assert.equal(held.length, ATTACKERS * PER_ATTACKER);

    const timesMs: number[] = [];
    for (let i = 0; i < SENDS; i++) {
      const started = performance.now();
      const { client, greeting } = await RawSmtpClient.open(server.smtpPort, '127.0.2.1');
      assert.equal(greeting.code, 220, `try ${i}: ${greeting.text}`);
      assert.equal((await client.send('EHLO legit.example')).code, 250);
      const reply = await sendMail(client, 'news@legit.example', ['survivor@tidemail.test'], simpleMessage(`legit ${i}`));
      assert.equal(reply.code, 250, `try ${i}: ${reply.text}`);
      await client.send('QUIT');
      client.close();
      timesMs.push(performance.now() - started);
    }
    timesMs.sort((a, b) => a - b);
    console.log(`flood: ${SENDS} sends from 127.0.2.1 under ${held.length} idle connections: p50 ${timesMs[SENDS / 2]!.toFixed(1)} ms, max ${timesMs.at(-1)!.toFixed(1)} ms`);

    assert.equal(committedMessages(server.dataDir, 'survivor').length, SENDS, 'every acknowledged message is stored');
    const rss = peakRssMiB(server.process.pid!);
    console.log(`flood: server peak RSS ${rss.toFixed(0)} MiB`);
    assert.ok(rss < 512, `peak RSS ${rss.toFixed(0)} MiB`);
  });
});
