/**
 * Compacted bodies through the real server (`--compact-bodies on`): near-copies of one sender's
 * template (enough for its dictionary) and mail sharing an attachment read back over HTTP raw,
 * POP3 RETR and IMAP BODY[] exactly as sent (after our trace header), before and after some of
 * them are deleted; and the store counts fewer bytes than it holds raw (what --max-store-size
 * and /metrics see).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawImapClient } from '../../helpers/imap-client.js';
import { startServer, type TestServer } from '../../helpers/server.js';
import { deliver, login } from '../../pop3/helpers.js';

const INBOX = 'compact';
const ATTACHMENT = Buffer.from(Array.from({ length: 9000 }, (_, i) => (i * 7919 + (i >> 7)) % 256)).toString('base64').replace(/.{76}/g, '$&\r\n');

function nearCopy(i: number): string {
  const text = `Hello Dana${i},\r\n\r\nyour code is ${700000 + i * 13}. Confirm at https://shop.example.test/c/${(i * 2654435761) % 99991}\r\n.a line with a dot\r\n`.repeat(3);
  const head = `From: Shop <no-reply@shop.example.test>\r\nTo: ${INBOX}@tidemail.test\r\nSubject: Your order ${i}\r\nMIME-Version: 1.0\r\n`;
  if (i % 3 !== 0) return `${head}Content-Type: text/plain; charset=utf-8\r\n\r\n${text}`;
  return `${head}Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n--b${i}\r\n` +
    `Content-Type: application/pdf; name="terms.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${ATTACHMENT}\r\n--b${i}--\r\n`;
}

describe('compacted bodies over HTTP, POP3 and IMAP', () => {
  let server: TestServer;
  let api: string;
  before(async () => {
    server = await startServer({ args: ['--compact-bodies', 'on'], expect: ['smtp', 'http', 'pop3', 'imap'] });
    api = `http://127.0.0.1:${server.ports.http}`;
  });
  after(async () => {
    await server.dispose();
  });

  /** Every message of the inbox, oldest first: HTTP raw, POP3 RETR and IMAP BODY[] must agree and end with what was sent. */
  async function readAll(sent: Map<string, string>): Promise<number[]> {
    const listed = (await (await fetch(`${api}/api/v1/inboxes/${INBOX}/messages?limit=100`)).json()) as { messages: Array<{ id: number; subject: string }> };
    const oldestFirst = [...listed.messages].reverse();
    assert.deepEqual(oldestFirst.map((m) => m.subject), [...sent.keys()]);
    const pop = await login(server.ports.pop3!, INBOX);
    const imap = await RawImapClient.selected(server.ports.imap!, INBOX);
    try {
      for (const [n, m] of oldestFirst.entries()) {
        const viaHttp = Buffer.from(await (await fetch(`${api}/api/v1/messages/${m.id}/raw`)).arrayBuffer());
        assert.ok(viaHttp.toString('utf8').endsWith(sent.get(m.subject)!), `${m.subject}: HTTP raw ends with the message as sent`);
        assert.match(await pop.send(`RETR ${n + 1}`), /^\+OK /);
        assert.deepEqual((await pop.body()).content, viaHttp, `${m.subject}: POP3 RETR equals HTTP raw`);
        const fetched = await imap.command(`UID FETCH ${m.id} BODY.PEEK[]`);
        const response = fetched.untagged.join('\r\n');
        const literal = /\{(\d+)\}\r\n/.exec(response);
        assert.ok(literal, 'BODY[] comes as a literal');
        const start = literal.index + literal[0].length;
        assert.deepEqual(Buffer.from(response.slice(start, start + Number(literal[1])), 'latin1'), viaHttp, `${m.subject}: IMAP BODY[] equals HTTP raw`);
      }
    } finally {
      await pop.send('QUIT');
      await imap.command('LOGOUT');
    }
    return oldestFirst.map((m) => m.id);
  }

  async function gauges(): Promise<{ raw: number; stored: number }> {
    const text = await (await fetch(`${api}/metrics`)).text();
    const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    return { raw: gauge('tidemail_store_bytes'), stored: gauge('tidemail_store_stored_bytes') };
  }

  it('reads every byte back, before and after deleting some of the messages that share a dictionary and an attachment', async () => {
    const sent = new Map<string, string>();
    const messages = Array.from({ length: 12 }, (_, i) => nearCopy(i));
    for (const [i, m] of messages.entries()) sent.set(`Your order ${i}`, m);
    await deliver(server.smtpPort, INBOX, messages);
    const ids = await readAll(sent);
    const held = await gauges();
    assert.ok(held.stored > 0 && held.stored < held.raw / 2, `stored ${held.stored} of ${held.raw} raw bytes`);
    // Delete the first attachment carrier and every other near-copy: what is left still reads whole.
    for (const [n, id] of ids.entries()) {
      if (n % 2 !== 0 && n !== 3) continue;
      assert.equal((await fetch(`${api}/api/v1/messages/${id}`, { method: 'DELETE' })).status, 204);
      sent.delete(`Your order ${n}`);
    }
    await readAll(sent);
    assert.ok((await gauges()).stored < held.stored, 'deleting freed bytes');
  });
});
