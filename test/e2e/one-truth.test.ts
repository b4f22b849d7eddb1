/**
 * One truth across protocols: a message read or deleted over POP3 or IMAP shows so in the HTTP
 * API, and the other way round; the bytes are identical over HTTP raw, POP3 RETR and IMAP BODY[].
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getJson } from '../helpers/http.js';
import { RawImapClient } from '../helpers/imap-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { deliver, login, messages } from '../pop3/helpers.js';

interface Listing {
  total: number;
  messages: Array<{ id: number; seen: boolean; subject: string }>;
}

describe('one truth across HTTP, POP3 and IMAP', () => {
  let server: TestServer;
  let api: string;
  const listing = async (inbox: string): Promise<Listing> => (await getJson<Listing>(`${api}/api/v1/inboxes/${inbox}/messages`)).body;
  const imapFlags = async (inbox: string): Promise<string[]> => {
    const imap = await RawImapClient.selected(server.ports.imap!, inbox);
    const fetched = await imap.command('FETCH 1:* (FLAGS)');
    await imap.command('LOGOUT');
    return fetched.untagged.filter((l) => / FETCH /.test(l));
  };

  before(async () => {
    server = await startServer({ expect: ['smtp', 'http', 'pop3', 'imap'] });
    api = `http://127.0.0.1:${server.ports.http}`;
  });
  after(async () => {
    await server.dispose();
  });

  it('POP3 RETR marks seen for HTTP and IMAP; TOP and LIST do not', async () => {
    await deliver(server.smtpPort, 'truth1', messages(2, 'truth1'));
    const pop = await login(server.ports.pop3!, 'truth1');
    await pop.sendMulti('LIST');
    await pop.sendMulti('TOP 1 1');
    assert.match(await pop.send('RETR 2'), /^\+OK /);
    await pop.body();
    await pop.send('QUIT');
    const { messages: listed } = await listing('truth1');
    assert.deepEqual(listed.map((m) => [m.subject, m.seen]), [['Message 2', true], ['Message 1', false]]);
    const flags = await imapFlags('truth1');
    // This IMAP session is the first to see both messages, so they are \Recent in it (RFC 3501 §2.3.2).
    assert.match(flags[0]!, /^\* 1 FETCH \(FLAGS \(\\Recent\)\)$/);
    assert.match(flags[1]!, /^\* 2 FETCH \(FLAGS \(\\Seen \\Recent\)\)$/);
  });

  it('HTTP reading and IMAP flagging are seen by each other', async () => {
    await deliver(server.smtpPort, 'truth2', messages(1, 'truth2'));
    const [message] = (await listing('truth2')).messages;
    assert.equal(message!.seen, false);
    assert.equal((await getJson(`${api}/api/v1/messages/${message!.id}`)).status, 200);
    assert.match((await imapFlags('truth2'))[0]!, /\\Seen/);
    const imap = await RawImapClient.selected(server.ports.imap!, 'truth2');
    assert.equal((await imap.command('STORE 1 -FLAGS (\\Seen)')).status, 'OK');
    await imap.command('LOGOUT');
    assert.equal((await listing('truth2')).messages[0]!.seen, false);
  });

  it('deletions over POP3, IMAP and HTTP are gone for the others', async () => {
    await deliver(server.smtpPort, 'truth3', messages(3, 'truth3'));
    const pop = await login(server.ports.pop3!, 'truth3');
    assert.match(await pop.send('DELE 1'), /^\+OK/);
    await pop.send('QUIT');
    assert.deepEqual((await listing('truth3')).messages.map((m) => m.subject), ['Message 3', 'Message 2']);

    const imap = await RawImapClient.selected(server.ports.imap!, 'truth3');
    await imap.command('STORE 1 +FLAGS (\\Deleted)');
    assert.equal((await imap.command('EXPUNGE')).status, 'OK');
    await imap.command('LOGOUT');
    const left = (await listing('truth3')).messages;
    assert.deepEqual(left.map((m) => m.subject), ['Message 3']);

    assert.equal((await fetch(`${api}/api/v1/messages/${left[0]!.id}`, { method: 'DELETE' })).status, 204);
    const pop2 = await login(server.ports.pop3!, 'truth3');
    assert.equal(await pop2.send('STAT'), '+OK 0 0');
    await pop2.send('QUIT');
  });

  it('serves identical bytes over HTTP raw, POP3 RETR and IMAP BODY[]', async () => {
    const body = 'Line one\r\n.starts with a dot\r\n..two dots\r\n\u00fcnicode \u2713\r\n';
    await deliver(server.smtpPort, 'truth4', [`From: a@b.test\r\nTo: truth4@tidemail.test\r\nSubject: bytes\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}`]);
    const [message] = (await listing('truth4')).messages;
    const viaHttp = Buffer.from(await (await fetch(`${api}/api/v1/messages/${message!.id}/raw`)).arrayBuffer());

    const pop = await login(server.ports.pop3!, 'truth4');
    assert.match(await pop.send('RETR 1'), /^\+OK /);
    const viaPop = (await pop.body()).content;
    await pop.send('QUIT');

    const imap = await RawImapClient.selected(server.ports.imap!, 'truth4');
    const fetched = await imap.command('FETCH 1 BODY.PEEK[]');
    await imap.command('LOGOUT');
    const response = fetched.untagged.join('\r\n');
    const literal = /\{(\d+)\}\r\n/.exec(response);
    assert.ok(literal, 'BODY[] comes as a literal');
    const start = literal.index + literal[0].length;
    const viaImap = Buffer.from(response.slice(start, start + Number(literal[1])), 'latin1');

    assert.ok(viaHttp.toString('utf8').endsWith(body), 'HTTP raw ends with the body as sent');
    assert.equal(Number(literal[1]), viaHttp.length, 'IMAP literal size equals the raw size');
    assert.deepEqual(viaPop, viaHttp, 'POP3 RETR (unstuffed) equals HTTP raw');
    assert.deepEqual(viaImap, viaHttp, 'IMAP BODY[] equals HTTP raw');
  });
});
