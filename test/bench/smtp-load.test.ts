/**
 * The SMTP load generator against the real server over real sockets: both modes deliver
 * exactly the messages they are allowed, every one answered 250 and listed in the right inbox
 * spread, with no errors; and a server that refuses is counted as errors, not hidden.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { runSmtpCell } from '../../bench/smtp/load.js';
import { startServer } from '../helpers/server.js';

test('per-connection and persistent sessions deliver exactly the bounded count, without errors', async () => {
  const server = await startServer({ args: ['--max-per-inbox', '0'] });
  try {
    for (const mode of ['per-connection', 'persistent'] as const) {
      const result = await runSmtpCell({
        host: '127.0.0.1', port: server.smtpPort, serverPid: server.process.pid!, mode, sizeBytes: 4096, sessions: 3,
        warmupMs: 0, durationMs: 20_000, maxMessages: 12, inboxPrefix: `t-${mode}-`, inboxCount: 4,
      });
      assert.equal(result.errors, 0, result.errorSamples.join('; '));
      assert.equal(result.accepted, 12);
      assert.equal(result.latency.count, 12);
      assert.ok(result.latency.p50Ms! > 0);
    }
  } finally {
    await server.dispose();
  }
});

test('a server that answers 554 to the greeting is counted as errors', async () => {
  const refuser = net.createServer((socket) => socket.end('554 5.3.2 go away\r\n'));
  await new Promise<void>((resolve) => refuser.listen(0, '127.0.0.1', resolve));
  try {
    const result = await runSmtpCell({
      host: '127.0.0.1', port: (refuser.address() as net.AddressInfo).port, serverPid: null, mode: 'per-connection', sizeBytes: 1024,
      // The window closes as soon as the few attempts allowed are done: a generous duration costs
      // nothing, and a loaded machine can no longer close it before the first attempt is made.
      sessions: 1, warmupMs: 0, durationMs: 20_000, maxMessages: 5, inboxPrefix: 'x', inboxCount: 1,
    });
    assert.equal(result.accepted, 0);
    assert.ok(result.errors > 0);
    assert.match(result.errorSamples[0]!, /expected 220, got 554/);
  } finally {
    refuser.close();
  }
});
