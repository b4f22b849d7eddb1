/**
 * `tidemail proxy` in front of a scripted aiosmtpd upstream (scripted_upstream.py) that refuses
 * chosen recipients with 550, defers some with 451, refuses messages at the end of DATA with
 * 554, drops the connection mid-DATA and stalls. In every case the client sees the upstream's
 * verdict (or 451 4.4.1 when there is none), and every message the client got 250 for is in
 * what the upstream accepted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../bench/reference.js';
import { simpleMessage, type RawSmtpClient } from '../helpers/smtp-client.js';
import { dataPhase, envelope, proxyClient, startProxy, startScriptedUpstream, type RunningProxy, type ScriptedUpstream } from './helpers.js';

/** Every subject the client got a 250 for must be among the upstream's messages. */
function assertNoneLost(upstream: ScriptedUpstream, acceptedSubjects: string[]): void {
  const received = upstream.messages().map((m) => m.data.toString('latin1'));
  for (const subject of acceptedSubjects) assert.ok(received.some((data) => data.includes(`Subject: ${subject}\r\n`)), `"${subject}" got 250 but is not upstream`);
}

describe('proxy → scripted aiosmtpd upstream', { timeout: 90_000 }, () => {
  let upstream: ScriptedUpstream;
  let proxy: RunningProxy;
  const accepted: string[] = [];

  before(async () => {
    upstream = await startScriptedUpstream({ sizeLimit: 200_000 });
    proxy = await startProxy(upstream.port, ['--upstream-timeout', '2s', '--magic-addresses', 'off']);
  });
  after(async () => {
    await proxy?.stop();
    await upstream?.stop();
  });

  async function withClient<T>(run: (client: RawSmtpClient) => Promise<T>): Promise<T> {
    const client = await proxyClient(proxy.smtpPort);
    try {
      return await run(client);
    } finally {
      client.close();
    }
  }

  it('relays each RCPT verdict: 250, 550 and 451 as the upstream gave them, and delivers to the accepted only', async () => {
    await withClient(async (client) => {
      const [mail, ok, rejected, deferred] = await envelope(client, 'sender@example.test', ['ok@up.test', 'reject-me@up.test', 'defer-me@up.test']);
      assert.equal(mail!.code, 250);
      assert.match(ok!.text, /^250 2\.1\.5 upstream: Recipient ok\r\n$/);
      assert.match(rejected!.text, /^550 5\.1\.1 upstream: No such user here\r\n$/);
      assert.match(deferred!.text, /^451 4\.3\.0 upstream: Mailbox busy, try again later\r\n$/);
      const { end } = await dataPhase(client, simpleMessage('verdicts', 'Body.\r\n.leading dot'));
      assert.match(end!.text, /^250 2\.0\.0 OK: queued as \w+; upstream: Accepted upstream as U1\r\n$/);
      accepted.push('verdicts');
    });
    const message = upstream.messages().find((m) => m.data.includes('Subject: verdicts'));
    assert.deepEqual(message?.to, ['ok@up.test']);
    assert.match(message!.data.toString(), /^Received: from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby .* \(Tidemail\) with ESMTP id \w+\r\n\tfor <ok@up\.test>;/);
    assert.ok(message!.data.toString().endsWith('Body.\r\n.leading dot\r\n'), 'dot-stuffing undone upstream, body byte for byte');
    assertNoneLost(upstream, accepted);
  });

  it('answers DATA with the upstream\'s 554 and nothing is acknowledged', async () => {
    await withClient(async (client) => {
      await envelope(client, 'sender@example.test', ['ok@up.test']);
      const { end } = await dataPhase(client, simpleMessage('refused', 'please refuse-me'));
      assert.match(end!.text, /^554 5\.6\.0 upstream: Content refused by the upstream\r\n$/);
      // the session goes on: the next transaction on the same client connection works
      await envelope(client, 'sender@example.test', ['ok@up.test']);
      const next = await dataPhase(client, simpleMessage('after-refusal'));
      assert.equal(next.end!.code, 250);
      accepted.push('after-refusal');
    });
    assert.ok(!upstream.messages().some((m) => m.data.includes('Subject: refused')));
    assertNoneLost(upstream, accepted);
  });

  it('answers 451 4.4.1 when the upstream drops the connection mid-DATA, never 250', async () => {
    await withClient(async (client) => {
      const [, rcpt] = await envelope(client, 'sender@example.test', ['drop-me@up.test']);
      assert.equal(rcpt!.code, 250);
      const { go, end } = await dataPhase(client, simpleMessage('dropped'));
      assert.equal(go.code, 354, 'the client\'s DATA is ours to accept; the upstream\'s comes at the end');
      assert.match(end!.text, /^451 4\.4\.1 Upstream unavailable \(.+\); try again later\r\n$/);
    });
    await upstream.seen('dropped');
    assert.ok(!upstream.messages().some((m) => m.data.includes('Subject: dropped')));
    assertNoneLost(upstream, accepted);
  });

  it('answers 451 4.4.1 at RCPT when the upstream does not answer within --upstream-timeout', async () => {
    await withClient(async (client) => {
      const [, stalled] = await envelope(client, 'sender@example.test', ['stall-me@up.test']);
      assert.match(stalled!.text, /^451 4\.4\.1 Upstream unavailable \(RCPT: no reply in 2000 ms\); try again later\r\n$/);
      // what is left of the transaction has no upstream either
      const later = await client.send('RCPT TO:<ok@up.test>');
      assert.equal(later.code, 451);
      assert.equal((await client.send('DATA')).code, 503, 'no recipient was accepted');
      assert.equal((await client.send('RSET')).code, 250);
    });
  });

  it('passes the upstream\'s SIZE on in its own EHLO and refuses bigger declared sizes itself', async () => {
    await withClient(async (client) => {
      const ehlo = await client.send('EHLO client.example');
      const size = Number(/SIZE (\d+)/.exec(ehlo.text)?.[1]);
      assert.equal(size, 200_000);
      assert.match((await client.send('MAIL FROM:<a@example.test> SIZE=300000')).text, /^552 5\.3\.4 /);
    });
  });

  it('reuses one upstream connection across client sessions; an aborted transaction is RSET upstream', async () => {
    const connects = (): number => upstream.events().filter((e) => e.event === 'connect').length;
    const rsets = (): number => upstream.events().filter((e) => e.event === 'rset').length;
    const send = (subject: string): Promise<void> =>
      withClient(async (client) => {
        await envelope(client, 'sender@example.test', ['ok@up.test']);
        const { end } = await dataPhase(client, simpleMessage(subject));
        assert.equal(end!.code, 250);
        accepted.push(subject);
        await client.send('QUIT');
      });
    await send('reuse-1');
    const connectsAfterFirst = connects();
    const rsetsBefore = rsets();
    await withClient(async (client) => {
      await envelope(client, 'sender@example.test', ['ok@up.test']);
      assert.equal((await client.send('RSET')).code, 250);
      await client.send('QUIT');
    });
    await upstream.seen('rset', rsetsBefore + 1); // the abandoned transaction is reset upstream before reuse
    await send('reuse-2');
    await send('reuse-3');
    assert.equal(connects(), connectsAfterFirst, 'the later client sessions opened no upstream connection');
    assert.equal(rsets(), rsetsBefore + 1, 'a completed transaction needs no RSET (RFC 5321 §4.1.1.4)');
    assertNoneLost(upstream, accepted);
  });
});

