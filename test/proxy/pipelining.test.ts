/**
 * `tidemail proxy` and how it speaks to its upstream (node-upstream.ts, a scripted upstream that
 * judges it): MAIL and the first RCPT pipelined (RFC 2920) to an upstream that advertises
 * PIPELINING, with every RCPT verdict still the client's exactly; one command at a time to an
 * upstream that does not; and the pool when the upstream closes an idle connection or drops one
 * as the next MAIL arrives.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { simpleMessage, type RawSmtpClient } from '../helpers/smtp-client.js';
import { dataPhase, envelope, proxyClient, startProxy, type RunningProxy } from './helpers.js';
import { startNodeUpstream, type NodeUpstream } from './node-upstream.js';

async function withClient<T>(proxy: RunningProxy, run: (client: RawSmtpClient) => Promise<T>): Promise<T> {
  const client = await proxyClient(proxy.smtpPort);
  try {
    return await run(client);
  } finally {
    client.close();
  }
}

/** One message through the proxy; its end-of-data reply. */
function sendOne(proxy: RunningProxy, subject: string, to = ['ok@up.test']): Promise<string> {
  return withClient(proxy, async (client) => {
    await envelope(client, 'sender@example.test', to);
    const { end } = await dataPhase(client, simpleMessage(subject));
    return end!.text;
  });
}

for (const pipelining of [true, false]) {
  describe(`proxy → an upstream ${pipelining ? 'with' : 'without'} PIPELINING`, { timeout: 60_000 }, () => {
    let upstream: NodeUpstream;
    let proxy: RunningProxy;

    before(async () => {
      upstream = await startNodeUpstream({ pipelining });
      // A proxy that waited for MAIL's reply before its RCPT would get no reply from the pipelining upstream: 451 after 2 s.
      proxy = await startProxy(upstream.port, ['--upstream-timeout', '2s', '--magic-addresses', 'off']);
    });
    after(async () => {
      await proxy?.stop();
      await upstream?.stop();
    });

    it('relays each RCPT verdict exactly and delivers to the accepted recipients only', async () => {
      await withClient(proxy, async (client) => {
        const [mail, ok, rejected, deferred, second] = await envelope(client, 'sender@example.test', ['ok@up.test', 'reject-me@up.test', 'defer-me@up.test', 'ok2@up.test']);
        assert.equal(mail!.code, 250);
        assert.equal(ok!.text, '250 2.1.5 upstream: Recipient ok\r\n');
        assert.equal(rejected!.text, '550 5.1.1 upstream: No such user here\r\n');
        assert.equal(deferred!.text, '451 4.3.0 upstream: Mailbox busy, try again later\r\n');
        assert.equal(second!.text, '250 2.1.5 upstream: Recipient ok\r\n');
        const { end } = await dataPhase(client, simpleMessage('verdicts'));
        assert.match(end!.text, /^250 2\.0\.0 OK: queued as \w+; upstream: Accepted upstream as N1\r\n$/);
      });
      const message = upstream.messages.find((m) => m.data.includes('Subject: verdicts'));
      assert.deepEqual(message?.to, ['ok@up.test', 'ok2@up.test']);
      assert.deepEqual(upstream.violations, []);
    });

    it("answers a client that pipelines its whole envelope with each verdict in order", async () => {
      await withClient(proxy, async (client) => {
        client.write('MAIL FROM:<sender@example.test>\r\nRCPT TO:<reject-a@up.test>\r\nRCPT TO:<ok@up.test>\r\nDATA\r\n');
        const replies = [await client.reply(), await client.reply(), await client.reply(), await client.reply()];
        assert.deepEqual(replies.map((r) => r.code), [250, 550, 250, 354]);
        client.write(`${simpleMessage('client-pipelined')}.\r\n`);
        assert.equal((await client.reply()).code, 250);
      });
      assert.deepEqual(upstream.messages.find((m) => m.data.includes('Subject: client-pipelined'))?.to, ['ok@up.test']);
      assert.deepEqual(upstream.violations, []);
    });

    it("gives every RCPT the upstream's refusal of MAIL, and the connection stays in step for the next transaction", async () => {
      const connectionsBefore = upstream.connections();
      await withClient(proxy, async (client) => {
        const [mail, first, second] = await envelope(client, 'refuse-me@example.test', ['ok@up.test', 'ok2@up.test']);
        assert.equal(mail!.code, 250, 'our MAIL is ours; the upstream speaks at RCPT');
        assert.equal(first!.text, '550 5.7.1 upstream: Sender refused\r\n', 'the MAIL refusal, not the 503 to a pipelined RCPT');
        assert.equal(second!.text, '550 5.7.1 upstream: Sender refused\r\n');
        assert.equal((await client.send('RSET')).code, 250);
        await envelope(client, 'sender@example.test', ['ok@up.test']);
        const { end } = await dataPhase(client, simpleMessage('after-refused-sender'));
        assert.equal(end!.code, 250);
      });
      assert.equal(upstream.connections(), connectionsBefore, 'the same upstream connection served the next transaction');
      assert.ok(upstream.messages.some((m) => m.data.includes('Subject: after-refused-sender')));
      assert.deepEqual(upstream.violations, []);
    });

    it('RSETs an abandoned transaction upstream, after the replies it owes, and reuses the connection', async () => {
      const rsetsBefore = upstream.rsets();
      const connectionsBefore = upstream.connections();
      await withClient(proxy, async (client) => {
        await envelope(client, 'sender@example.test', ['ok@up.test']);
        assert.equal((await client.send('RSET')).code, 250);
      });
      await eventually(async () => upstream.rsets() > rsetsBefore, 'the RSET upstream');
      assert.match(await sendOne(proxy, 'after-rset'), /^250 /);
      assert.equal(upstream.connections(), connectionsBefore);
      assert.deepEqual(upstream.violations, []);
    });

    it('drops an idle connection the upstream closes (421) and opens a new one for the next transaction', async () => {
      assert.match(await sendOne(proxy, 'before-idle-close'), /^250 /);
      const connectionsBefore = upstream.connections();
      upstream.closeIdle();
      await eventually(async () => upstream.closed() === upstream.connections(), 'the upstream closing its idle connections');
      assert.match(await sendOne(proxy, 'after-idle-close'), /^250 /);
      assert.equal(upstream.connections(), connectionsBefore + 1, 'a new connection, not a 451 on the closed one');
      assert.deepEqual(upstream.violations, []);
    });

    it('retries once on a new connection when a reused one dies as the MAIL is sent: the client never sees it', async () => {
      assert.match(await sendOne(proxy, 'before-drop'), /^250 /);
      const connectionsBefore = upstream.connections();
      upstream.dropOnNextMail();
      assert.match(await sendOne(proxy, 'after-drop'), /^250 2\.0\.0 OK: queued as \w+; upstream: Accepted upstream as N1\r\n$/);
      assert.equal(upstream.connections(), connectionsBefore + 1);
      assert.deepEqual(upstream.messages.find((m) => m.data.includes('Subject: after-drop'))?.to, ['ok@up.test']);
      assert.deepEqual(upstream.violations, []);
    });
  });
}
