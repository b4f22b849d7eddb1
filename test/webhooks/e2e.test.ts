/**
 * Webhooks end to end: the real `tidemail serve` with --webhook and --webhook-secret, mail over
 * SMTP, a real receiver checking signatures. The payload's summary carries the message's code
 * and link, and its URLs (from the HTTP listener's address) answer; the deliveries API and
 * /metrics show it. A receiver that is down across a restart of Tidemail gets the event from
 * the restarted process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../helpers/http.js';
import { eventually } from '../helpers/eventually.js';
import { freshDataDir, removeDataDir, startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';
import { HookReceiver } from './receiver.js';

const SECRET = 'an end-to-end webhook secret';

async function deliver(server: TestServer, to: string, message: string): Promise<void> {
  const { client } = await RawSmtpClient.open(server.smtpPort);
  try {
    await client.send('EHLO test.example');
    const reply = await sendMail(client, 'shop@example.test', [to], message);
    assert.equal(reply.code, 250, reply.text);
    await client.send('QUIT');
  } finally {
    client.close();
  }
}

interface DeliveriesView {
  counts: Record<string, number>;
  deliveries: Array<{ state: string; attempts: number; lastStatus: number | null; lastError: string | null; lastLatencyMs: number | null; url: string; event: string }>;
}

describe('webhooks end to end', () => {
  let receiver: HookReceiver;
  let server: TestServer;

  before(async () => {
    receiver = await new HookReceiver(SECRET).listen();
    server = await startServer({ expect: ['smtp', 'http'], args: ['--webhook', receiver.url('/one'), '--webhook', `${receiver.url('/two')}?token=s3cret`, '--webhook-secret', SECRET] });
  });

  after(async () => {
    await server.dispose();
    await receiver.close();
  });

  it('posts a signed message.received to every --webhook with the code, the link and URLs that answer', async () => {
    await deliver(server, 'joe@tidemail.test', simpleMessage('Your code is 482913', 'Confirm at https://shop.example.test/confirm?t=abc\r\nCode: 482913', 'joe@tidemail.test'));
    const hooks = await receiver.requests(2);
    assert.deepEqual(hooks.map((h) => h.path).sort(), ['/one', '/two?token=s3cret']);
    for (const hook of hooks) {
      assert.ok(hook.signatureValid, 'signed with --webhook-secret');
      assert.equal(hook.json.type, 'message.received');
      assert.equal(hook.json.data.inbox, 'joe');
      assert.deepEqual(hook.json.data.codes, ['482913']);
      assert.ok((hook.json.data.links as string[]).includes('https://shop.example.test/confirm?t=abc'));
    }
    assert.notEqual(hooks[0]!.id, hooks[1]!.id, 'one webhook-id per endpoint');
    const urls = hooks[0]!.json.data.urls as Record<string, string>;
    assert.equal(urls.json, `http://127.0.0.1:${server.ports.http}/api/v1/messages/${hooks[0]!.json.data.id}`);
    const raw = await fetch(urls.raw!);
    assert.equal(raw.status, 200);
    assert.match(await raw.text(), /Subject: Your code is 482913/);
    assert.equal((await fetch(urls.html!)).status, 200);

    const view = await eventually(async () => {
      const r = await getJson<DeliveriesView>(`http://127.0.0.1:${server.ports.http}/api/v1/webhooks/deliveries`);
      return r.body.counts.delivered === 2 ? r.body : null;
    }, 'both deliveries marked delivered');
    assert.ok(view.deliveries.every((d) => d.state === 'delivered' && d.attempts === 1 && d.lastStatus === 200 && d.lastLatencyMs !== null));
    assert.ok(view.deliveries.some((d) => d.url.endsWith('/two?…')), 'the query string (a token) is not shown');
    const metrics = await (await fetch(`http://127.0.0.1:${server.ports.http}/metrics`)).text();
    assert.match(metrics, /tidemail_webhook_attempts_total\{outcome="delivered"\} 2/);
    assert.match(metrics, /tidemail_webhook_deliveries\{state="delivered"\} 2/);
  });
});

describe('webhooks across a restart', () => {
  it('a receiver down while Tidemail restarts still gets the event, from the restarted process', async () => {
    const probe = await new HookReceiver(SECRET).listen();
    const port = probe.port;
    await probe.close();
    const dataDir = freshDataDir();
    const args = ['--webhook', `http://127.0.0.1:${port}/hook`, '--webhook-secret', SECRET];
    let server = await startServer({ expect: ['smtp', 'http'], dataDir, args });
    let receiver: HookReceiver | null = null;
    try {
      await deliver(server, 'restart@tidemail.test', simpleMessage('Survives a restart', 'body', 'restart@tidemail.test'));
      const base = `http://127.0.0.1:${server.ports.http}`;
      const failed = await eventually(async () => {
        const r = await getJson<DeliveriesView>(`${base}/api/v1/webhooks/deliveries`);
        return r.body.deliveries[0]?.lastError ? r.body.deliveries[0] : null;
      }, 'the first attempt to fail');
      assert.equal(failed.state, 'pending');
      assert.equal(failed.lastError, 'ECONNREFUSED');
      assert.equal(await server.stop(), 0);

      receiver = await new HookReceiver(SECRET).listen(port);
      server = await startServer({ expect: ['smtp', 'http'], dataDir, args });
      const [hook] = await receiver.requests(1, 30_000);
      assert.ok(hook!.signatureValid);
      assert.equal(hook!.json.data.subject, 'Survives a restart');
    } finally {
      await server.stop();
      await receiver?.close();
      removeDataDir(dataDir);
    }
  });
});

describe('webhooks across a crash', () => {
  it('an event whose 250 was sent survives a kill -9 right after it, and is delivered by the next process', async () => {
    const probe = await new HookReceiver(SECRET).listen();
    const port = probe.port;
    await probe.close();
    const dataDir = freshDataDir();
    const args = ['--webhook', `http://127.0.0.1:${port}/hook`, '--webhook-secret', SECRET];
    let server = await startServer({ expect: ['smtp', 'http'], dataDir, args });
    let receiver: HookReceiver | null = null;
    try {
      await deliver(server, 'crash@tidemail.test', simpleMessage('Acknowledged, then killed', 'body', 'crash@tidemail.test'));
      await server.kill();
      receiver = await new HookReceiver(SECRET).listen(port);
      server = await startServer({ expect: ['smtp', 'http'], dataDir, args });
      const [hook] = await receiver.requests(1, 30_000);
      assert.ok(hook!.signatureValid);
      assert.equal(hook!.json.data.subject, 'Acknowledged, then killed');
    } finally {
      await server.stop();
      await receiver?.close();
      removeDataDir(dataDir);
    }
  });
});