describe('proxy with its upstream down at start', { timeout: 60_000 }, () => {
  it('answers 451 4.4.1 until the upstream comes up, then relays', async () => {
    const port = await freePort();
    const proxy = await startProxy(port);
    let upstream: ScriptedUpstream | null = null;
    try {
      const client = await proxyClient(proxy.smtpPort);
      try {
        const [mail, rcpt] = await envelope(client, 'sender@example.test', ['ok@up.test']);
        assert.equal(mail!.code, 250);
        assert.match(rcpt!.text, /^451 4\.4\.1 Upstream unavailable \(.*ECONNREFUSED.*\); try again later\r\n$/);
        assert.equal((await client.send('RSET')).code, 250);
        upstream = await startScriptedUpstream({ port });
        const [, again] = await envelope(client, 'sender@example.test', ['ok@up.test']);
        assert.equal(again!.code, 250);
        const { end } = await dataPhase(client, simpleMessage('after-outage'));
        assert.equal(end!.code, 250);
      } finally {
        client.close();
      }
      assertNoneLost(upstream, ['after-outage']);
    } finally {
      await proxy.stop();
      await upstream?.stop();
    }
  });
});

describe('proxy with --upstream-tls require and an upstream without STARTTLS', { timeout: 60_000 }, () => {
  it('refuses with 451 4.4.1 rather than send in plaintext', async () => {
    const upstream = await startScriptedUpstream();
    const proxy = await startProxy(upstream.port, ['--upstream-tls', 'require']);
    try {
      const client = await proxyClient(proxy.smtpPort);
      try {
        const [, rcpt] = await envelope(client, 'sender@example.test', ['ok@up.test']);
        assert.match(rcpt!.text, /^451 4\.4\.1 Upstream unavailable \(.*does not offer STARTTLS.*\)/);
      } finally {
        client.close();
      }
      assert.equal(upstream.messages().length, 0);
    } finally {
      await proxy.stop();
      await upstream.stop();
    }
  });
});
