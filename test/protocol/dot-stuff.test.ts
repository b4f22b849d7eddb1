/**
 * Dot-stuffing for sending (src/protocol/dot-stuff.ts; RFC 5321 §4.5.2, RFC 1939 §3). The
 * round trip through the DATA reader, over every chunking, is tested in test/smtp/data.test.ts;
 * these are the exact wire forms.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { dotStuff } from '../../src/protocol/dot-stuff.js';

const stuffed = (text: string): string => dotStuff(Buffer.from(text)).toString();

it('doubles a dot that starts a line, the first line included', () => {
  assert.equal(stuffed('.a\r\nb\r\n..c\r\nd.e\r\n'), '..a\r\nb\r\n...c\r\nd.e\r\n.\r\n');
  assert.equal(stuffed('.\r\n'), '..\r\n.\r\n', 'a lone dot line is not the end');
});

it('ends with CRLF "." CRLF, adding the CRLF a message lacks', () => {
  assert.equal(stuffed('no final newline'), 'no final newline\r\n.\r\n');
  assert.equal(stuffed('line\r\n'), 'line\r\n.\r\n');
  assert.equal(stuffed(''), '.\r\n', 'an empty body is just the terminator (an empty POP3 listing)');
});

it('stuffs after a bare LF too, as the receiving side would read it', () => {
  assert.equal(stuffed('a\n.b\r\n'), 'a\n..b\r\n.\r\n');
});
