/**
 * DATA framing: any body survives dot-stuffing byte for byte, however the bytes are chunked on
 * the wire (property test with a seeded generator, so a failure can be replayed), and the
 * smuggling variants of 2023 leave no second message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dotStuff } from '../../src/protocol/dot-stuff.js';
import { DataReader } from '../../src/smtp/data.js';
import { committedMessages, withoutTrace } from '../helpers/disk.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient } from '../helpers/smtp-client.js';

/** Mulberry32: small, seeded, good enough to spread cases. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A CRLF-clean body made of lines that love dots: '.', '..', '.\r\n' look-alikes, empty lines. */
function randomBody(random: () => number): Buffer {
  const pieces = ['.', '..', '...', '. ', 'x.', '.x', '', 'text', '\u00e9t\u00e9', '\u0000\u0001', ' .', '.\t'];
  const lines: string[] = [];
  const count = Math.floor(random() * 30);
  for (let i = 0; i < count; i++) {
    let line = '';
    const parts = Math.floor(random() * 4);
    for (let j = 0; j < parts; j++) line += pieces[Math.floor(random() * pieces.length)];
    lines.push(line);
  }
  const body = lines.join('\r\n');
  return Buffer.from(random() < 0.7 && count > 0 ? `${body}\r\n` : body);
}

function feedInChunks(reader: DataReader, wire: Buffer, random: () => number) {
  let p = 0;
  while (p < wire.length) {
    const size = 1 + Math.floor(random() * 7);
    const result = reader.feed(wire.subarray(p, p + size));
    p += size;
    if (result) return { result, consumed: p - result.rest.length };
  }
  return null;
}

describe('DATA framing', () => {
  it('round-trips any body through dotStuff and DataReader, whatever the chunking (2,000 cases)', () => {
    const random = rng(20261121);
    for (let i = 0; i < 2000; i++) {
      const body = randomBody(random);
      const wire = Buffer.concat([dotStuff(body), Buffer.from('NEXT\r\n')]);
      const done = feedInChunks(new DataReader(1 << 20), wire, random);
      assert.ok(done, `case ${i}: end of data found`);
      assert.equal(done.result.outcome, 'complete', `case ${i}`);
      const expected = body.length === 0 || body.subarray(-2).toString() === '\r\n' ? body : Buffer.concat([body, Buffer.from('\r\n')]);
      assert.deepEqual(Buffer.concat(done.result.segments), expected, `case ${i}: ${JSON.stringify(body.toString())}`);
      assert.equal(Buffer.concat([wire.subarray(done.consumed), done.result.rest]).toString().startsWith('NEXT'), true);
    }
  });

  it('counts size as it streams and reports too-big only at the real end', () => {
    const reader = new DataReader(100);
    assert.equal(reader.feed(Buffer.from(`${'x'.repeat(98)}\r\n`)), null);
    assert.equal(reader.feed(Buffer.from('more\r\n')), null);
    const result = reader.feed(Buffer.from('.\r\nQUIT\r\n'));
    assert.equal(result?.outcome, 'too-big');
    assert.equal(result?.rest.toString(), 'QUIT\r\n');
  });

  for (const [name, variant] of [
    ['<LF>.<LF>', '\n.\n'],
    ['<CR>.<CR>', '\r.\r'],
    ['<LF>.<CRLF>', '\n.\r\n'],
    ['<CRLF>.<LF>', '\r\n.\n'],
    ['<CR><LF>.<LF>', '\r\n.\n'],
    ['<CR>.<CRLF>', '\r.\r\n'],
    ['<CRLF>.<CR>', '\r\n.\r'],
    ['<LF>.<CR>', '\n.\r'],
  ] as const) {
    it(`never ends DATA at ${name} and refuses the message that carries it`, () => {
      const smuggled = `Subject: outer\r\n\r\nhello${variant}MAIL FROM:<evil@x>\r\nRCPT TO:<victim@x>\r\nDATA\r\nSubject: smuggled\r\n\r\nbad\r\n.\r\nQUIT\r\n`;
      const result = new DataReader(1 << 20).feed(Buffer.from(smuggled));
      assert.equal(result?.outcome, 'bare-newline');
      assert.equal(result?.rest.toString(), 'QUIT\r\n', 'the first real <CRLF>.<CRLF> ends it; the smuggled commands were data');
    });
  }
});

describe('SMTP smuggling over a real socket', () => {
  let server: TestServer;
  before(async () => (server = await startServer()));
  after(async () => {
    await server.dispose();
  });

  for (const [name, variant] of [
    ['<LF>.<LF>', '\n.\n'],
    ['<CR>.<CR>', '\r.\r'],
    ['<LF>.<CRLF>', '\n.\r\n'],
    ['<CR><LF>.<LF>', '\r\n.\n'],
    ['<CR>.<CRLF>', '\r.\r\n'],
  ] as const) {
    it(`${name} leaves no extra message`, async () => {
      const inbox = `victim${name.replace(/\W/g, '').toLowerCase()}`;
      const { client } = await RawSmtpClient.open(server.smtpPort);
      await client.send('EHLO attacker.test');
      await client.send('MAIL FROM:<outer@attacker.test>');
      await client.send(`RCPT TO:<${inbox}@tidemail.test>`);
      assert.equal((await client.send('DATA')).code, 354);
      client.write(
        `Subject: outer\r\n\r\nhello${variant}MAIL FROM:<admin@bank.test>\r\nRCPT TO:<${inbox}@tidemail.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nsend money\r\n.\r\n`,
      );
      const reply = await client.reply();
      assert.match(reply.text, /^550 5\.5\.2/, 'the message carrying a bare newline is refused');
      assert.equal((await client.send('NOOP')).code, 250, 'and the session is in sync: the smuggled commands were never run');
      client.close();
      assert.equal(committedMessages(server.dataDir, inbox).length, 0, 'nothing stored: no outer message, no smuggled one');
    });
  }

  it('stores a body full of dots byte for byte', async () => {
    const random = rng(7);
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO c.test');
    for (let i = 0; i < 25; i++) {
      const body = Buffer.concat([Buffer.from(`Subject: dots ${i}\r\n\r\n`), randomBody(random), Buffer.from('\r\n')]);
      await client.send('MAIL FROM:<a@b.test>');
      await client.send('RCPT TO:<dots@tidemail.test>');
      assert.equal((await client.send('DATA')).code, 354);
      client.write(dotStuff(body));
      assert.equal((await client.reply()).code, 250);
      const stored = committedMessages(server.dataDir, 'dots').at(-1)!;
      assert.deepEqual(withoutTrace(stored.raw), body);
    }
    client.close();
  });
});
