/**
 * A full disk that heals itself, on a 40 MiB tmpfs made for the test (CI runs as root; elsewhere
 * the suite is skipped with the reason). First, four senders push more mail than the filesystem
 * holds: the oldest messages are evicted (FIFO, as Mailinator did) and ingest goes on; every
 * message answered 250 is either readable byte for byte or was pushed out by newer mail of the
 * same sender. Then another file takes the whole disk: reads and deletes keep working, new mail
 * gets `452 4.3.1`, and once the space is back, mail is accepted again by itself. The server never
 * exits.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawLineClient } from '../helpers/line-client.js';
import { RawSmtpClient, sendMail } from '../helpers/smtp-client.js';
import { eventually } from '../helpers/eventually.js';
import { deliveredVisibly } from '../helpers/visible.js';

const SENDERS = 4;
const PER_SENDER = 80;
const BODY = 'x'.repeat(76) + '\r\n';
const BODY_LINES = 1600; // ~125 KiB a message: 4 × 80 of them are ~40 MiB, more than the filesystem

function mountTmpfs(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=40m', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function message(sender: number, seq: number): string {
  return `From: s${sender}@load.test\r\nTo: disk@tidemail.test\r\nSubject: s${sender} n${seq}\r\n\r\n${BODY.repeat(BODY_LINES)}`;
}

interface Listing {
  total: number;
  messages: Array<{ id: number; subject: string }>;
}

interface PolicyDisk {
  disk: { state: 'ok' | 'full'; evictedTotal: number; freeBytes: number; reusableBytes: number; minFreeBytes: number } | null;
}

/** Poll the policy API until the disk is in `state` (the guard checks every 250 ms); bounded. */
async function diskState(api: string, state: 'ok' | 'full'): Promise<PolicyDisk['disk']> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const { body } = await getJson<PolicyDisk>(`${api}/policy`);
    if (body.disk?.state === state) return body.disk;
    if (Date.now() > deadline) throw new Error(`disk never became ${state}: ${JSON.stringify(body.disk)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('a full disk', { skip: process.getuid?.() !== 0 ? 'needs root to mount a tmpfs' : false }, () => {
  let mount: string | null = null;
  let server: TestServer;
  let api: string;
  before(async () => {
    mount = mountTmpfs();
    if (!mount) throw new Error('could not mount a tmpfs for the test');
    server = await startServer({ dataDir: join(mount, 'data'), expect: ['smtp', 'http'], args: ['--min-free-disk', '8MiB', '--max-per-inbox', '0', '--retention', '0'] });
    api = `http://127.0.0.1:${server.ports.http}/api/v1`;
  });
  after(async () => {
    await server?.stop();
    if (mount) {
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it('evicts the oldest mail to make room while senders push more than the disk holds', async () => {
    const acknowledged: number[][] = Array.from({ length: SENDERS }, () => []);
    await Promise.all(
      Array.from({ length: SENDERS }, async (_, sender) => {
        const { client } = await RawSmtpClient.open(server.smtpPort);
        await client.send('EHLO load.test');
        for (let seq = 0; seq < PER_SENDER; seq++) {
          // While the guard makes room it refuses new mail at MAIL (452 4.3.1); a store that hit
          // the full disk first answers 451 after DATA. Both are temporary: never a loss.
          const mail = await client.send(`MAIL FROM:<s${sender}@load.test>`);
          if (mail.code !== 250) {
            assert.match(mail.text, /^452 4\.3\.1/, mail.text);
            continue;
          }
          assert.equal((await client.send('RCPT TO:<disk@tidemail.test>')).code, 250);
          assert.equal((await client.send('DATA')).code, 354);
          client.write(`${message(sender, seq)}.\r\n`);
          const reply = await client.reply();
          if (reply.code === 250) acknowledged[sender]!.push(seq);
          else assert.match(reply.text, /^45[12] 4\.3\.[01]/, `only a temporary refusal, never a loss: ${reply.text}`);
        }
        client.close();
      }),
    );
    assert.equal(server.process.exitCode, null, 'the server is still running');
    // A 250 means committed; shown once parsed, in id order: once each sender's last acknowledged
    // message is listed, everything acknowledged before it is listed or was evicted.
    const lastAcks = acknowledged.flatMap((acks, sender) => (acks.length > 0 ? [`s${sender} n${acks[acks.length - 1]}`] : []));
    const listing = await eventually(async () => {
      const { body } = await getJson<Listing>(`${api}/inboxes/disk/messages?limit=500`);
      const subjects = new Set(body.messages.map((m) => m.subject));
      return lastAcks.every((subject) => subjects.has(subject)) && body;
    }, 'every sender\'s last acknowledged message to be shown');
    const present = new Set(listing.messages.map((m) => m.subject));
    for (let sender = 0; sender < SENDERS; sender++) {
      const acks = acknowledged[sender]!;
      assert.ok(acks.length > PER_SENDER / 2, `sender ${sender}: most messages were accepted (${acks.length})`);
      const kept = acks.filter((seq) => present.has(`s${sender} n${seq}`));
      assert.ok(kept.length > 0);
      // FIFO: what is gone is older than everything kept.
      assert.deepEqual(kept, acks.slice(acks.length - kept.length), `sender ${sender}: the evicted ones are the oldest`);
    }
    const newest = listing.messages[0]!;
    const raw = await (await fetch(`${api}/messages/${newest.id}/raw`)).text();
    const [, sender, seq] = /^s(\d) n(\d+)$/.exec(newest.subject)!;
    assert.ok(raw.endsWith(message(Number(sender), Number(seq))), 'byte for byte, after our trace header');
    const { body } = await getJson<PolicyDisk>(`${api}/policy`);
    assert.ok(body.disk!.evictedTotal > 0, `the oldest were pushed out: ${JSON.stringify(body.disk)} acks ${acknowledged.map((a) => a.length)}`);
  });

});

/** Write a file until the filesystem is full. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(256 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }
}

/** Deliver `count` messages to `to`; resolves once they are visible (helpers/visible.ts). */
async function deliver(server: TestServer, to: string, count: number): Promise<void> {
  await deliveredVisibly(server.smtpPort, [to], count, async () => {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO small.test');
    for (let i = 0; i < count; i++) assert.equal((await sendMail(client, 'a@small.test', [to], `Subject: small ${i}\r\n\r\nhello\r\n`)).code, 250);
    client.close();
  });
}

describe('a disk that something else filled', { skip: process.getuid?.() !== 0 ? 'needs root to mount a tmpfs' : false }, () => {
  let mount: string | null = null;
  before(() => {
    mount = mountTmpfs();
    if (!mount) throw new Error('could not mount a tmpfs for the test');
  });
  after(() => {
    if (mount) {
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });

  it('deletes through the API, POP3 and IMAP succeed with no byte free', async () => {
    // The guard is off here, so nothing is evicted behind the test's back: the store's own ballast is what lets deletes through.
    const server = await startServer({ dataDir: join(mount!, 'deletes'), expect: ['smtp', 'http', 'pop3', 'imap'], args: ['--min-free-disk', '0'] });
    const filler = join(mount!, 'filler');
    try {
      const api = `http://127.0.0.1:${server.ports.http}/api/v1`;
      await deliver(server, 'keep@tidemail.test', 6);
      fillDisk(filler);
      const { status, body } = await getJson<Listing>(`${api}/inboxes/keep/messages`);
      assert.equal(status, 200, 'reads work on a full disk');
      assert.equal(body.total, 6);
      assert.equal((await fetch(`${api}/messages/${body.messages[0]!.id}`, { method: 'DELETE' })).status, 204, 'API delete');

      const pop = await RawLineClient.connect(server.ports.pop3!);
      await pop.line();
      await pop.send('USER keep');
      assert.match(await pop.send('PASS x'), /^\+OK/);
      assert.match(await pop.send('DELE 1'), /^\+OK/);
      assert.match(await pop.send('QUIT'), /^\+OK/, 'POP3 UPDATE applied its deletion');

      const imap = await RawLineClient.connect(server.ports.imap!);
      await imap.line();
      const tagged = async (command: string, tag: string): Promise<string> => {
        imap.write(`${tag} ${command}\r\n`);
        for (;;) {
          const line = await imap.line();
          if (line.startsWith(`${tag} `)) return line;
        }
      };
      assert.match(await tagged('LOGIN keep x', 'a'), /^a OK/);
      assert.match(await tagged('SELECT INBOX', 'b'), /^b OK/);
      assert.match(await tagged('STORE 1 +FLAGS (\\Deleted)', 'c'), /^c OK/);
      assert.match(await tagged('EXPUNGE', 'd'), /^d OK/);
      await tagged('LOGOUT', 'e');

      const after = await getJson<Listing>(`${api}/inboxes/keep/messages`);
      assert.equal(after.body.total, 3, 'three deletes, one per protocol');
      assert.equal((await fetch(`${api}/inboxes/keep`, { method: 'DELETE' })).status, 204, 'deleting a whole inbox works too');
      assert.equal(server.process.exitCode, null);
    } finally {
      rmSync(filler, { force: true });
      await server.dispose();
    }
  });

  it('refuses new mail with 452 4.3.1 while eviction cannot help, and accepts it again by itself once space returns', async () => {
    const server = await startServer({ dataDir: join(mount!, 'guarded'), expect: ['smtp', 'http'], args: ['--min-free-disk', '8MiB'] });
    const filler = join(mount!, 'filler');
    try {
      const api = `http://127.0.0.1:${server.ports.http}/api/v1`;
      await deliver(server, 'before@tidemail.test', 3);
      fillDisk(filler);
      const full = await diskState(api, 'full');
      // Full means less room than the minimum, plus the ballast's worth once the ballast is given back.
      assert.ok(full!.freeBytes + full!.reusableBytes < full!.minFreeBytes + 8 * 1024 * 1024, JSON.stringify(full));
      const { client } = await RawSmtpClient.open(server.smtpPort);
      await client.send('EHLO late.test');
      assert.match((await client.send('MAIL FROM:<late@load.test>')).text, /^452 4\.3\.1/);
      assert.equal((await getJson(`${api}/inboxes/before/messages`)).status, 200, 'reads go on');
      const metrics = await (await fetch(`http://127.0.0.1:${server.ports.http}/metrics`)).text();
      assert.match(metrics, /tidemail_disk_full 1/);

      rmSync(filler);
      await diskState(api, 'ok');
      const reply = await deliveredVisibly(server.smtpPort, ['healed@tidemail.test'], 1, () => sendMail(client, 'late@load.test', ['healed@tidemail.test'], 'Subject: healed\r\n\r\nback\r\n'));
      assert.equal(reply.code, 250, reply.text);
      client.close();
      assert.equal((await getJson<Listing>(`${api}/inboxes/healed/messages`)).body.total, 1);
      assert.equal(server.process.exitCode, null, 'the server never exited');
    } finally {
      rmSync(filler, { force: true });
      await server.dispose();
    }
  });
});
