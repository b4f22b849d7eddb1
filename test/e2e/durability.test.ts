/**
 * "250 means on disk": kill the server with SIGKILL while many sessions are sending, restart it
 * on the same data dir, and find every message that got a 250.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { committedMessages } from '../helpers/disk.js';
import { removeDataDir, startServer } from '../helpers/server.js';
import { RawSmtpClient } from '../helpers/smtp-client.js';

const SESSIONS = 12;

/** Enough acknowledged messages for the kill to mean something (the test asserts more than 50). */
const ACKNOWLEDGED_BEFORE_KILL = 100;

/** Counts 250s across sessions; `reached` resolves once there are `target` of them. */
class Acknowledgements {
  count = 0;
  readonly reached: Promise<void>;
  private resolve: () => void = () => {};

  constructor(private readonly target: number) {
    this.reached = new Promise((resolve) => (this.resolve = resolve));
  }

  add(): void {
    if (++this.count >= this.target) this.resolve();
  }
}

/** Send messages in a loop until the connection dies; returns the subjects that got 250. */
async function sendUntilKilled(port: number, session: number, progress: Acknowledgements): Promise<string[]> {
  const acknowledged: string[] = [];
  try {
    const { client } = await RawSmtpClient.open(port);
    await client.send('EHLO load.test');
    for (let i = 0; ; i++) {
      const subject = `s${session}-m${i}`;
      client.write(`MAIL FROM:<load@example.test>\r\nRCPT TO:<durable${session % 3}@tidemail.test>\r\nDATA\r\n`);
      for (const code of [250, 250, 354]) assert.equal((await client.reply()).code, code);
      client.write(`Subject: ${subject}\r\n\r\n${'payload line\r\n'.repeat(40)}.\r\n`);
      const reply = await client.reply();
      if (reply.code === 250) {
        acknowledged.push(subject);
        progress.add();
      }
    }
  } catch {
    // The server died mid-conversation: exactly what this test is about.
  }
  return acknowledged;
}

it('loses no acknowledged message when killed with SIGKILL during concurrent sends', async () => {
  // No per-inbox cap: eviction of old messages must not be mistaken for loss.
  const server = await startServer({ args: ['--max-per-inbox', '0'] });
  const progress = new Acknowledgements(ACKNOWLEDGED_BEFORE_KILL);
  const senders = Array.from({ length: SESSIONS }, (_, i) => sendUntilKilled(server.smtpPort, i, progress));
  // Let the load build up, then pull the plug without warning, with every session mid-conversation.
  // (If every sender stopped first, the server died by itself: the assertions below say so.)
  await Promise.race([progress.reached, Promise.all(senders)]);
  await server.kill();
  const acknowledged = (await Promise.all(senders)).flat();
  assert.ok(acknowledged.length > 50, `enough traffic to mean something (${acknowledged.length} acknowledged)`);

  const restarted = await startServer({ dataDir: server.dataDir, args: ['--max-per-inbox', '0'] });
  try {
    const stored = new Set(committedMessages(server.dataDir).map((m) => m.subject));
    const lost = acknowledged.filter((s) => !stored.has(s));
    assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.length} acknowledged messages lost`);
    // The restarted server takes mail on the recovered store.
    const { client } = await RawSmtpClient.open(restarted.smtpPort);
    assert.equal((await client.send('EHLO again.test')).code, 250);
    client.close();
  } finally {
    await restarted.stop();
    removeDataDir(server.dataDir);
  }
});
