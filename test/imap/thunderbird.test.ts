/**
 * A scripted Thunderbird-like session (issue 19 §2's "done when"): the commands Thunderbird 115
 * sends, in its order and spelling (lower-case verbs, quoted names, synchronizing literals for
 * APPEND), over one connection: discover the folders, save a draft, send (over SMTP) with a
 * copy in Sent and the draft removed, delete a message to Trash with UID MOVE, and create,
 * subscribe to and rename a folder. Then the state is checked from outside: IMAP STATUS, and the
 * HTTP API of the sender's inbox and the recipient's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { getJson } from '../helpers/http.js';
import { RawImapClient, deliver } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

let server: TestServer;
let api: string;

before(async () => {
  server = await startServer();
  api = `http://127.0.0.1:${server.ports.http}`;
});

after(async () => {
  await server.dispose();
});

const total = async (inbox: string): Promise<number> => (await getJson<{ total: number }>(`${api}/api/v1/inboxes/${inbox}/messages`)).body.total;

/** Thunderbird's APPEND: a synchronizing literal, sent after the server's "+". */
async function append(c: RawImapClient, tag: string, mailbox: string, flags: string, message: string): Promise<string> {
  c.write(`${tag} append "${mailbox}" (${flags}) {${Buffer.byteLength(message)}}\r\n`);
  assert.match(await c.response(), /^\+ /);
  c.write(`${message}\r\n`);
  const done = await c.until(tag);
  const uid = /^\S+ OK \[APPENDUID \d+ (\d+)\]/.exec(done.tagged)?.[1];
  assert.ok(uid, done.tagged);
  return uid;
}

function composed(subject: string): string {
  return [
    'Message-ID: <tb-1@tidemail.test>',
    'Date: Tue, 1 Dec 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    'User-Agent: Mozilla Thunderbird',
    'From: Tess Bird <tb@tidemail.test>',
    'To: friend@tidemail.test',
    `Subject: ${subject}`,
    'Content-Type: text/plain; charset=UTF-8; format=flowed',
    'Content-Transfer-Encoding: 7bit',
    '',
    'See you at noon.',
    '',
  ].join('\r\n');
}

describe('a Thunderbird-like session', () => {
  it('saves a draft, sends with a Sent copy, deletes to Trash, creates and renames a folder', async () => {
    await deliver(server.smtpPort, 'tb@tidemail.test', simpleMessage('Lunch?'));
    await eventually(async () => (await total('tb')) === 1, 'the delivery to be listed');
    const { client: c } = await RawImapClient.open(server.ports.imap!);
    try {
      assert.match((await c.command('capability')).untagged[0]!, /MOVE .*SPECIAL-USE/);
      assert.equal((await c.command('login "tb" "secret"')).status, 'OK');
      assert.deepEqual((await c.command('namespace')).untagged, ['* NAMESPACE (("" "/")) NIL NIL']);
      const lsub = (await c.command('lsub "" "*"')).untagged;
      const list = (await c.command('list "" "*"')).untagged;
      for (const [use, name] of [['Drafts', 'Drafts'], ['Sent', 'Sent'], ['Trash', 'Trash'], ['Junk', 'Junk']]) {
        assert.ok(list.includes(`* LIST (\\HasNoChildren \\${use}) "/" ${name}`), `${name} is found by its special use`);
        assert.ok(lsub.some((l) => l.endsWith(`"/" ${name}`)), `${name} is subscribed`);
      }
      const inbox = await c.command('select "INBOX"');
      assert.ok(inbox.untagged.includes('* 1 EXISTS'));
      const [lunch] = (await c.command('UID fetch 1:* (FLAGS)')).untagged.map((l) => Number(/UID (\d+)/.exec(l)?.[1]));
      const headers = await c.command(`UID fetch ${lunch} (UID RFC822.SIZE FLAGS BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References Newsgroups In-Reply-To Content-Type Reply-To)])`);
      assert.match(headers.untagged.join('\n'), /Subject: Lunch\?/);

      // Save a draft.
      const draftUid = await append(c, 'd1', 'Drafts', '\\Seen \\Draft', composed('Re: Lunch?'));

      // Send it: SMTP, then the copy in Sent, then the draft goes.
      const smtp = await RawSmtpClient.open(server.smtpPort);
      await smtp.client.send('EHLO tb.local');
      assert.equal((await sendMail(smtp.client, 'tb@tidemail.test', ['friend@tidemail.test'], composed('Re: Lunch?'))).code, 250);
      await smtp.client.send('QUIT');
      smtp.client.close();
      const sentUid = await append(c, 's1', 'Sent', '\\Seen', composed('Re: Lunch?'));
      assert.equal((await c.command('select "Drafts"')).status, 'OK');
      assert.equal((await c.command(`UID store ${draftUid} +FLAGS (\\Deleted \\Seen)`)).status, 'OK');
      const expunged = await c.command('expunge');
      assert.deepEqual(expunged.untagged, ['* 1 EXPUNGE']);

      // Delete the received message: it moves to Trash.
      assert.equal((await c.command('select "INBOX"')).status, 'OK');
      const moved = await c.command(`UID move ${lunch} "Trash"`);
      assert.match(moved.untagged[0]!, new RegExp(`^\\* OK \\[COPYUID \\d+ ${lunch} \\d+\\]`));
      assert.equal(moved.untagged[1], '* 1 EXPUNGE');
      assert.equal(moved.status, 'OK');

      // Make a folder, then rename it.
      assert.equal((await c.command('create "Lunch plans"')).status, 'OK');
      assert.equal((await c.command('subscribe "Lunch plans"')).status, 'OK');
      assert.deepEqual((await c.command('list "" "Lunch plans"')).untagged, ['* LIST (\\HasNoChildren) "/" "Lunch plans"']);
      assert.equal((await c.command('rename "Lunch plans" "Lunch plans 2026"')).status, 'OK');
      assert.equal((await c.command('unsubscribe "Lunch plans"')).status, 'OK');
      assert.equal((await c.command('subscribe "Lunch plans 2026"')).status, 'OK');
      const after = (await c.command('lsub "" "*"')).untagged;
      assert.ok(after.includes('* LSUB (\\HasNoChildren) "/" "Lunch plans 2026"'));
      assert.ok(!after.some((l) => l.endsWith('"Lunch plans"')));

      const status = async (name: string): Promise<string> => (await c.command(`STATUS "${name}" (MESSAGES)`)).untagged[0]!;
      assert.equal(await status('INBOX'), '* STATUS INBOX (MESSAGES 0)');
      assert.equal(await status('Drafts'), '* STATUS Drafts (MESSAGES 0)');
      assert.equal(await status('Sent'), '* STATUS Sent (MESSAGES 1)');
      assert.equal(await status('Trash'), '* STATUS Trash (MESSAGES 1)');
      assert.equal(await status('Lunch plans 2026'), '* STATUS "Lunch plans 2026" (MESSAGES 0)');
      assert.equal((await c.command('select "Sent"')).status, 'OK');
      const sent = await c.command(`UID fetch ${sentUid} (FLAGS BODY.PEEK[HEADER.FIELDS (Subject)])`);
      assert.match(sent.untagged.join('\n'), /FLAGS \(\\Seen \\Recent\)[\s\S]*Subject: Re: Lunch\?/);
      await c.command('logout');
    } finally {
      c.close();
    }
    // What the web UI and API see: tb's INBOX is empty (its mail went to Trash), the friend got the mail.
    assert.equal(await total('tb'), 0);
    await eventually(async () => (await total('friend')) === 1, 'the sent message in the recipient inbox');
  });
});
