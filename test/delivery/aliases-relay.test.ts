/**
 * Aliases that forward elsewhere go through the RelayQueue (an in-process server with a fake
 * queue, test/smtp/submission-fakes.ts): from any client, since the alias's owner chose the
 * forward, with the original envelope sender; mixed with local targets, each once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';
import { startHarness, type Harness } from '../smtp/submission-fakes.js';

describe('relayed aliases', () => {
  let h: Harness;
  before(async () => (h = await startHarness({ aliases: 'fwd: joe@elsewhere.example, ann\nboth: fwd, Joe@elsewhere.example, other@far.example\n' })));
  after(() => h.close());

  it('queues the forward for a client that may not relay itself, and stores the local part', async () => {
    const { client } = await RawSmtpClient.open(h.smtpPort, '127.0.0.5');
    await client.send('EHLO mx.example');
    assert.match((await sendMail(client, 'news@sender.example', ['fwd@ours.test', 'both@ours.test'], simpleMessage('forward me'))).text, /^250/);
    client.close();
    assert.equal(h.queue.enqueued.length, 1);
    const queued = h.queue.enqueued[0]!;
    assert.deepEqual(queued.recipients, ['joe@elsewhere.example', 'other@far.example'], 'each final address once, whatever its case');
    assert.equal(queued.origin, 'alias');
    assert.equal(queued.mailFrom, 'news@sender.example');
    assert.deepEqual(h.store.appended.map((m) => m.inboxes), [['ann']]);
  });
});
