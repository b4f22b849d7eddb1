/**
 * The upstream reply framing (src/proxy/reply-reader.ts): the answers to a pipelined group in
 * one chunk come out as as many replies, in order; a reply split anywhere waits for its end;
 * what is not a reply is refused rather than taken for one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseExtensions, ReplyReader, type UpstreamReply } from '../../src/proxy/reply-reader.js';

function read(...chunks: string[]): UpstreamReply[] {
  const reader = new ReplyReader();
  const out: UpstreamReply[] = [];
  for (const chunk of chunks) reader.push(Buffer.from(chunk, 'utf8'), out);
  return out;
}

describe('upstream reply framing', () => {
  it('frames every reply of a pipelined group that arrives in one chunk, in order', () => {
    assert.deepEqual(read('250 2.1.0 Ok\r\n550 5.1.1 No such user\r\n354 End data\r\n'), [
      { code: 250, enhanced: '2.1.0', text: 'Ok' },
      { code: 550, enhanced: '5.1.1', text: 'No such user' },
      { code: 354, enhanced: '', text: 'End data' },
    ]);
  });

  it('waits for the end of a reply split across chunks, mid-line and between the lines of a multi-line one', () => {
    assert.deepEqual(read('250-up.test\r\n250-PIPE', 'LINING\r', '\n250 SIZE 1000\r\n'), [{ code: 250, enhanced: '', text: 'up.test\nPIPELINING\nSIZE 1000' }]);
    assert.deepEqual(read('25', '0'), [], 'no reply before its line ends');
  });

  it('takes a bare code as a whole reply (RFC 5321 §4.2.1) and keeps UTF-8 text', () => {
    assert.deepEqual(read('250\r\n451 4.3.0 Boîte pleine\r\n'), [
      { code: 250, enhanced: '', text: '' },
      { code: 451, enhanced: '4.3.0', text: 'Boîte pleine' },
    ]);
  });

  it('refuses what is not an SMTP reply', () => {
    assert.throws(() => read('hello there\r\n'), /not an SMTP reply/);
    assert.throws(() => read('250-a\r\n220 b\r\n199 x\r\n'), /not an SMTP reply/);
    assert.throws(() => read('250 '.padEnd(10_000, 'x')), /longer than/);
  });

  it('reads the EHLO keywords the proxy acts on', () => {
    const [ehlo] = read('250-up.test\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 SMTPUTF8\r\n');
    assert.deepEqual(parseExtensions(ehlo!), { sizeBytes: 1000, eightBitMime: true, smtputf8: true, startTls: true, pipelining: true });
    assert.deepEqual(parseExtensions(read('250-up.test\r\n250 SIZE\r\n')[0]!), { sizeBytes: 0, eightBitMime: false, smtputf8: false, startTls: false, pipelining: false });
    assert.equal(parseExtensions(null).pipelining, false, 'after HELO: nothing advertised');
  });
});
