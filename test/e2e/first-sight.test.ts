/**
 * Final at first sight (the store's visibility gate), over real sockets against the real binary:
 * while several SMTP sessions deliver at once, an SSE stream, back-to-back listings, a chain of
 * `wait` calls and an IMAP session watch the inbox. Every summary any of them shows of a message
 * equals its final one (preview, attachment count, codes and links included), so no field
 * changes after first sight; the `wait` cursor and the SSE stream see every message exactly
 * once, in ascending id order, and IMAP never sees a UID appear below one it has seen (ids are
 * shown in order). Then UIDNEXT: deleting the newest messages never lowers it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../helpers/http.js';
import { RawImapClient, deliver } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail } from '../helpers/smtp-client.js';
import { SseClient } from '../helpers/sse-client.js';

interface Summary {
  id: number;
  subject: string;
  preview: string;
  attachments: number;
  codes: string[];
  links: string[];
  flags: string[];
  seen: boolean;
}

const INBOX = 'first-sight';
const SESSIONS = 8;
const PER_SESSION = 8;

/** Every other message has an attachment; each has a code and a few links. */
function mail(session: number, n: number): string {
  const code = String(100_000 + session * 100 + n);
  const text = `Hello ${session}/${n}. Your verification code is ${code}.\r\nConfirm: https://acme.example/confirm/${session}/${n}\r\nHelp: https://acme.example/help`;
  const head = `From: Acme <noreply@acme.example>\r\nTo: ${INBOX}@tidemail.test\r\nSubject: sight ${session}/${n}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n`;
  if (n % 2 === 0) return `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`;
  return (
    `${head}Content-Type: multipart/mixed; boundary="sep"\r\n\r\n--sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n` +
    `--sep\r\nContent-Type: application/pdf; name="r.pdf"\r\nContent-Disposition: attachment; filename="r.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--sep--\r\n`
  );
}

/** What must never change after first sight (flags may). */
const fixed = ({ flags: _flags, seen: _seen, ...rest }: Summary) => rest;

