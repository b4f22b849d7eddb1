/**
 * Release end to end between two real Tidemail processes: A stores a message, the operator
 * releases it (POST /api/v1/messages/{id}/release, admin token) to an address at b.test, A finds
 * b.test's MX through the test DNS server and delivers to B listening on 127.0.0.20:25, B stores
 * it byte for byte (behind its own Received line). The queue API, the admin checks and /metrics
 * tell the story.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { eventually } from '../helpers/eventually.js';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { validate, type Schema } from '../helpers/json-schema.js';
import { simpleMessage } from '../helpers/smtp-client.js';

const TOKEN = 'relay-test-token';
let dns: TestDnsServer;
let a: HttpTestServer;
let b: HttpTestServer;

interface QueueDetail {
  id: number;
  origin: string;
  sourceId: number | null;
  mailFrom: string;
  recipients: { address: string; state: string; attempts: number; nextAttemptAt: string | null; attemptLog: { at: string; host: string; reply: string; outcome: string }[] }[];
}

before(async () => {
  dns = await startDnsServer({ 'b.test': { MX: [{ preference: 10, exchange: 'mx.b.test' }] }, 'mx.b.test': { A: ['127.0.0.20'] } });
  b = await startHttpTestServer(['--smtp', '127.0.0.20:25', '--hostname', 'mx.b.test']);
  a = await startHttpTestServer(['--dns-servers', dns.address, '--admin-token', TOKEN, '--hostname', 'relay-a.test', '--relay-timeout', '10s']);
});

after(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await dns?.close();
});

/** The body matches the schema OpenAPI gives for this operation and status. */
async function conforms(body: unknown, template: string, method: string, status: number): Promise<void> {
  const openapi = (await getJson<Schema>(`${a.base}/api/v1/openapi.json`)).body;
  const operation = (openapi.paths as Record<string, Record<string, { responses: Record<string, Schema> }>>)[template]?.[method];
  assert.ok(operation, `OpenAPI documents ${method} ${template}`);
  const schema = (operation.responses[String(status)]?.content as Record<string, { schema: Schema }> | undefined)?.['application/json']?.schema;
  assert.ok(schema, `OpenAPI documents ${status} for ${method} ${template}`);
  assert.deepEqual(validate(body, schema, openapi), [], `${method} ${template} matches its schema`);
}

const admin = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

async function storedId(server: HttpTestServer, inbox: string): Promise<number> {
  return eventually(async () => {
    const page = await getJson<{ messages: { id: number }[] }>(`${server.base}/api/v1/inboxes/${inbox}/messages`);
    return page.body.messages[0]?.id;
  }, `a message in ${inbox}`);
}

test('a released message is relayed through MX to another server, byte for byte, and the queue shows its delivery', async () => {
  await a.deliver('keep@a.test', simpleMessage('release me', 'Body line.\r\n.dot line', 'keep@a.test'));
  const id = await storedId(a, 'keep');
  const raw = Buffer.from(await (await fetch(`${a.base}/api/v1/messages/${id}/raw`)).arrayBuffer());

  const noToken = await fetch(`${a.base}/api/v1/messages/${id}/release`, { method: 'POST', body: '{"to":["dest@b.test"]}', headers: { 'content-type': 'application/json' } });
  assert.equal(noToken.status, 401);
  const wrong = await fetch(`${a.base}/api/v1/messages/${id}/release`, { method: 'POST', body: '{"to":["dest@b.test"]}', headers: { ...admin, authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 403);
  const bad = await getJson(`${a.base}/api/v1/messages/${id}/release`, { method: 'POST', body: '{"to":["not an address"]}', headers: admin });
  assert.equal(bad.status, 400);

  const released = await getJson<{ queueId: number; to: string[] }>(`${a.base}/api/v1/messages/${id}/release`, { method: 'POST', body: '{"to":["dest@b.test"]}', headers: admin });
  assert.equal(released.status, 202);
  assert.deepEqual(released.body.to, ['dest@b.test']);
  await conforms(released.body, '/api/v1/messages/{id}/release', 'post', 202);

  const delivered = await storedId(b, 'dest');
  const arrived = Buffer.from(await (await fetch(`${b.base}/api/v1/messages/${delivered}/raw`)).arrayBuffer());
  assert.ok(arrived.subarray(arrived.length - raw.length).equals(raw), 'B holds A\'s bytes unchanged after its own trace header');
  assert.match(arrived.toString('latin1', 0, 400), /^Received: from relay-a\.test /);

  const detail = await eventually(async () => {
    const r = await getJson<QueueDetail>(`${a.base}/api/v1/queue/${released.body.queueId}`);
    return r.body.recipients[0]?.state === 'delivered' ? r.body : null;
  }, 'the queue to record the delivery');
  await conforms(detail, '/api/v1/queue/{id}', 'get', 200);
  assert.equal(detail.origin, 'release');
  assert.equal(detail.sourceId, id);
  assert.equal(detail.mailFrom, 'sender@example.test');
  assert.equal(detail.recipients[0]!.attemptLog.length, 1);
  assert.match(detail.recipients[0]!.attemptLog[0]!.host, /^mx\.b\.test\[127\.0\.0\.20\]:25$/);
  assert.match(detail.recipients[0]!.attemptLog[0]!.reply, /^250 /);
  assert.equal(detail.recipients[0]!.nextAttemptAt, null);

  const list = await getJson<{ total: number; messages: { id: number }[] }>(`${a.base}/api/v1/queue`);
  assert.equal(list.status, 200);
  assert.ok(list.body.messages.some((m) => m.id === released.body.queueId));
  await conforms(list.body, '/api/v1/queue', 'get', 200);

  const metrics = await (await fetch(`${a.base}/metrics`)).text();
  assert.match(metrics, /^tidemail_relay_outcomes_total\{outcome="delivered"\} 1$/m);
  assert.match(metrics, /^tidemail_relay_attempts_total\{class="2xx"\} 1$/m);
  assert.match(metrics, /^tidemail_relay_queued_messages 0$/m);
  assert.match(metrics, /^tidemail_relay_recipients\{state="delivered"\} 1$/m);
  assert.match(metrics, /^tidemail_relay_oldest_message_age_seconds 0$/m);
});

test('retry and delete need the admin token; a deleted message is gone', async () => {
  const list = await getJson<{ messages: { id: number }[] }>(`${a.base}/api/v1/queue`);
  const id = list.body.messages[0]!.id;
  assert.equal((await fetch(`${a.base}/api/v1/queue/${id}`, { method: 'DELETE' })).status, 401);
  assert.equal((await fetch(`${a.base}/api/v1/queue/${id}/retry`, { method: 'POST' })).status, 401);
  assert.equal((await fetch(`${a.base}/api/v1/queue/${id}/retry`, { method: 'POST', headers: admin })).status, 202);
  assert.equal((await fetch(`${a.base}/api/v1/queue/${id}`, { method: 'DELETE', headers: admin })).status, 204);
  assert.equal((await fetch(`${a.base}/api/v1/queue/${id}`)).status, 404);
  assert.equal((await fetch(`${a.base}/api/v1/queue/999999`, { method: 'DELETE', headers: admin })).status, 404);
  assert.equal((await fetch(`${a.base}/api/v1/queue/abc`)).status, 400);
});
