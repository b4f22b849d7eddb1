/**
 * The defences for untrusted clients, as transcripts over real sockets against `tidemail serve`.
 * Other loopback addresses play untrusted clients (`--trusted-networks 127.0.0.1/32` keeps
 * 127.0.0.1 trusted), so one server shows both sides: every filter, ban and hang-up, the policy
 * API with its refused sessions, /metrics by reason, and that trusted clients skip all of it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { committedMessages } from '../helpers/disk.js';
import { getJson } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

interface PolicyView {
  bans: Array<{ id: number; kind: string; value: string; reason: string; sinceMs: number; untilMs: number }>;
  hottest: Array<{ kind: string; key: string; count: number }>;
  refused: Array<{ remoteAddress: string; helo: string; reason: string; transcript: { lines: Array<{ from: string; text: string; atMs: number }> } }>;
}

async function greeted(server: TestServer, from: string): Promise<RawSmtpClient> {
  const { client, greeting } = await RawSmtpClient.open(server.smtpPort, from);
  assert.equal(greeting.code, 220, greeting.text);
  assert.equal((await client.send('EHLO client.test')).code, 250);
  return client;
}

describe('SMTP defences for untrusted clients', () => {
  let server: TestServer;
  let api: string;
  const TOKEN = 'sesame-0123456789';
  before(async () => {
    server = await startServer({
      expect: ['smtp', 'http'],
      args: ['--trusted-networks', '127.0.0.1/32', '--greet-wait', '0', '--ip-rate', '3/60s', '--network-rate', '0', '--ban-time', '10m', '--subject-flood', '3/60s', '--admin-token', TOKEN],
    });
    api = `http://127.0.0.1:${server.ports.http}/api/v1`;
  });
  after(async () => {
    await server.dispose();
  });

  it('a trusted client skips the rate limit and may send bounces', async () => {
    const client = await greeted(server, '127.0.0.1');
    for (let i = 0; i < 6; i++) assert.equal((await sendMail(client, 'dev@app.test', ['trusted@tidemail.test'], simpleMessage(`same subject`))).code, 250);
    assert.equal((await sendMail(client, '', ['trusted@tidemail.test'], simpleMessage('a bounce'))).code, 250);
    client.close();
  });

  it('defers past the per-IP rate with the time to wait, bans past twice the rate, and refuses the banned at connect', async () => {
    const client = await greeted(server, '127.0.0.2');
    for (let i = 0; i < 3; i++) assert.equal((await sendMail(client, 'a@sender.test', ['rate@tidemail.test'], simpleMessage(`rate ${i}`))).code, 250);
    for (let i = 0; i < 3; i++) {
      const r = await client.send('MAIL FROM:<a@sender.test>');
      assert.match(r.text, /^450 4\.7\.1 Too much mail from your address; try again in \d+ seconds/);
    }
    assert.match((await client.send('MAIL FROM:<a@sender.test>')).text, /^421 4\.7\.1 Banned for 10 more minutes/);
    await client.closedByServer();
    const again = await RawSmtpClient.connect(server.smtpPort, '127.0.0.1', '127.0.0.2');
    assert.match((await again.reply()).text, /^421 4\.7\.1 Banned/);
    await again.closedByServer();
    const neighbour = await greeted(server, '127.0.0.3');
    assert.equal((await neighbour.send('MAIL FROM:<b@sender.test>')).code, 250, 'a ban is per address');
    neighbour.close();
    assert.equal(committedMessages(server.dataDir, 'rate').length, 3, 'nothing past the limit was stored');
  });

  it('shows the ban on the policy API and lifts it only with the admin token', async () => {
    const { body } = await getJson<PolicyView>(`${api}/policy`);
    const ban = body.bans.find((b) => b.value === '127.0.0.2');
    assert.ok(ban, 'the ban is listed');
    assert.equal(ban.kind, 'ip');
    assert.match(ban.reason, /ip-rate/);
    assert.ok(ban.untilMs - ban.sinceMs === 600_000);
    const refused = body.refused.find((r) => r.remoteAddress.endsWith('127.0.0.2') && r.reason === 'banned-ip' && r.helo !== '');
    assert.ok(refused, 'the refused session is kept');
    assert.equal(refused.helo, 'client.test');
    assert.ok(refused.transcript.lines.some((l) => l.from === 'client' && l.text === 'MAIL FROM:<a@sender.test>'));
    assert.ok(refused.transcript.lines.some((l) => l.from === 'server' && l.text.startsWith('421 4.7.1')));

    assert.equal((await fetch(`${api}/policy/bans/${ban.id}`, { method: 'DELETE' })).status, 401);
    assert.equal((await fetch(`${api}/policy/bans/${ban.id}`, { method: 'DELETE', headers: { authorization: 'Bearer wrong-token-value' } })).status, 403);
    assert.equal((await fetch(`${api}/policy/bans/${ban.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status, 204);
    assert.equal((await fetch(`${api}/policy/bans/${ban.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status, 404);
    const { client, greeting } = await RawSmtpClient.open(server.smtpPort, '127.0.0.2');
    assert.equal(greeting.code, 220, 'admitted again once the ban is lifted');
    client.close();
  });

  it('refuses bounces from untrusted clients with 550 5.7.1', async () => {
    const client = await greeted(server, '127.0.0.4');
    assert.match((await client.send('MAIL FROM:<>')).text, /^550 5\.7\.1 Bounces are not accepted/);
    assert.match((await client.send('MAIL FROM:<MAILER-DAEMON@relay.test>')).text, /^550 5\.7\.1/);
    assert.equal((await client.send('MAIL FROM:<person@relay.test>')).code, 250);
    client.close();
  });

  it('bans a flooded subject at the end of DATA, from any address, and never stores it', async () => {
    const subjects = ['Win a prize 100', 'RE: win a PRIZE 200', 'Fwd: Win a prize 300', 'Win a prize 400', 'win a prize 5'];
    const replies: number[] = [];
    for (const [i, subject] of subjects.entries()) {
      const client = await greeted(server, `127.0.0.${20 + i}`);
      replies.push((await sendMail(client, 'bot@zombie.test', ['flood@tidemail.test'], simpleMessage(subject))).code);
      client.close();
    }
    assert.deepEqual(replies, [250, 250, 250, 550, 550]);
    const other = await greeted(server, '127.0.0.30');
    assert.equal((await sendMail(other, 'bot@zombie.test', ['flood@tidemail.test'], simpleMessage('A different subject'))).code, 250);
    other.close();
    assert.equal(committedMessages(server.dataDir, 'flood').length, 4);
    const { body } = await getJson<PolicyView>(`${api}/policy`);
    assert.ok(body.bans.some((b) => b.kind === 'subject' && b.value === 'win a prize #'));
  });

  it('counts every refusal in /metrics by reason', async () => {
    const text = await (await fetch(`http://127.0.0.1:${server.ports.http}/metrics`)).text();
    for (const reason of ['ip-rate', 'banned-ip', 'bounce', 'subject-flood']) {
      assert.match(text, new RegExp(`tidemail_policy_refusals_total\\{reason="${reason}"\\} [1-9]`), reason);
    }
  });
});

describe('pregreet, --strict and the tarpit', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ expect: ['smtp', 'http'], args: ['--trusted-networks', 'none', '--greet-wait', '300ms', '--strict', 'on', '--tarpit', '200ms', '--max-connections', '10'] });
  });
  after(async () => {
    await server.dispose();
  });

  it('refuses a client that talks before the greeting is complete (554 5.7.1)', async () => {
    const client = await RawSmtpClient.connect(server.smtpPort);
    client.write('EHLO hasty.test\r\n');
    const reply = await client.reply();
    assert.equal(reply.code, 554);
    assert.match(reply.lines.at(-1)!, /^5\.7\.1 You talked before my greeting/);
    assert.match(reply.lines[0]!, /ESMTP Tidemail$/, 'the first line of the greeting came first');
    await client.closedByServer();
  });

  it('greets a patient client with a two-line 220 and closes it on its first protocol violation', async () => {
    const { client, greeting } = await RawSmtpClient.open(server.smtpPort);
    assert.equal(greeting.code, 220);
    assert.equal(greeting.lines.length, 2);
    assert.equal((await client.send('EHLO patient.test')).code, 250);
    assert.match((await client.send('FROBNICATE')).text, /^500 5\.5\.2/);
    await client.closedByServer();
  });

  it('slows each reply by the tarpit (the stored transcript shows the gap)', async () => {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO slow.test');
    assert.equal((await sendMail(client, 'a@b.test', ['tarpit@tidemail.test'], simpleMessage('slow'))).code, 250);
    client.close();
    const api = `http://127.0.0.1:${server.ports.http}/api/v1`;
    const { body: listing } = await getJson<{ messages: Array<{ id: number }> }>(`${api}/inboxes/tarpit/messages`);
    const { body: transcript } = await getJson<{ lines: Array<{ from: string; text: string; atMs: number }> }>(`${api}/messages/${listing.messages[0]!.id}/smtp`);
    // --tarpit 200ms with 1 of --max-connections 10 open: each reply waits 180 ms. The bound is
    // one-sided (the server cannot answer sooner than it waits), so load cannot make it flaky.
    const lines = transcript.lines;
    for (const command of ['EHLO slow.test', 'MAIL FROM:<a@b.test>', 'RCPT TO:<tarpit@tidemail.test>']) {
      const at = lines.findIndex((l) => l.from === 'client' && l.text === command);
      const reply = lines.slice(at + 1).find((l) => l.from === 'server')!;
      assert.ok(reply.atMs - lines[at]!.atMs >= 150, `${command}: answered after ${reply.atMs - lines[at]!.atMs} ms`);
    }
  });
});

describe('connection shedding', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--trusted-networks', 'none', '--greet-wait', '0', '--max-connections', '5', '--stress-timeout', '400ms'] });
  });
  after(async () => {
    await server.dispose();
  });

  it('closes the longest-idle session without a transaction to admit a newcomer, never one mid-transaction', async () => {
    const busy = await greeted(server, '127.0.3.1');
    assert.equal((await busy.send('MAIL FROM:<a@b.test>')).code, 250);
    const idle: RawSmtpClient[] = [];
    for (let i = 0; i < 4; i++) idle.push((await RawSmtpClient.open(server.smtpPort, `127.0.3.${2 + i}`)).client);
    const newcomer = await RawSmtpClient.open(server.smtpPort, '127.0.3.9');
    assert.equal(newcomer.greeting.code, 220, 'the newcomer is admitted');
    const shed = await Promise.race(idle.map((c, i) => c.reply().then((r) => ({ i, r }))));
    assert.match(shed.r.text, /^421 4\.7\.0 Too many connections: closing idle sessions/);
    await idle[shed.i]!.closedByServer();
    assert.equal((await busy.send('RCPT TO:<kept@tidemail.test>')).code, 250, 'the session in a transaction was kept');
    for (const c of [busy, newcomer.client, ...idle]) c.close();
  });

  it('under stress (80 % of the cap) the quietest untrusted sessions time out after --stress-timeout, until the stress is over', async () => {
    const clients: RawSmtpClient[] = [];
    for (const i of [1, 2, 3, 4]) clients.push((await RawSmtpClient.open(server.smtpPort, `127.0.4.${i}`)).client);
    assert.match((await clients[0]!.reply(5000)).text, /^421 4\.4\.2 Idle timeout/, 'the quietest session went first');
    await clients[0]!.closedByServer();
    assert.equal((await clients[3]!.send('NOOP')).code, 250, 'below 80 % the normal idle timeout applies again');
    for (const c of clients) c.close();
  });
});

describe('magic addresses (for every client, trusted too)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    await server.dispose();
  });

  async function transaction(rcpt: string): Promise<{ client: RawSmtpClient; rcptReply: string }> {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO qa.test');
    assert.equal((await client.send('MAIL FROM:<qa@app.test>')).code, 250);
    return { client, rcptReply: (await client.send(`RCPT TO:<${rcpt}>`)).text };
  }

  it('rcpt-451… and rcpt-550… are refused at RCPT', async () => {
    assert.match((await transaction('rcpt-451-x@tidemail.test')).rcptReply, /^451 4\.3\.0/);
    assert.match((await transaction('rcpt-550-x@tidemail.test')).rcptReply, /^550 5\.1\.1/);
  });

  it('data-452… and data-554… are refused at the end of DATA and nothing is stored', async () => {
    for (const [rcpt, expected] of [
      ['data-452-a@tidemail.test', /^452 4\.3\.1/],
      ['data-554-a@tidemail.test', /^554 5\.6\.0/],
    ] as const) {
      const { client, rcptReply } = await transaction(rcpt);
      assert.match(rcptReply, /^250/);
      assert.equal((await client.send('RCPT TO:<plain@tidemail.test>')).code, 250);
      assert.equal((await client.send('DATA')).code, 354);
      client.write(`${simpleMessage('magic')}.\r\n`);
      assert.match((await client.reply()).text, expected);
      assert.equal((await client.send('NOOP')).code, 250, 'the session goes on');
      client.close();
    }
    assert.equal(committedMessages(server.dataDir, 'plain').length, 0, 'the whole transaction was refused');
  });

  it('delay-1s… holds the 250 for a second, then the message is stored', async () => {
    const { client, rcptReply } = await transaction('delay-1s-a@tidemail.test');
    assert.match(rcptReply, /^250/);
    assert.equal((await client.send('DATA')).code, 354);
    const started = performance.now();
    client.write(`${simpleMessage('slow')}.\r\n`);
    assert.equal((await client.reply()).code, 250);
    assert.ok(performance.now() - started >= 950, 'not answered before the delay');
    assert.equal(committedMessages(server.dataDir, 'delay-1s-a').length, 1);
    client.close();
  });

  it('greylist-1s… defers the first attempt with 451 4.7.1 and accepts a retry after the wait', async () => {
    const first = await transaction('greylist-1s-a@tidemail.test');
    assert.match(first.rcptReply, /^451 4\.7\.1 Greylisted, try again in 1 seconds/);
    assert.match((await first.client.send('RCPT TO:<greylist-1s-a@tidemail.test>')).text, /^451 4\.7\.1/, 'still deferred inside the wait');
    first.client.close();
    // A sender does what the reply says: waits the given time, then retries.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const retry = await transaction('greylist-1s-a@tidemail.test');
    assert.match(retry.rcptReply, /^250/);
    retry.client.close();
  });

  it('disconnect… drops the connection after RCPT with no reply', async () => {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO qa.test');
    await client.send('MAIL FROM:<qa@app.test>');
    client.write('RCPT TO:<disconnect-me@tidemail.test>\r\n');
    await client.closedByServer();
  });

  it('--magic-addresses off treats them as ordinary inboxes', async () => {
    const plain = await startServer({ args: ['--magic-addresses', 'off'] });
    const { client } = await RawSmtpClient.open(plain.smtpPort);
    await client.send('EHLO qa.test');
    assert.equal((await sendMail(client, 'qa@app.test', ['rcpt-550-x@tidemail.test'], simpleMessage('plain'))).code, 250);
    client.close();
    await plain.dispose();
  });
});
