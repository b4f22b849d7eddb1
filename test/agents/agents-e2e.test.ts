/**
 * Agent inboxes end to end, on the real `tidemail serve` with `--agents`: mail sent over SMTP
 * from one of our inboxes to an agent gets its reply in that inbox (read back over HTTP, waited
 * for with the wait endpoint, no sleeps), and the agent's own inbox shows the conversation.
 * Every kind with its real peer: `command` runs a script from a temporary program dir, `http`
 * asks a node:http service that checks the Standard Webhooks signature. Every RFC 3834 rule gets
 * a message that must not be answered; two agents that answer each other stop after one reply.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verify } from '../../src/webhooks/sign.js';
import { eventually } from '../helpers/eventually.js';
import { getJson } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail } from '../helpers/smtp-client.js';

const SECRET = 'whsec_' + Buffer.from('agents-test-secret').toString('base64');

interface Summary {
  id: number;
  subject: string;
}

describe('agent inboxes', { timeout: 60_000 }, () => {
  let server: TestServer;
  let base: string;
  let scratch: string;
  let service: Server;
  const posted: Array<{ headers: IncomingMessage['headers']; body: string }> = [];

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'tidemail-agents-'));
    const programs = join(scratch, 'programs');
    mkdirSync(programs);
    // A real program: reads the message on stdin, answers with a header block and a body.
    writeFileSync(
      join(programs, 'answer.sh'),
      '#!/bin/sh\nsubject=$(grep -m1 "^Subject:" | cut -c10- | tr -d "\\r")\nprintf "Subject: ran for %s\\nX-Program: answer.sh\\n\\nyou said: %s\\nsender: %s\\n" "$subject" "$subject" "$TIDEMAIL_SENDER"\n',
    );
    chmodSync(join(programs, 'answer.sh'), 0o755);

    service = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        posted.push({ headers: req.headers, body });
        const signed = verify(SECRET, String(req.headers['webhook-id']), Number(req.headers['webhook-timestamp']), body, String(req.headers['webhook-signature']));
        if (!signed) {
          res.writeHead(401).end();
          return;
        }
        const message = JSON.parse(body) as { subject: string; text: string };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ subject: `Answer to ${message.subject}`, text: `The service read: ${message.text.trim()}` }));
      });
    });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    const servicePort = (service.address() as AddressInfo).port;

    const agentsFile = join(scratch, 'agents.yaml');
    writeFileSync(
      agentsFile,
      [
        'time@: { kind: time }',
        'echo@: { kind: echo }',
        'ping@: { kind: echo }',
        'pong@: { kind: echo }',
        'run@: { kind: command, program: answer.sh, timeout: 5s }',
        `ask@: { kind: http, url: "http://127.0.0.1:${servicePort}/answer", secret: "${SECRET}" }`,
        'broken@: { kind: telepathy }',
      ].join('\n'),
    );
    server = await startServer({ expect: ['smtp', 'http'], args: ['--domains', 'tidemail.test', '--agents', agentsFile, '--agent-program-dir', programs] });
    base = `http://127.0.0.1:${server.ports.http}`;
  });

  after(async () => {
    await server?.dispose();
    await new Promise((resolve) => service?.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Send one message over SMTP; resolves after its 250. */
  async function send(from: string, to: string, headers: string, body = 'Hello agent.'): Promise<void> {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    try {
      await client.send('EHLO client.test');
      const message = `From: ${from || 'nobody@tidemail.test'}\r\nTo: ${to}\r\nMessage-ID: <${Math.random().toString(36).slice(2)}@client.test>\r\n${headers}\r\n${body}\r\n`;
      const reply = await sendMail(client, from, [to], message);
      assert.equal(reply.code, 250, reply.text);
      await client.send('QUIT');
    } finally {
      client.close();
    }
  }

  /** The next message in `inbox` (after `afterId`), waited for by the server; null after `timeoutS`. */
  async function next(inbox: string, afterId = 0, timeoutS = 10): Promise<Summary | null> {
    const { status, body } = await getJson<Summary>(`${base}/api/v1/inboxes/${inbox}/wait?after=${afterId}&timeout=${timeoutS}`);
    return status === 200 ? body : null;
  }

  async function raw(id: number): Promise<string> {
    return (await fetch(`${base}/api/v1/messages/${id}/raw`)).text();
  }

  async function inbox(name: string): Promise<Summary[]> {
    return (await getJson<{ messages: Summary[] }>(`${base}/api/v1/inboxes/${name}/messages`)).body.messages;
  }

  async function outcomes(): Promise<Map<string, number>> {
    const text = await (await fetch(`${base}/metrics`)).text();
    const counts = new Map<string, number>();
    for (const [, outcome, reason, value] of text.matchAll(/^tidemail_agent_outcomes_total\{outcome="([^"]+)",reason="([^"]+)"\} (\d+)$/gm)) counts.set(`${outcome}:${reason}`, Number(value));
    return counts;
  }

  it('names and skips a bad entry, and the others work', async () => {
    await server.logged(/entry \\"broken@\\" skipped: unknown kind \\"telepathy\\"/);
  });

  it('time@ answers a message from another of our inboxes in that inbox within a second, threaded and marked auto-replied', async () => {
    assert.deepEqual(await inbox('joe'), [], 'joe starts empty');
    const waiting = next('joe', 0, 5);
    await send('joe@tidemail.test', 'time@tidemail.test', 'Subject: Asia/Tokyo\r\n');
    const sentAt = Date.now();
    const reply = await waiting;
    assert.ok(reply, 'a reply arrived in joe');
    assert.ok(Date.now() - sentAt < 1000, `the reply took ${Date.now() - sentAt} ms`);
    assert.equal(reply.subject, 'Re: Asia/Tokyo');
    const text = await raw(reply.id);
    const original = (await inbox('time')).find((m) => m.subject === 'Asia/Tokyo')!;
    const originalId = /^Message-ID: (<[^>]+>)/im.exec(await raw(original.id))![1]!;
    assert.match(text, /^Received: by \S+ \(Tidemail generated agent\)/);
    assert.match(text, /\r\nFrom: time@tidemail\.test\r\n/);
    assert.match(text, /\r\nTo: joe@tidemail\.test\r\n/);
    assert.match(text, /\r\nAuto-Submitted: auto-replied\r\n/);
    assert.ok(text.includes(`\r\nIn-Reply-To: ${originalId}\r\n`), 'In-Reply-To names the original');
    assert.ok(text.includes(`\r\nReferences: ${originalId}\r\n`), 'References names the original');
    assert.match(text, /\r\nMessage-ID: <[^>]+@[^>]+>\r\n/);
    assert.match(text, /\r\nDate: \w{3}, \d\d \w{3} \d{4} /);
    assert.match(text, /The time in Asia\/Tokyo is .+ \(GMT\+09:00\)\./);
    const stored = (await getJson<{ envelope: { mailFrom: string; rcptTo: string[] } }>(`${base}/api/v1/messages/${reply.id}`)).body;
    assert.equal(stored.envelope.mailFrom, '', 'sent from the null reverse path (RFC 3834 §3.3)');
    assert.deepEqual(stored.envelope.rcptTo, ['joe@tidemail.test'], 'to the original envelope sender');
    // The agent's inbox shows the conversation: the message and its reply.
    assert.deepEqual((await inbox('time')).map((m) => m.subject), ['Re: Asia/Tokyo', 'Asia/Tokyo']);
  });

  it('echo@ replies with the envelope, headers, parsed parts and the SMTP transcript', async () => {
    await send('kim@tidemail.test', 'echo@tidemail.test', 'Subject: mirror please\r\nX-Probe: 42\r\n', 'Your code is 834201.');
    const reply = await next('kim');
    assert.ok(reply);
    const text = await raw(reply.id);
    for (const expected of [
      'MAIL FROM: <kim@tidemail.test>',
      'RCPT TO: <echo@tidemail.test>',
      'x-probe: 42',
      'Your code is 834201.',
      'Codes: 834201',
      '== SMTP transcript ==',
      'C: EHLO client.test',
      'C: MAIL FROM:<kim@tidemail.test>',
      'C: RCPT TO:<echo@tidemail.test>',
      'S: 354',
    ]) {
      assert.ok(text.toLowerCase().includes(expected.toLowerCase()), `the echo shows "${expected}":\n${text}`);
    }
  });

  it('command runs a real program from --agent-program-dir: the message on stdin, its stdout (headers first) the reply', async () => {
    await send('lou@tidemail.test', 'run@tidemail.test', 'Subject: build the thing\r\n');
    const reply = await next('lou');
    assert.ok(reply);
    assert.equal(reply.subject, 'ran for build the thing');
    const text = await raw(reply.id);
    assert.match(text, /\r\nX-Program: answer\.sh\r\n/);
    assert.match(text, /you said: build the thing\r\nsender: lou@tidemail\.test/);
    assert.match(text, /\r\nAuto-Submitted: auto-replied\r\n/, 'a program cannot take the RFC 3834 marks away');
  });

  it('http POSTs the parsed message, signed as webhooks are, and mails back the answer', async () => {
    await send('max@tidemail.test', 'ask@tidemail.test', 'Subject: what is up\r\n', 'Tell me something.');
    const reply = await next('max');
    assert.ok(reply);
    assert.equal(reply.subject, 'Answer to what is up');
    assert.match(await raw(reply.id), /The service read: Tell me something\./);
    const request = posted.at(-1)!;
    assert.ok(verify(SECRET, String(request.headers['webhook-id']), Number(request.headers['webhook-timestamp']), request.body, String(request.headers['webhook-signature'])));
    assert.ok(Math.abs(Number(request.headers['webhook-timestamp']) - Date.now() / 1000) < 60, 'the timestamp is now, in seconds');
    const json = JSON.parse(request.body) as { envelope: { mailFrom: string }; address: string; subject: string };
    assert.equal(json.envelope.mailFrom, 'max@tidemail.test');
    assert.equal(json.address, 'ask@tidemail.test');
  });

  it('answers none of the messages RFC 3834 and WildDuck say must not be answered', async () => {
    const before = await outcomes();
    const unanswerable: Array<[string, string, string]> = [
      ['auto-submitted', 'as1@tidemail.test', 'Auto-Submitted: auto-generated\r\n'],
      ['auto-submitted', 'as2@tidemail.test', 'Auto-Submitted: auto-replied\r\n'],
      ['null-sender', '', ''],
      ['precedence', 'pb@tidemail.test', 'Precedence: bulk\r\n'],
      ['precedence', 'pl@tidemail.test', 'Precedence: list\r\n'],
      ['precedence', 'pj@tidemail.test', 'Precedence: junk\r\n'],
      ['mailing-list', 'li@tidemail.test', 'List-Id: Test list <test.lists.example>\r\n'],
      ['mailing-list', 'lu@tidemail.test', 'List-Unsubscribe: <mailto:leave@lists.example>\r\n'],
      ['daemon-sender', 'MAILER-DAEMON@tidemail.test', ''],
      ['daemon-sender', 'noreply@tidemail.test', ''],
      ['daemon-sender', 'no-reply+x@tidemail.test', ''],
      ['suppressed', 'xs@tidemail.test', 'X-Auto-Response-Suppress: OOF, AutoReply\r\n'],
      ['own-address', 'echo@tidemail.test', ''],
    ];
    for (const [, from, headers] of unanswerable) await send(from, 'echo@tidemail.test', `Subject: do not answer\r\n${headers}`);
    // Auto-Submitted: no is a person's mail: answered. The worker takes work in arrival order, so
    // once this reply is there every message above has been decided.
    await send('sentinel@tidemail.test', 'echo@tidemail.test', 'Subject: answer me\r\nAuto-Submitted: no\r\n');
    assert.ok(await next('sentinel'), 'the last one is answered');
    for (const [, from] of unanswerable) {
      const name = from === '' ? 'nobody' : from.slice(0, from.indexOf('@')).replace(/\+.*/, '').toLowerCase();
      if (name === 'echo') continue;
      assert.deepEqual(await inbox(name), [], `no reply to ${from || '<>'}`);
    }
    const echoes = (await inbox('echo')).filter((m) => m.subject.startsWith('Re:'));
    assert.deepEqual(
      echoes.map((m) => m.subject),
      ['Re: answer me', 'Re: mirror please'],
      'the agent kept copies of its replies only',
    );
    const after = await outcomes();
    const expected = new Map<string, number>();
    for (const [reason] of unanswerable) expected.set(reason, (expected.get(reason) ?? 0) + 1);
    for (const [reason, count] of expected) assert.equal((after.get(`declined:${reason}`) ?? 0) - (before.get(`declined:${reason}`) ?? 0), count, `declined for ${reason}`);
  });

  it('two agents that answer each other stop after one reply', async () => {
    const declinedBefore = (await outcomes()).get('declined:auto-submitted') ?? 0;
    await send('pong@tidemail.test', 'ping@tidemail.test', 'Subject: serve\r\n');
    const reply = await next('pong');
    assert.ok(reply, 'ping answered pong');
    assert.equal(reply.subject, 'Re: serve');
    // pong was offered ping's reply (it is mail to an agent) and declined it.
    await eventually(async () => ((await outcomes()).get('declined:auto-submitted') ?? 0) > declinedBefore, 'pong to decline the reply');
    assert.deepEqual((await inbox('pong')).map((m) => m.subject), ['Re: serve'], 'pong holds the one reply and sent none');
    assert.deepEqual((await inbox('ping')).map((m) => m.subject), ['Re: serve', 'serve'], 'ping holds the message and its one reply');
  });
});
