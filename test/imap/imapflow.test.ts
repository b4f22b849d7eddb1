/**
 * A real IMAP client library, imapflow, against the server: it upgrades with STARTTLS (it does
 * so whenever the server offers it), logs in, lists, opens INBOX, fetches source, envelope and
 * body structure, flags a message, and idles while mail arrives (its `exists` event). With
 * folders: it finds the special-use ones, creates, renames and deletes its own (a Unicode name
 * among them), appends with flags and a date, and copies and moves with their UID maps.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { deliver, multipartMessage } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { eventually } from '../helpers/eventually.js';
import { getJson } from '../helpers/http.js';
import { simpleMessage } from '../helpers/smtp-client.js';

let server: TestServer;

before(async () => {
  server = await startServer({ expect: ['smtp', 'http', 'imap'] });
});

after(async () => {
  await server.dispose();
});

function client(user: string): ImapFlow {
  return new ImapFlow({
    host: '127.0.0.1',
    port: server.ports.imap!,
    secure: false,
    auth: { user, pass: 'anything' },
    tls: { rejectUnauthorized: false },
    logger: false,
    disableAutoIdle: true,
  });
}

describe('IMAP with imapflow', () => {
  it('connects over STARTTLS, lists, fetches source, envelope and body structure, and flags', async () => {
    const message = multipartMessage('Flow report', 'flow@tidemail.test');
    await deliver(server.smtpPort, 'flow@tidemail.test', message);
    const c = client('flow@tidemail.test');
    await c.connect();
    try {
      assert.equal(c.secureConnection, true, 'imapflow upgraded with STARTTLS');
      const boxes = await c.list();
      assert.deepEqual(boxes.map((b) => b.path).sort(), ['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
      const box = await c.mailboxOpen('INBOX');
      assert.equal(box.exists, 1);
      assert.ok(Number(box.uidValidity) > 0);

      const fetched = await c.fetchOne('1', { source: true, envelope: true, bodyStructure: true, uid: true, flags: true });
      assert.ok(fetched);
      assert.ok(fetched.source!.toString('latin1').endsWith(message), 'source is the message as sent, after our Received header');
      assert.equal(fetched.envelope!.subject, 'Flow report');
      assert.equal(fetched.envelope!.from![0]!.name, 'Jörg');
      assert.equal(fetched.envelope!.from![0]!.address, 'jorg@example.test');
      assert.equal(fetched.envelope!.messageId, '<multi-1@example.test>');
      const structure = fetched.bodyStructure!;
      assert.equal(structure.type, 'multipart/mixed');
      assert.deepEqual(
        structure.childNodes!.map((n) => n.type),
        ['multipart/alternative', 'application/pdf'],
      );
      assert.equal(structure.childNodes![1]!.disposition, 'attachment');
      assert.equal(structure.childNodes![1]!.dispositionParameters?.filename, 'report.pdf');
      assert.equal(structure.childNodes![0]!.childNodes![0]!.part, '1.1');

      const { content } = await c.download('1', '2');
      const chunks: Buffer[] = [];
      for await (const chunk of content!) chunks.push(chunk as Buffer);
      assert.equal(Buffer.concat(chunks).toString(), '%PDF-1.4 pretend this is a PDF\n', 'the attachment decodes from its section');

      assert.equal(await c.messageFlagsAdd('1', ['\\Flagged']), true);
      const flagged = await c.fetchOne('1', { flags: true });
      assert.ok(flagged && flagged.flags!.has('\\Flagged'));
      assert.deepEqual(await c.search({ flagged: true }), [1]);
    } finally {
      await c.logout();
    }
  });

  it('idles and emits `exists` when mail arrives', async () => {
    await deliver(server.smtpPort, 'flowidle@tidemail.test', simpleMessage('Already here'));
    const c = client('flowidle');
    await c.connect();
    try {
      await c.mailboxOpen('INBOX');
      const exists = new Promise<{ count: number; prevCount: number }>((resolve) => c.on('exists', resolve));
      const idling = c.idle();
      await deliver(server.smtpPort, 'flowidle@tidemail.test', simpleMessage('Arrived while idling'));
      const event = await exists;
      assert.equal(event.count, 2);
      assert.equal(event.prevCount, 1);
      const latest = await c.fetchOne('*', { envelope: true });
      assert.ok(latest);
      assert.equal(latest.envelope!.subject, 'Arrived while idling');
      await idling;
    } finally {
      await c.logout();
    }
  });

  it('finds the special-use folders, creates, renames and deletes folders, appends, copies and moves', async () => {
    await deliver(server.smtpPort, 'flowfolders@tidemail.test', simpleMessage('To be filed'));
    await eventually(async () => (await getJson<{ total: number }>(`http://127.0.0.1:${server.ports.http}/api/v1/inboxes/flowfolders/messages`)).body.total === 1, 'the delivery to be listed');
    const c = client('flowfolders');
    await c.connect();
    try {
      const uses = Object.fromEntries((await c.list()).filter((b) => b.specialUse).map((b) => [b.specialUse, b.path]));
      assert.deepEqual(uses, { '\\Inbox': 'INBOX', '\\Drafts': 'Drafts', '\\Sent': 'Sent', '\\Junk': 'Junk', '\\Trash': 'Trash' });

      assert.equal((await c.mailboxCreate(['Clients', 'Zürich'])).created, true);
      const listed = await c.list();
      const zurich = listed.find((b) => b.path === 'Clients/Zürich');
      assert.ok(zurich, 'imapflow decodes the modified UTF-7 name');
      assert.equal(listed.find((b) => b.path === 'Clients')?.flags.has('\\HasChildren'), true);

      const sentAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
      const appended = await c.append('Sent', 'From: flow@example.test\r\nSubject: Flow sent\r\n\r\nsent copy\r\n', ['\\Seen'], sentAt);
      assert.ok(appended && appended.uid && appended.uidValidity, 'APPENDUID read');

      await c.mailboxOpen('INBOX');
      const copied = await c.messageCopy('1', 'Clients/Zürich');
      assert.ok(copied && copied.uidMap && copied.uidMap.size === 1, 'COPYUID read');
      const moved = await c.messageMove('1', 'Trash');
      assert.ok(moved && moved.uidMap && moved.uidMap.size === 1);
      assert.equal(c.mailbox && c.mailbox.exists, 0, 'MOVE expunged the source');

      const renamed = await c.mailboxRename('Clients', 'Customers');
      assert.equal(renamed.newPath, 'Customers');
      const status = await c.status('Customers/Zürich', { messages: true });
      assert.equal(status && status.messages, 1);
      const sent = await c.mailboxOpen('Sent');
      assert.equal(sent.exists, 1);
      const copy = await c.fetchOne('1', { internalDate: true, flags: true, envelope: true });
      assert.ok(copy);
      assert.equal(copy.envelope!.subject, 'Flow sent');
      assert.equal(new Date(copy.internalDate!).getTime(), sentAt.getTime());
      assert.ok(copy.flags!.has('\\Seen'));
      await c.mailboxClose();
      await c.mailboxDelete('Customers/Zürich');
      await c.mailboxDelete('Customers');
      assert.deepEqual((await c.list()).map((b) => b.path).sort(), ['Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    } finally {
      await c.logout();
    }
  });
});
