/**
 * `tidemail proxy` in front of another Tidemail (test/helpers/server.ts), which offers STARTTLS
 * and scripts refusals with its magic addresses (the proxy runs with --magic-addresses off, so
 * they reach the upstream). The message arrives upstream byte for byte over TLS; the upstream's
 * refusals reach the client; --keep-copy stores exactly what the upstream accepted.
 */
import { eventually } from '../helpers/eventually.js';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { simpleMessage } from '../helpers/smtp-client.js';
import { dataPhase, envelope, proxyClient, startProxy, type RunningProxy } from './helpers.js';

interface Listing {
  total: number;
  messages: { id: number; subject: string | null }[];
}

async function rawOf(httpPort: number, inbox: string, subject: string): Promise<string | null> {
  const { body } = await getJson<Listing>(`http://127.0.0.1:${httpPort}/api/v1/inboxes/${inbox}/messages`);
  const found = body.messages.find((m) => m.subject === subject);
  if (!found) return null;
  return (await fetch(`http://127.0.0.1:${httpPort}/api/v1/messages/${found.id}/raw`)).text();
}

describe('proxy → another Tidemail, STARTTLS required, --keep-copy', { timeout: 90_000 }, () => {
  let upstream: TestServer;
  let proxy: RunningProxy;

  before(async () => {
    upstream = await startServer({ expect: ['smtp', 'http'], args: ['--domains', 'up.test', '--max-message-size', '64KiB'] });
    proxy = await startProxy(upstream.smtpPort, ['--upstream-tls', 'require', '--magic-addresses', 'off', '--keep-copy']);
  });
  after(async () => {
    await proxy?.stop();
    await upstream?.dispose();
  });

  it('delivers a message upstream over TLS byte for byte, answered with both queue ids, and keeps a copy', async () => {
    const original = simpleMessage('through the proxy', 'Line one.\r\n.Line with a leading dot.\r\n\r\nCaf\u00e9 8-bit: \u00fc', 'bob@up.test');
    const client = await proxyClient(proxy.smtpPort);
    try {
      const [mail, rcpt] = await envelope(client, 'sender@example.test', ['bob@up.test']);
      assert.equal(mail!.code, 250);
      assert.match(rcpt!.text, /^250 2\.1\.5 upstream: Recipient OK\r\n$/);
      const { end } = await dataPhase(client, original);
      assert.match(end!.text, /^250 2\.0\.0 OK: queued as (\w+); upstream: OK: queued as (\w+)\r\n$/);
    } finally {
      client.close();
    }
    // Both stores show a message once it is parsed, a moment after its 250.
    const raw = await eventually(() => rawOf(upstream.ports.http!, 'bob', 'through the proxy'), 'the message upstream');
    assert.ok(raw, 'the message is upstream');
    const [theirs, ours] = raw.split(/\r\n(?=\S)/, 2); // the first two header fields, each with its folded lines
    assert.match(theirs!, /^Received: from .* with ESMTPS id /s, 'the upstream received it over TLS');
    assert.match(ours!, /^Received: from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby .* \(Tidemail\) with ESMTP id /);
    assert.ok(raw.endsWith(original), 'the message itself is unchanged');
    const copy = await eventually(() => rawOf(proxy.httpPort!, 'bob', 'through the proxy'), 'the kept copy');
    assert.ok(copy?.endsWith(original), '--keep-copy stored what the upstream accepted');
  });

  it("relays the upstream's refusals at RCPT and at the end of DATA, and keeps no copy of a refused message", async () => {
    const client = await proxyClient(proxy.smtpPort);
    try {
      const [, foreign, refusedLater] = await envelope(client, 'sender@example.test', ['someone@elsewhere.test', 'data-554-x@up.test']);
      assert.match(foreign!.text, /^550 5\.7\.1 upstream: Relaying denied: we do not accept mail for that domain\r\n$/);
      assert.equal(refusedLater!.code, 250);
      const { end } = await dataPhase(client, simpleMessage('refused upstream', 'Body.', 'data-554-x@up.test'));
      assert.match(end!.text, /^554 5\.6\.0 upstream: Message refused, as a magic recipient asks\r\n$/);
      const [, deferred] = await envelope(client, 'sender@example.test', ['rcpt-451-y@up.test']);
      assert.match(deferred!.text, /^451 4\.3\.0 upstream: Recipient deferred/);
    } finally {
      client.close();
    }
    assert.equal(await rawOf(proxy.httpPort!, 'data-554-x', 'refused upstream'), null);
  });

  it("advertises the upstream's SIZE as its own, and Python's smtplib sends through it", async () => {
    const script = `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20)
s.ehlo('python.example')
print(s.esmtp_features.get('size'))
refused = s.sendmail('py@example.test', ['carol@up.test', 'rcpt-550-z@up.test'], b'Subject: from smtplib\\r\\n\\r\\nHello.\\r\\n')
print(sorted(refused.items()))
s.quit()
`;
    const run = spawnSync('/usr/bin/python3', ['-c', script, String(proxy.smtpPort)], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, run.stderr);
    const [size, refused] = run.stdout.trim().split('\n');
    assert.equal(size, String(64 * 1024));
    assert.match(refused!, /rcpt-550-z@up\.test', \(550, b'5\.1\.1 upstream: No such user/);
    assert.ok(await eventually(() => rawOf(upstream.ports.http!, 'carol', 'from smtplib'), 'the smtplib message upstream'));
  });
});
