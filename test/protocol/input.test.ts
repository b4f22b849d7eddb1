/**
 * Line framing shared by SMTP, POP3 and IMAP (src/protocol/input.ts): a line ends only at CRLF
 * (RFC 5321 §2.3.8); a bare CR or a bare LF never ends a command, and the line carrying one is
 * refused whole; an over-long line is reported once and skipped to its end; exact byte counts
 * and the whole buffer are handed out for literals and DATA.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputBuffer, type LineResult, type TextLineResult } from '../../src/protocol/input.js';

const MAX = 16;

/** Feed `chunks`, then read lines until more input is needed. */
function lines(chunks: Array<string | Buffer>, max = MAX): Array<string | LineResult['kind']> {
  const input = new InputBuffer();
  for (const chunk of chunks) input.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, 'latin1'));
  const out: Array<string | LineResult['kind']> = [];
  for (let r = input.readLine(max); r; r = input.readLine(max)) out.push(r.kind === 'line' ? r.line.toString('latin1') : r.kind);
  return out;
}

describe('InputBuffer lines', () => {
  it('splits on CRLF only, across any chunking, and waits for the end of a line', () => {
    assert.deepEqual(lines(['HELO a\r\nNOOP\r\n', 'QU', 'IT\r', '\n', 'RSET']), ['HELO a', 'NOOP', 'QUIT']);
    assert.deepEqual(lines(['\r\n\r\n']), ['', '']);
    const text = 'EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n';
    for (let size = 1; size <= 4; size++) {
      const chunks: string[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      assert.deepEqual(lines(chunks, 64), ['EHLO x', 'MAIL FROM:<a@b>', 'RCPT TO:<c@d>'], `chunks of ${size}`);
    }
  });

  it('refuses a line ended by a bare LF, or holding a bare CR, whole, and goes on after its LF', () => {
    assert.deepEqual(lines(['USER x\nSTAT\r\n']), ['bare-newline', 'STAT']);
    assert.deepEqual(lines(['\nNOOP\r\n']), ['bare-newline', 'NOOP']);
    assert.deepEqual(lines(['MAIL\rRCPT\r\nNOOP\r\n']), ['bare-newline', 'NOOP']);
    assert.deepEqual(lines(['A\r\rB\r\n']), ['bare-newline']);
    // A CR waiting for its LF in the next chunk is not bare.
    assert.deepEqual(lines(['NOOP\r', '\nQUIT\r\n']), ['NOOP', 'QUIT']);
  });

  it('reports an over-long line once, skips it to its LF, and takes the next line', () => {
    const long = 'x'.repeat(MAX + 1);
    assert.deepEqual(lines([`${long}\r\nNOOP\r\n`]), ['too-long', 'NOOP']);
    assert.deepEqual(lines([long, 'y'.repeat(100), 'z\r\nNOOP\r\n']), ['too-long', 'NOOP'], 'reported as soon as it cannot fit, not again');
    assert.deepEqual(lines(['x'.repeat(MAX), '\r\n']), ['x'.repeat(MAX)], 'exactly the cap fits');
  });

  it('readTextLine decodes UTF-8 and reports invalid UTF-8 instead of replacing it', () => {
    const input = new InputBuffer();
    input.push(Buffer.concat([Buffer.from('RCPT TO:<jörg@x>\r\nUSER '), Buffer.from([0xff, 0xfe]), Buffer.from('\r\nNOOP\r\n')]));
    const read = (): TextLineResult | null => input.readTextLine(64);
    assert.deepEqual(read(), { kind: 'line', text: 'RCPT TO:<jörg@x>' });
    assert.deepEqual(read(), { kind: 'bad-utf8' });
    assert.deepEqual(read(), { kind: 'line', text: 'NOOP' });
    assert.equal(read(), null);
  });
});

describe('InputBuffer bytes', () => {
  it('readBytes hands out exactly n bytes once they are all there, then lines go on', () => {
    const input = new InputBuffer();
    input.push(Buffer.from('ab'));
    assert.equal(input.readBytes(5), null);
    input.push(Buffer.from('c\r\nde'));
    assert.equal(input.size, 7);
    assert.deepEqual(input.readBytes(5), Buffer.from('abc\r\n'), 'CRLF inside a literal is data');
    input.push(Buffer.from(' x\r\n'));
    const line = input.readLine(MAX);
    assert.deepEqual(line && line.kind === 'line' ? line.line.toString() : line, 'de x');
    assert.equal(input.size, 0);
  });

  it('readBytes copies: later input does not change what was handed out', () => {
    const input = new InputBuffer();
    const chunk = Buffer.from('abcdef');
    input.push(chunk);
    const got = input.readBytes(3)!;
    chunk.fill(0x7a);
    assert.equal(got.toString(), 'abc');
  });

  it('takeAll empties the buffer; discard also forgets a line being skipped', () => {
    const input = new InputBuffer();
    input.push(Buffer.from('one'));
    input.push(Buffer.from('two'));
    assert.equal(input.takeAll().toString(), 'onetwo');
    assert.equal(input.size, 0);
    input.push(Buffer.from('x'.repeat(MAX + 5)));
    assert.deepEqual(input.readLine(MAX), { kind: 'too-long' });
    input.discard();
    input.push(Buffer.from('NOOP\r\n'));
    const line = input.readLine(MAX);
    assert.equal(line?.kind === 'line' ? line.line.toString() : line?.kind, 'NOOP', 'not swallowed as the rest of the long line');
  });
});
