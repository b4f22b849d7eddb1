/**
 * The bench's pure parts that could silently skew its numbers: percentiles, the SMTP reply
 * reader (split and multi-line replies), the HTTP response reader (Content-Length, chunked,
 * bodiless statuses, split anywhere), the IMAP scanner (literals never mistaken for a tagged
 * completion), the /proc status parser, and the command line.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpResponseReader, type HttpResponse } from '../../bench/http/response.js';
import { ImapResponseScanner } from '../../bench/mailread/imap-scanner.js';
import { parseOptions, UsageError } from '../../bench/options.js';
import { messagePayload } from '../../bench/payloads.js';
import { parseStatusMemory } from '../../bench/proc.js';
import { ReplyReader, SmtpProtocolError, advertises, type SmtpReply } from '../../bench/smtp/replies.js';
import { percentile, summarize } from '../../bench/stats.js';

test('percentiles use the nearest rank and never invent a value', () => {
  const values = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  assert.equal(percentile(values, 50), 50);
  assert.equal(percentile(values, 99), 99);
  assert.equal(percentile(values, 100), 100);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([], 50), null);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99), 10);
  const summary = summarize([5, 1, 4, 2, 3]); // unsorted input
  assert.deepEqual([summary.p50Ms, summary.p99Ms, summary.maxMs, summary.meanMs, summary.count], [3, 5, 5, 3, 5]);
  assert.throws(() => percentile(values, 0), RangeError);
});

test('SMTP replies are read whole however the bytes are split', () => {
  const wire = Buffer.from('220 host ESMTP\r\n250-host greets you\r\n250-PIPELINING\r\n250-SIZE 10\r\n250 \r\n250 2.1.0 Ok\r\n354 go ahead\r\n');
  for (let cut = 1; cut < wire.length; cut++) {
    const reader = new ReplyReader();
    const out: SmtpReply[] = [];
    reader.push(wire.subarray(0, cut), out);
    reader.push(wire.subarray(cut), out);
    assert.deepEqual(out.map((r) => r.code), [220, 250, 250, 354], `cut at ${cut}`);
    assert.deepEqual(out[1]!.lines, ['host greets you', 'PIPELINING', 'SIZE 10', '']);
    assert.ok(advertises(out[1]!, 'pipelining'));
    assert.ok(!advertises(out[1]!, 'STARTTLS'));
  }
  const bare = new ReplyReader();
  const out: SmtpReply[] = [];
  bare.push(Buffer.from('221\r\n'), out);
  assert.deepEqual(out, [{ code: 221, lines: [''] }]);
  assert.throws(() => new ReplyReader().push(Buffer.from('hello\r\n'), []), SmtpProtocolError);
  assert.throws(() => new ReplyReader().push(Buffer.from('250-a\r\n251 b\r\n'), []), SmtpProtocolError);
});

function readAll(chunks: Buffer[]): HttpResponse[] {
  const reader = new HttpResponseReader();
  const out: HttpResponse[] = [];
  for (const chunk of chunks) reader.push(chunk, out);
  return out;
}

test('HTTP responses: Content-Length, chunked and 204, back to back and split byte by byte', () => {
  const wire = Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' +
      'HTTP/1.1 204 No Content\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: 1\r\n\r\n' +
      'HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}',
  );
  const whole = readAll([wire]);
  const split = readAll([...wire].map((byte) => Buffer.from([byte])));
  for (const out of [whole, split]) {
    assert.deepEqual(out.map((r) => [r.status, r.body.toString()]), [[200, 'hello'], [204, ''], [200, 'abcde'], [404, '{}']]);
  }
  assert.throws(() => readAll([Buffer.from('HTTP/1.1 200 OK\r\n\r\n')]), /neither Content-Length nor chunked/);
  assert.throws(() => readAll([Buffer.from('SSH-2.0\r\n\r\n')]), /bad status line/);
});

test('IMAP scanner skips literals, counts FETCH responses and finds the tagged completion', () => {
  const body = 'Subject: x\r\n\r\nf1 OK looks like a completion\r\n* 9 FETCH (fake)\r\n';
  const wire = Buffer.from(
    `* 1 FETCH (UID 1 BODY[] {${body.length}}\r\n${body})\r\n` +
      `* 2 FETCH (UID 2 BODY[] {${body.length}}\r\n${body})\r\n` +
      '* 3 EXISTS\r\nf1 OK UID FETCH completed\r\n',
  );
  for (const size of [wire.length, 7, 1]) {
    const scanner = new ImapResponseScanner();
    let done = null;
    for (let i = 0; i < wire.length && !done; i += size) done = scanner.push(wire.subarray(i, i + size), 'f1');
    assert.deepEqual(done, { tag: 'f1', status: 'OK', text: 'UID FETCH completed' });
    assert.equal(scanner.fetches, 2);
    assert.equal(scanner.literalBytes, 2 * body.length);
  }
});

test('/proc status memory lines are read in bytes', () => {
  const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t7\n';
  assert.deepEqual(parseStatusMemory(status), { rssBytes: 100 * 2 ** 20, peakRssBytes: 200 * 2 ** 20 });
});

test('message payloads have the asked size, end with the end-of-data line and need no dot-stuffing', () => {
  for (const size of [1024, 4096, 102400]) {
    const payload = messagePayload(size, 'bench').toString('latin1');
    assert.ok(payload.endsWith('\r\n.\r\n'));
    assert.equal(payload.length - 3, size);
    assert.ok(!/\r\n\./.test(payload.slice(0, -3)));
  }
});

test('the command line: profiles, --only, and clear errors', () => {
  const quick = parseOptions(['--quick', '--only', 'smtp,api']);
  assert.equal(quick.profile, 'quick');
  assert.deepEqual([...quick.cells], ['smtp', 'api']);
  const big = parseOptions(['--big']);
  assert.ok(big.timing.apiAt.includes(100_000) && big.timing.storeCheckpoints.includes(100_000));
  assert.ok(!parseOptions([]).cells.has('profile'));
  assert.ok(parseOptions(['--only=profile']).cells.has('profile'));
  assert.throws(() => parseOptions(['--only', 'smpt']), UsageError);
  assert.throws(() => parseOptions(['--fast']), UsageError);
});
