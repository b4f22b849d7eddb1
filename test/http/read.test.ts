/**
 * The read side over real HTTP against the real binary: the SMTP transcript of a delivery
 * (`/api/v1/messages/{id}/smtp`), and the codes and links every summary carries. Responses are
 * checked against the OpenAPI document the server publishes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getJson, startHttpTestServer, type HttpTestServer } from '../helpers/http.js';
import { validate, type Schema } from '../helpers/json-schema.js';
import { simpleMessage } from '../helpers/smtp-client.js';

let t: HttpTestServer;
let openapi: Schema;

function schemaOf(template: string, status: number): Schema {
  const operation = (openapi.paths as Record<string, Record<string, { responses: Record<string, Schema> }>>)[template]?.get;
  assert.ok(operation, `OpenAPI documents GET ${template}`);
  const response = operation.responses[String(status)];
  assert.ok(response, `OpenAPI documents status ${status} for GET ${template}`);
  return (response.content as Record<string, { schema: Schema }>)['application/json']!.schema;
}

async function checked<T>(path: string, template: string): Promise<{ status: number; body: T }> {
  const result = await getJson<T>(`${t.base}${path}`);
  assert.deepEqual(validate(result.body, schemaOf(template, result.status), openapi), [], `${path} matches its OpenAPI schema`);
  return result;
}

interface Summary {
  id: number;
}

interface Transcript {
  remoteAddress: string;
  helo: string;
  tls: null | { version: string; cipher: string };
  lines: Array<{ atMs: number; from: 'client' | 'server'; text: string }>;
  truncated: boolean;
}

before(async () => {
  t = await startHttpTestServer();
  openapi = (await getJson<Schema>(`${t.base}/api/v1/openapi.json`)).body;
});
after(() => t.stop());

describe('the SMTP transcript of a message', () => {
  test('shows the session that delivered it, up to its 250, for each inbox it went to', async () => {
    await t.deliver(['tr-a@tidemail.test', 'tr-b@tidemail.test'], simpleMessage('transcribed', 'Hello.', 'tr-a@tidemail.test'));
    const ids: number[] = [];
    for (const inbox of ['tr-a', 'tr-b']) {
      const page = await checked<{ messages: Summary[] }>(`/api/v1/inboxes/${inbox}/messages`, '/api/v1/inboxes/{inbox}/messages');
      ids.push(page.body.messages[0]!.id);
    }
    const [first, second] = await Promise.all(ids.map((id) => checked<Transcript>(`/api/v1/messages/${id}/smtp`, '/api/v1/messages/{id}/smtp')));
    assert.equal(first!.status, 200);
    assert.deepEqual(second!.body, first!.body, 'one session, one transcript');
    const { body } = first!;
    assert.equal(body.remoteAddress, '127.0.0.1');
    assert.equal(body.helo, 'test.example');
    assert.equal(body.tls, null);
    const texts = body.lines.map((l) => `${l.from}: ${l.text}`);
    assert.ok(texts.includes('client: EHLO test.example'), texts.join('\n'));
    assert.ok(texts.some((l) => /^client: RCPT TO:<tr-b@tidemail\.test>/i.test(l)));
    assert.match(texts.at(-1)!, /^server: 250 /, 'it ends with the message\'s 250');
    assert.ok(!texts.some((l) => /QUIT/.test(l)), 'nothing after the 250');
  });

  test('an unknown id is a 404 like the other message routes', async () => {
    const { status, body } = await checked<{ error: { code: string } }>('/api/v1/messages/987654/smtp', '/api/v1/messages/{id}/smtp');
    assert.equal(status, 404);
    assert.equal(body.error.code, 'not_found');
    assert.equal((await getJson(`${t.base}/api/v1/messages/zero/smtp`)).status, 400);
  });
});