describe('a message is seen only with its summary final', () => {
  let server: TestServer;
  let api: string;

  before(async () => {
    server = await startServer({ expect: ['smtp', 'http', 'imap'] });
    api = `http://127.0.0.1:${server.ports.http}`;
  });
  after(() => server.dispose());

  it('over SSE, listings, wait and IMAP while several sessions deliver at once', async () => {
    const sse = await SseClient.open(server.ports.http!, `/api/v1/events?inbox=${INBOX}`);
    const imap = await RawImapClient.selected(server.ports.imap!, INBOX);
    const observed = new Map<number, Summary[]>();
    const see = (m: Summary) => observed.set(m.id, [...(observed.get(m.id) ?? []), m]);
    let delivering = true;

    const senders = Array.from({ length: SESSIONS }, async (_, session) => {
      const { client } = await RawSmtpClient.open(server.smtpPort);
      await client.send('EHLO sight.test');
      for (let n = 0; n < PER_SESSION; n++) {
        const reply = await sendMail(client, 'noreply@acme.example', [`${INBOX}@tidemail.test`], mail(session, n));
        assert.equal(reply.code, 250, reply.text);
      }
      await client.send('QUIT');
      client.close();
    });
    const lister = (async () => {
      while (delivering) {
        for (const m of (await getJson<{ messages: Summary[] }>(`${api}/api/v1/inboxes/${INBOX}/messages?limit=100`)).body.messages) see(m);
      }
    })();
    const waited: number[] = [];
    const waiter = (async () => {
      let cursor = 0;
      while (waited.length < SESSIONS * PER_SESSION) {
        const { status, body } = await getJson<Summary>(`${api}/api/v1/inboxes/${INBOX}/wait?after=${cursor}&timeout=5`);
        assert.equal(status, 200, 'a message within the timeout');
        see(body);
        waited.push(body.id);
        cursor = body.id;
      }
    })();
    const uidsSeen: number[] = [];
    const watcher = (async () => {
      while (delivering) {
        const fetched = await imap.command('UID FETCH 1:* (UID)');
        const uids = fetched.untagged.map((l) => /UID (\d+)/.exec(l)?.[1]).filter((u): u is string => u !== undefined).map(Number);
        for (const uid of uids) {
          if (uidsSeen.includes(uid)) continue;
          // A UID IMAP shows is a message the API shows too, already with its final summary (checked below).
          see((await getJson<Summary>(`${api}/api/v1/inboxes/${INBOX}/wait?after=${uid - 1}&timeout=0`)).body);
          assert.ok(uid > (uidsSeen.at(-1) ?? 0), `UID ${uid} appeared after UID ${uidsSeen.at(-1)}`);
          uidsSeen.push(uid);
        }
        await imap.command('NOOP');
      }
    })();

    await Promise.all(senders);
    delivering = false;
    await Promise.all([lister, waiter, watcher]);
    await sse.waitFor(() => sse.events.filter((e) => e.event === 'message').length >= SESSIONS * PER_SESSION);
    for (const event of sse.events.filter((e) => e.event === 'message')) see(JSON.parse(event.data) as Summary);

    const final = (await getJson<{ total: number; messages: Summary[] }>(`${api}/api/v1/inboxes/${INBOX}/messages?limit=100`)).body;
    assert.equal(final.total, SESSIONS * PER_SESSION);
    const finalById = new Map(final.messages.map((m) => [m.id, fixed(m)]));
    for (const [id, seen] of observed) {
      for (const summary of seen) assert.deepEqual(fixed(summary), finalById.get(id), `message ${id} as first seen`);
    }
    for (const m of final.messages) {
      const [session, n] = m.subject.replace('sight ', '').split('/').map(Number) as [number, number];
      assert.deepEqual(m.codes, [String(100_000 + session * 100 + n)]);
      assert.equal(m.attachments, n % 2);
      assert.ok(m.links.includes(`https://acme.example/confirm/${session}/${n}`));
      assert.match(m.preview, new RegExp(`^Hello ${session}/${n}\\.`));
    }
    const ascending = [...finalById.keys()].sort((a, b) => a - b);
    assert.deepEqual(waited, ascending, 'the wait cursor saw every message once, in order');
    const sseIds = sse.events.filter((e) => e.event === 'message').map((e) => (JSON.parse(e.data) as Summary).id);
    assert.deepEqual(sseIds, ascending, 'SSE announced every message once, in order');
    sse.close();
    imap.close();
  });

  it('IMAP UIDNEXT never goes down when the newest messages are deleted', async () => {
    const inbox = 'uidnext';
    // The helper's deliver resolves once the message is visible (helpers/visible.ts).
    for (let n = 0; n < 3; n++) await deliver(server.smtpPort, `${inbox}@tidemail.test`, `Subject: u${n}\r\n\r\nhi\r\n`);
    const uidNext = async (): Promise<{ select: number; status: number }> => {
      const { client } = await RawImapClient.open(server.ports.imap!);
      await client.command(`LOGIN ${inbox} x`);
      const status = await client.command('STATUS INBOX (UIDNEXT)');
      const select = await client.command('SELECT INBOX');
      await client.command('LOGOUT');
      client.close();
      return {
        select: Number(/UIDNEXT (\d+)/.exec(select.untagged.join('\n'))?.[1]),
        status: Number(/UIDNEXT (\d+)/.exec(status.untagged.join('\n'))?.[1]),
      };
    };
    const before = await uidNext();
    assert.equal(before.select, before.status);
    const listed = (await getJson<{ messages: Summary[] }>(`${api}/api/v1/inboxes/${inbox}/messages`)).body.messages;
    assert.equal(before.select, listed[0]!.id + 1);
    for (const m of listed.slice(0, 2)) assert.equal((await fetch(`${api}/api/v1/messages/${m.id}`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(await uidNext(), before, 'the same after deleting the two newest');
  });
});
