/**
 * Protection: idle timeout, connection limits, STARTTLS injection (CVE-2011-0411), graceful
 * shutdown, and a failing store answering 451 instead of 250.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { StoreDelivery } from '../../src/delivery/ingest.js';
import { createLogger } from '../../src/log.js';
import { Metrics } from '../../src/metrics.js';
import { loadConfig } from '../../src/config.js';
import { loadTlsContext } from '../../src/protocol/tls.js';
import { startSmtpServer } from '../../src/smtp/server.js';
import type { Store } from '../../src/store/types.js';
import { committedMessages } from '../helpers/disk.js';
import { freshDataDir, removeDataDir, startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

/**
 * A slot is freed when the server sees the close, a moment after the client's: connect until
 * admitted. Each refusal is a 421 and a hang-up, so every attempt waits on the server, not a timer.
 */
async function openOnceAdmitted(port: number, timeoutMs = 10_000): Promise<Awaited<ReturnType<typeof RawSmtpClient.open>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const opened = await RawSmtpClient.open(port);
    if (opened.greeting.code !== 421 || Date.now() > deadline) return opened;
    await opened.client.closedByServer();
  }
}

describe('SMTP limits', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ args: ['--smtp-timeout', '1s', '--max-connections-per-ip', '3', '--max-connections', '3'] });
  });
  after(async () => {
    await server.dispose();
  });

  it('closes an idle session with 421 4.4.2', async () => {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    assert.match((await client.reply(5000)).text, /^421 4\.4\.2/);
    await client.closedByServer();
  });

  it('refuses connections beyond the limit with 421 4.7.0 and admits again when one closes', async () => {
    const held = await Promise.all([1, 2, 3].map(() => RawSmtpClient.open(server.smtpPort)));
    const refused = await RawSmtpClient.connect(server.smtpPort);
    assert.match((await refused.reply()).text, /^421 4\.7\.0/);
    await refused.closedByServer();
    held[0]!.client.close();
    const admitted = await openOnceAdmitted(server.smtpPort);
    assert.equal(admitted.greeting.code, 220);
    for (const { client } of [...held.slice(1), admitted]) client.close();
  });

});

describe('SMTP STARTTLS', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(async () => {
    await server.dispose();
  });

  it('discards plaintext pipelined behind STARTTLS and starts the session over', async () => {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO c.test');
    client.write('STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\nRCPT TO:<injected@tidemail.test>\r\n');
    assert.match((await client.reply()).text, /^220 2\.0\.0/);
    await client.startTls();
    assert.match((await client.send('RCPT TO:<after@tidemail.test>')).text, /^503 5\.5\.1/, 'no transaction survived the handshake: the injected MAIL was discarded');
    const ehlo = await client.send('EHLO c.test');
    assert.match(ehlo.text, /^250-/);
    assert.doesNotMatch(ehlo.text, /STARTTLS/, 'STARTTLS is not offered again inside TLS');
    assert.match((await client.send('STARTTLS')).text, /^503 5\.5\.1/);
    client.close();
  });
});

describe('SMTP shutdown', () => {
  it('lets a message in flight finish on SIGTERM, then says 421 and exits 0', async () => {
    const server = await startServer({ args: ['--log-level', 'info'] });
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO c.test');
    await client.send('MAIL FROM:<a@b.test>');
    await client.send('RCPT TO:<inflight@tidemail.test>');
    assert.equal((await client.send('DATA')).code, 354);
    client.write('Subject: in flight\r\n\r\nfirst half\r\n');
    const exited = server.stop();
    // The log line is written after the listeners were told to close (cli.ts, app.ts): from here on
    // the server is shutting down, with this transfer in flight.
    await server.logged(/"msg":"shutting down"/);
    client.write('second half\r\n.\r\n');
    assert.equal((await client.reply()).code, 250, 'the transfer in progress completes');
    assert.match((await client.reply()).text, /^421 4\.3\.2/);
    assert.equal(await exited, 0);
    assert.equal(committedMessages(server.dataDir, 'inflight').length, 1);
    removeDataDir(server.dataDir);
  });
});

describe('SMTP with a failing store', () => {
  it('answers 451 4.3.0, never 250, and the session goes on', async () => {
    const dataDir = freshDataDir();
    const config = loadConfig(['--smtp', '127.0.0.1:0', '--data', dataDir], {});
    const failing: Pick<Store, 'append'> = { append: () => Promise.reject(new Error('disk full')) };
    const server = await startSmtpServer({
      config,
      delivery: new StoreDelivery(failing, systemClock),
      tls: await loadTlsContext(null, dataDir, 'localhost'),
      log: createLogger('silent'),
      metrics: new Metrics(),
      clock: systemClock,
    });
    const { client } = await RawSmtpClient.open(server.address.port);
    await client.send('EHLO c.test');
    const r = await sendMail(client, 'a@b.test', ['x@tidemail.test'], simpleMessage('lost?'));
    assert.match(r.text, /^451 4\.3\.0/);
    assert.equal((await client.send('NOOP')).code, 250);
    client.close();
    await server.close(1000);
    removeDataDir(dataDir);
  });
});
