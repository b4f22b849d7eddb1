/**
 * `tidemail proxy` in front of Postfix's smtp-sink: messages from concurrent client sessions all
 * arrive (smtp-sink's -d dumps), through the shared pool; an end of data the sink refuses (-f .)
 * or hangs up on (-q .) never reaches the client as a 250. (smtp-sink dumps what it received
 * whatever it answered, so the dumps prove arrival, not acceptance.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { simpleMessage } from '../helpers/smtp-client.js';
import { dataPhase, envelope, proxyClient, startProxy, startSmtpSink } from './helpers.js';

describe('proxy → smtp-sink', { timeout: 90_000 }, () => {
  it('delivers every message of 10 concurrent client sessions through a pool of 3 upstream connections', async () => {
    const sink = await startSmtpSink();
    const proxy = await startProxy(sink.port, ['--upstream-connections', '3']);
    try {
      const subjects = Array.from({ length: 10 }, (_, i) => `sink-${i}`);
      const replies = await Promise.all(
        subjects.map(async (subject) => {
          const client = await proxyClient(proxy.smtpPort);
          try {
            const [mail, rcpt] = await envelope(client, 'sender@example.test', [`${subject}@sink.test`]);
            assert.equal(mail!.code, 250);
            assert.match(rcpt!.text, /^250 2\.1\.5 upstream: Ok\r\n$/);
            return (await dataPhase(client, simpleMessage(subject))).end!;
          } finally {
            client.close();
          }
        }),
      );
      for (const reply of replies) assert.match(reply.text, /^250 2\.0\.0 OK: queued as \w+; upstream: Ok\r\n$/);
      // smtp-sink writes its dump file (with LF line ends) as the transaction ends, not necessarily before its reply
      const dumps = await eventually(async () => (sink.dumps().length >= subjects.length ? sink.dumps() : null), 'the dumps');
      for (const subject of subjects) assert.equal(dumps.filter((d) => d.includes(`Subject: ${subject}\n`)).length, 1, `${subject} arrived once`);
    } finally {
      await proxy.stop();
      await sink.stop();
    }
  });

  for (const [flag, expected] of [
    ['-f', /^5\d\d 5\.\d\.\d upstream: /],
    ['-q', /^451 4\.4\.1 Upstream unavailable \(end of data: .+\); try again later\r\n$/],
  ] as const) {
    it(`never answers 250 when smtp-sink ${flag === '-f' ? 'refuses' : 'hangs up at'} the end of data (${flag} .)`, async () => {
      const sink = await startSmtpSink([flag, '.']);
      const proxy = await startProxy(sink.port);
      try {
        const client = await proxyClient(proxy.smtpPort);
        try {
          await envelope(client, 'sender@example.test', ['someone@sink.test']);
          const { end } = await dataPhase(client, simpleMessage('not acknowledged'));
          assert.match(end!.text, expected);
        } finally {
          client.close();
        }
      } finally {
        await proxy.stop();
        await sink.stop();
      }
    });
  }
});
