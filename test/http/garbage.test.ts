/**
 * Nothing an HTTP client sends crashes the server: malformed request lines, unknown methods,
 * bad percent-encoding, path tricks, huge headers and bodies, and clients that hang up
 * mid-request each get a clear error (or a closed socket), and the server keeps serving.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';

let t: HttpTestServer;
before(async () => (t = await startHttpTestServer()));
after(() => t.stop());

/** Send raw bytes, return everything the server answers until it closes (or 3 s pass). */
function raw(bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(t.httpPort, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(answer));
    setTimeout(() => socket.destroy(), 3000).unref();
  });
}

const status = (answer: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

async function stillServing(): Promise<void> {
  const health = await getJson<{ status: string }>(`${t.base}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(t.server.process.exitCode, null, 'the process is alive');
}

test('malformed request lines and unknown methods get 400', async () => {
  for (const request of ['GARBAGE\r\n\r\n', 'BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n', 'GET\r\n\r\n', '\x00\x01\x02\x03\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n']) {
    const answer = await raw(request);
    assert.ok([400, 505].includes(status(answer)) || answer === '', `${JSON.stringify(request)} → ${answer.slice(0, 60)}`);
  }
  const bad = await raw('GET /api/v1/x HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
  assert.equal(status(bad), 400);
  assert.match(bad, /"error":\{"code":"bad_request"/);
  await stillServing();
});

test('known methods on the wrong path are 405 or 404, never a crash', async () => {
  for (const method of ['POST', 'PUT', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT']) {
    const target = method === 'CONNECT' ? 'localhost:80' : '/api/v1/messages/1';
    const answer = await raw(`${method} ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    assert.ok([400, 404, 405].includes(status(answer)), `${method} → ${answer.slice(0, 80)}`);
  }
  await stillServing();
});

test('bad percent-encoding, path tricks and odd targets', async () => {
  const cases: Array<[string, number[]]> = [
    ['/api/v1/inboxes/%E0%A4%A/messages', [400]],
    ['/api/v1/inboxes/%FF/messages', [400]],
    ['/api/v1/messages/%00', [400]],
    ['/api/v1/messages/99999999999999999999', [400]],
    ['/api/v1/inboxes/../../../etc/passwd', [404]],
    ['//evil.example/api/v1/search', [404]],
    ['/assets/../../package.json', [404]],
    ['*', [400]],
    ['http://127.0.0.1/healthz', [200]],
    ['/api/v1/search?q=%ZZ%&inbox=', [200]],
    [`/api/v1/search?q=${'%22'.repeat(400)}*OR%20NEAR(%22%22`, [200]],
    [`/api/v1/search?q=${'"'.repeat(10)}`, [200]],
    ['/api/v1/inboxes/%F0%9F%8C%8A/messages', [200]],
  ];
  for (const [target, expected] of cases) {
    const answer = await raw(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.ok(expected.includes(status(answer)), `${target} → ${answer.slice(0, 120)}`);
    if (status(answer) >= 400) assert.match(answer, /\{"error":\{"code":"[a-z_]+","message":"/);
  }
  await stillServing();
});

test('huge headers get 431, a huge URL too; a huge body 413', async () => {
  assert.equal(status(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(100_000)}\r\n\r\n`)), 431);
  assert.equal(status(await raw(`GET /${'a'.repeat(50_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)), 431);
  const many = Array.from({ length: 3000 }, (_, i) => `X-H${i}: v`).join('\r\n');
  assert.equal(status(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\n${many}\r\n\r\n`)), 431);
  const body = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\nabc`);
  assert.equal(status(body), 413);
  assert.match(body, /"code":"payload_too_large"/);
  const chunked = await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n${'10000\r\n' + 'x'.repeat(0x10000) + '\r\n'}${'10000\r\n' + 'x'.repeat(0x10000) + '\r\n'}0\r\n\r\n`);
  assert.equal(status(chunked), 413);
  await stillServing();
});

test('clients that hang up mid-request, or send half a request and stop, do not hurt', async () => {
  // Each hangs up once its bytes are handed to the connection: TCP delivers them to the server
  // before the hang-up, so the server is mid-request (or waiting) when each client goes.
  const sockets = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      new Promise<net.Socket>((resolve) => {
        const socket = net.connect(t.httpPort, '127.0.0.1', () => {
          socket.write(i % 2 ? 'GET /api/v1/inboxes/x/wait?timeout=60 HTTP/1.1\r\nHost: x\r\n\r\n' : 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Partial: ', () => resolve(socket));
        });
        socket.on('error', () => {});
      }),
    ),
  );
  for (const socket of sockets) socket.destroy();
  // Pipelined requests on one connection are answered in order.
  const pipelined = await raw('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/messages/0 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.deepEqual([...pipelined.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1])), [200, 400]);
  await stillServing();
});
