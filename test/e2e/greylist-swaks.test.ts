/**
 * Greylisting against `tidemail serve --greylist`, over real sockets: swaks from an untrusted
 * loopback address (127.0.0.5; `--trusted-networks 127.0.0.1/32`) is deferred at RCPT, and
 * its retry inside the delay is still deferred; one recipient's deferral does not stop the
 * others of the transaction; a trusted client and the whitelist file skip it; the policy API
 * and /metrics show it; and the triplet's clock survives a restart of the server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { committedMessages } from '../helpers/disk.js';
import { getJson } from '../helpers/http.js';
import { freshDataDir, removeDataDir, startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, simpleMessage } from '../helpers/smtp-client.js';

interface GreylistView {
  settings: { delayMs: number };
  counts: { grey: number; white: number; clients: number; whitelistLines: number };
  entries: Array<{ kind: string; network: string; sender: string | null; recipient: string | null; firstSeenMs: number; passes: number; expiresAtMs: number }>;
}

const DELAY_S = 3600;

function swaks(port: number, to: string, from = 'sender@example.test'): { status: number | null; stdout: string } {
  const r = spawnSync('swaks', ['--server', '127.0.0.1', '--port', String(port), '--local-interface', '127.0.0.5', '--ehlo', 'mx.example.test', '--from', from, '--to', to, '--header', 'Subject: greylisted?'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.error, undefined, 'swaks is installed (.ci/run installs it)');
  return { status: r.status, stdout: r.stdout };
}

/** The seconds of each `Greylisted, try again in N seconds` swaks was told. */
function waits(stdout: string): number[] {
  return [...stdout.matchAll(/<\*\* +451 4\.7\.1 Greylisted, try again in (\d+) seconds/g)].map((m) => Number(m[1]));
}

describe('greylisting with swaks and a raw client', () => {
  const dataDir = freshDataDir();
  const whitelist = join(dataDir, '..', `${dataDir.split('/').pop()}-whitelist`);
  let server: TestServer;
  const args = ['--trusted-networks', '127.0.0.1/32', '--greet-wait', '0', '--greylist', 'on', '--greylist-delay', `${DELAY_S}s`, '--greylist-whitelist', whitelist];
  const api = (): string => `http://127.0.0.1:${server.ports.http}`;
  const greylist = async (): Promise<GreylistView> => (await getJson<{ greylist: GreylistView }>(`${api()}/api/v1/policy`)).body.greylist;

  before(async () => {
    writeFileSync(whitelist, '# the test\ndomain never-grey.test\nnot an entry\n');
    server = await startServer({ dataDir, expect: ['smtp', 'http'], args });
  });
  after(async () => {
    await server?.stop();
    removeDataDir(dataDir);
    rmSync(whitelist, { force: true });
  });

  it('defers swaks at RCPT, and still defers its retry inside the delay, with less to wait', () => {
    const first = swaks(server.smtpPort, 'grey@tidemail.test');
    assert.equal(first.status, 24, `swaks exits 24 for a recipient it could not give\n${first.stdout}`);
    assert.deepEqual(waits(first.stdout), [DELAY_S]);
    const retry = swaks(server.smtpPort, 'grey@tidemail.test');
    assert.equal(retry.status, 24, retry.stdout);
    const [left] = waits(retry.stdout);
    assert.ok(left !== undefined && left <= DELAY_S && left > DELAY_S - 60, `still deferred, ${left} s left`);
    assert.deepEqual(committedMessages(server.dataDir, 'grey'), [], 'nothing stored');
  });

  it('defers one recipient of a transaction and delivers to the others', async () => {
    const { client } = await RawSmtpClient.open(server.smtpPort, '127.0.0.5');
    assert.equal((await client.send('EHLO mx.example.test')).code, 250);
    assert.equal((await client.send('MAIL FROM:<sender@example.test>')).code, 250);
    assert.match((await client.send('RCPT TO:<mixed@tidemail.test>')).text, /^451 4\.7\.1 Greylisted, try again in 3600 seconds\r\n$/);
    assert.match((await client.send('RCPT TO:<mixed@never-grey.test>')).text, /^250 2\.1\.5/, 'a whitelisted recipient domain');
    assert.equal((await client.send('DATA')).code, 354);
    client.write(`${simpleMessage('one of two')}.\r\n`);
    assert.match((await client.reply()).text, /^250 /);
    const [stored] = committedMessages(server.dataDir, 'mixed');
    assert.deepEqual(stored?.rcptTo, ['mixed@never-grey.test'], 'stored for the recipient that passed only');
    await client.send('QUIT');
    client.close();
  });

  it('never greylists a trusted client', async () => {
    const { client } = await RawSmtpClient.open(server.smtpPort, '127.0.0.1');
    assert.equal((await client.send('EHLO dev.test')).code, 250);
    assert.equal((await client.send('MAIL FROM:<dev@app.test>')).code, 250);
    assert.match((await client.send('RCPT TO:<trusted@tidemail.test>')).text, /^250 2\.1\.5/);
    client.close();
  });

  it('shows the greylist on the policy API and counts it in /metrics', async () => {
    const view = await greylist();
    assert.equal(view.settings.delayMs, DELAY_S * 1000);
    assert.deepEqual(view.counts, { grey: 2, white: 0, clients: 0, whitelistLines: 1 });
    const entry = view.entries.find((e) => e.recipient === 'grey@tidemail.test');
    assert.ok(entry, JSON.stringify(view.entries));
    assert.equal(entry.kind, 'grey');
    assert.equal(entry.network, '127.0.0.0/24');
    assert.equal(entry.sender, 'sender@example.test');
    assert.equal(entry.passes, 0);
    assert.ok(Math.abs(entry.firstSeenMs - Date.now()) < 120_000, 'first seen just now');
    assert.equal(entry.expiresAtMs, entry.firstSeenMs + 24 * 3_600_000, 'the retry window');
    const metrics = await (await fetch(`${api()}/metrics`)).text();
    assert.match(metrics, /^tidemail_greylist_deferred_total 3$/m);
    assert.match(metrics, /^tidemail_greylist_passed_total 0$/m);
    assert.match(metrics, /^tidemail_greylist_whitelisted_total\{by="file-domain"\} 1$/m);
    assert.match(server.stderr(), /greylist whitelist .+ line 3: expected an address, a CIDR prefix, or a line starting with triplet, helo or domain; skipped/);
  });

  it('keeps the triplet and its clock across a restart', async () => {
    const before = (await greylist()).entries.find((e) => e.recipient === 'grey@tidemail.test')!;
    assert.equal(await server.stop(), 0);
    server = await startServer({ dataDir, expect: ['smtp', 'http'], args });
    const after = (await greylist()).entries.find((e) => e.recipient === 'grey@tidemail.test');
    assert.deepEqual(after, before);
    const retry = swaks(server.smtpPort, 'grey@tidemail.test');
    const [left] = waits(retry.stdout);
    assert.ok(left !== undefined && left < DELAY_S, `deferred with the time left from before the restart (${left} s), not a new delay`);
  });
});
