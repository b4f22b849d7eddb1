/**
 * POP3 transcripts over a real socket against the real `tidemail serve`: the RFC 1939 states
 * and the commands each allows, the maildrop listing and retrieval, AUTH PLAIN, pipelining.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RawLineClient } from '../helpers/line-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { simpleMessage } from '../helpers/smtp-client.js';
import { countIn, countOnceUnlocked, deliver, freshInbox, login, messages } from './helpers.js';

let server: TestServer;
let pop3Port: number;

before(async () => {
  server = await startServer({ expect: ['smtp', 'pop3'] });
  pop3Port = server.ports.pop3!;
});
after(async () => {
  await server.dispose();
});

const plain = (authzid: string, user: string, password: string): string => Buffer.from(`${authzid}\0${user}\0${password}`).toString('base64');

describe('AUTHORIZATION state', () => {
  it('greets, lists capabilities, and refuses TRANSACTION commands before login', async () => {
    const { client, greeting } = await RawLineClient.open(pop3Port);
    assert.match(greeting, /^\+OK .*Tidemail POP3 server ready$/);
    const capa = await client.sendMulti('CAPA');
    assert.equal(capa.status, '+OK Capability list follows');
    assert.deepEqual(capa.lines, ['TOP', 'UIDL', 'USER', 'SASL PLAIN', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'STLS', 'IMPLEMENTATION Tidemail']);
    assert.equal(await client.send('PASS secret'), '-ERR Send USER first');
    assert.equal(await client.send('APOP joe 0123456789abcdef'), '-ERR Unknown command');
    assert.equal(await client.send('QUIT'), '+OK Tidemail POP3 server signing off');
    await client.closedByServer();

    // Fewer than 10 errors per session: the tenth ends it (tested below).
    const { client: other } = await RawLineClient.open(pop3Port);
    for (const command of ['STAT', 'LIST', 'UIDL', 'RETR 1', 'TOP 1 0', 'DELE 1', 'RSET', 'NOOP']) {
      const verb = command.split(' ')[0];
      assert.equal(await other.send(command), `-ERR ${verb} is not allowed in the AUTHORIZATION state`);
    }
    other.close();
  });

  it('logs in with USER/PASS by inbox name or full address, and refuses a name that is no inbox', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(2, inbox));
    const { client } = await RawLineClient.open(pop3Port);
    assert.equal(await client.send('USER'), '-ERR USER needs a user name: an inbox name or an email address');
    assert.equal(await client.send('USER bad/name'), '+OK Send PASS');
    assert.equal(await client.send('PASS x'), '-ERR [AUTH] That user name names no inbox');
    // A failed PASS forgets the user (RFC 1939 §7): PASS alone is out of sequence again.
    assert.equal(await client.send('PASS x'), '-ERR Send USER first');
    assert.equal(await client.send(`USER ${inbox.toUpperCase()}+tag@Any.Domain.test`), '+OK Send PASS');
    const opened = await client.send('PASS any password with spaces');
    assert.match(opened, new RegExp(`^\\+OK ${inbox} has 2 messages \\(\\d+ octets\\)$`));
    for (const command of ['USER x', 'PASS x', 'AUTH PLAIN', 'STLS']) {
      assert.equal(await client.send(command), `-ERR ${command.split(' ')[0]} is not allowed in the TRANSACTION state`);
    }
    assert.equal(await client.send('QUIT'), '+OK Tidemail POP3 server signing off (0 messages deleted)');
    client.close();
  });

  it('logs in with AUTH PLAIN, as an initial response or after the "+ " continuation', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(1, inbox));

    const first = await RawLineClient.open(pop3Port);
    assert.equal(await first.client.send('AUTH CRAM-MD5'), '-ERR Unsupported SASL mechanism; use PLAIN');
    assert.equal(await first.client.send('AUTH PLAIN not*base64'), '-ERR Malformed AUTH PLAIN response: not base64');
    assert.equal(await first.client.send(`AUTH PLAIN ${Buffer.from('no separators').toString('base64')}`), '-ERR Malformed AUTH PLAIN response: expected authzid NUL authcid NUL password');
    assert.equal(await first.client.send(`AUTH PLAIN ${plain('someone-else', inbox, 'pw')}`), '-ERR Malformed AUTH PLAIN response: authorization identity must be empty or equal the user');
    const mechanisms = await first.client.sendMulti('AUTH');
    assert.deepEqual(mechanisms.lines, ['PLAIN']);
    assert.match(await first.client.send(`AUTH PLAIN ${plain('', inbox, 'pw')}`), new RegExp(`^\\+OK ${inbox} has 1 message `));
    assert.match(await first.client.send('QUIT'), /^\+OK /);
    first.client.close();

    const second = await RawLineClient.open(pop3Port);
    assert.equal(await second.client.send('AUTH PLAIN'), '+ ');
    assert.equal(await second.client.send('*'), '-ERR AUTH cancelled');
    assert.equal(await second.client.send('auth plain'), '+ ');
    // The continuation line is a SASL response, not a command: "STAT" is not base64 of anything valid.
    assert.equal(await second.client.send('STAT'), '-ERR Malformed AUTH PLAIN response: expected authzid NUL authcid NUL password');
    assert.equal(await second.client.send('AUTH PLAIN'), '+ ');
    assert.match(await second.client.send(plain(inbox, inbox, 'pw')), new RegExp(`^\\+OK ${inbox} has 1 message `));
    assert.match(await second.client.send('STAT'), /^\+OK 1 \d+$/);
    second.client.close();
  });
});

describe('TRANSACTION state', () => {
  it('STAT, LIST and UIDL describe the maildrop; sizes are the octets RETR sends', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(3, inbox));
    const client = await login(pop3Port, inbox);
    const list = await client.sendMulti('LIST');
    assert.match(list.status, /^\+OK 3 messages \(\d+ octets\)$/);
    const sizes = list.lines.map((line, i) => {
      const [number, size] = line.split(' ');
      assert.equal(number, String(i + 1));
      return Number(size);
    });
    assert.equal(sizes.length, 3);
    const total = sizes.reduce((a, b) => a + b, 0);
    assert.equal(await client.send('STAT'), `+OK 3 ${total}`);
    assert.equal(await client.send('LIST 2'), `+OK 2 ${sizes[1]}`);

    const uidl = await client.sendMulti('UIDL');
    const uids = uidl.lines.map((line) => line.split(' ')[1]!);
    assert.equal(new Set(uids).size, 3);
    for (const uid of uids) assert.match(uid, /^[\x21-\x7e]{1,70}$/);
    assert.equal(await client.send('UIDL 3'), `+OK 3 ${uids[2]}`);

    for (let n = 1; n <= 3; n++) {
      assert.equal(await client.send(`RETR ${n}`), `+OK ${sizes[n - 1]} octets`);
      const { content } = await client.body();
      assert.equal(content.length, sizes[n - 1]);
      assert.match(content.toString(), /^Received: from /);
      assert.ok(content.toString().includes(`Subject: Message ${n}\r\n`));
      assert.ok(content.toString().endsWith(`Body of message ${n}.\r\nSecond line.\r\nThird line.\r\n`));
    }
    assert.match(await client.send('QUIT'), /^\+OK /);
    client.close();

    // UIDs are stable across sessions.
    const again = await login(pop3Port, inbox);
    assert.deepEqual((await again.sendMulti('UIDL')).lines, uidl.lines);
    again.close();
  });

  it('TOP sends the header block, the blank line and n body lines', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(1, inbox));
    const client = await login(pop3Port, inbox);
    const size = (await client.send('LIST 1')).split(' ')[2];
    assert.equal(await client.send('RETR 1'), `+OK ${size} octets`);
    const whole = (await client.body()).content.toString();
    const headers = whole.slice(0, whole.indexOf('\r\n\r\n') + 4);
    const top0 = await client.sendMulti('TOP 1 0');
    assert.equal(top0.status, '+OK Top of message follows');
    assert.equal(top0.content.toString(), headers);
    assert.equal((await client.sendMulti('TOP 1 2')).content.toString(), `${headers}Body of message 1.\r\nSecond line.\r\n`);
    assert.equal((await client.sendMulti('TOP 1 100')).content.toString(), whole);
    client.close();
  });

  it('answers every malformed or impossible message reference with a clear -ERR', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(2, inbox));
    const transcripts: Array<Array<[string, string]>> = [
      [
        ['RETR', '-ERR Usage: RETR message-number'],
        ['RETR x', '-ERR "x" is not a message number'],
        ['RETR -1', '-ERR "-1" is not a message number'],
        ['RETR 0', '-ERR No such message: 0'],
        ['RETR 3', '-ERR No such message: 3'],
        ['NOOP', '+OK'],
      ],
      [
        ['LIST 1 2', '-ERR Usage: LIST [message-number]'],
        ['UIDL x', '-ERR "x" is not a message number'],
        ['TOP 1', '-ERR Usage: TOP message-number lines'],
        ['TOP 1 -1', '-ERR "-1" is not a line count'],
        ['DELE 99999999999', '-ERR "99999999999" is not a message number'],
        ['STAT 1', '-ERR STAT takes no arguments'],
      ],
    ];
    for (const transcript of transcripts) {
      const client = await login(pop3Port, inbox);
      for (const [command, expected] of transcript) assert.equal(await client.send(command), expected, command);
      assert.match(await client.send('STAT'), /^\+OK 2 \d+$/);
      assert.match(await client.send('QUIT'), /^\+OK /);
      client.close();
    }
  });

  it('DELE only marks; RSET unmarks; QUIT deletes in the UPDATE state', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(3, inbox));
    const client = await login(pop3Port, inbox);
    const uids = (await client.sendMulti('UIDL')).lines;
    assert.equal(await client.send('DELE 1'), '+OK Message 1 deleted');
    assert.equal(await client.send('DELE 1'), '-ERR Message 1 is deleted');
    assert.equal(await client.send('RETR 1'), '-ERR Message 1 is deleted');
    assert.equal(await client.send('LIST 1'), '-ERR Message 1 is deleted');
    assert.match(await client.send('STAT'), /^\+OK 2 \d+$/);
    assert.deepEqual((await client.sendMulti('UIDL')).lines, uids.slice(1));
    assert.match(await client.send('RSET'), /^\+OK Maildrop has 3 messages \(\d+ octets\)$/);
    assert.match(await client.send('STAT'), /^\+OK 3 \d+$/);
    assert.equal(await client.send('DELE 2'), '+OK Message 2 deleted');
    assert.equal(await client.send('DELE 3'), '+OK Message 3 deleted');
    assert.equal(await client.send('QUIT'), '+OK Tidemail POP3 server signing off (2 messages deleted)');
    await client.closedByServer();

    const next = await login(pop3Port, inbox);
    assert.deepEqual((await next.sendMulti('UIDL')).lines, [`1 ${uids[0]!.split(' ')[1]}`]);
    next.close();
  });

  it('deletes nothing when the connection drops after DELE', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(2, inbox));
    const client = await login(pop3Port, inbox);
    assert.equal(await client.send('DELE 1'), '+OK Message 1 deleted');
    assert.equal(await client.send('DELE 2'), '+OK Message 2 deleted');
    client.close();
    assert.equal(await countOnceUnlocked(pop3Port, inbox), 2);
  });

  it('keeps message numbers fixed for the session while new mail arrives', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(1, inbox));
    const client = await login(pop3Port, inbox);
    await deliver(server.smtpPort, inbox, messages(1, inbox));
    assert.match(await client.send('STAT'), /^\+OK 1 \d+$/);
    assert.equal(await client.send('RETR 2'), '-ERR No such message: 2');
    assert.match(await client.send('QUIT'), /^\+OK /);
    assert.equal(await countIn(pop3Port, inbox), 2);
    client.close();
  });

  it('answers pipelined commands in order, from one write', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(2, inbox));
    const { client } = await RawLineClient.open(pop3Port);
    client.write(`CAPA\r\nUSER ${inbox}\r\nPASS x\r\nSTAT\r\nRETR 1\r\nTOP 2 0\r\nDELE 2\r\nLIST\r\nBOGUS\r\nQUIT\r\n`);
    assert.equal(await client.line(), '+OK Capability list follows');
    await client.body();
    assert.equal(await client.line(), '+OK Send PASS');
    assert.match(await client.line(), /^\+OK .* has 2 messages/);
    assert.match(await client.line(), /^\+OK 2 \d+$/);
    assert.match(await client.line(), /^\+OK \d+ octets$/);
    assert.match((await client.body()).content.toString(), /Subject: Message 1\r\n/);
    assert.equal(await client.line(), '+OK Top of message follows');
    assert.match((await client.body()).content.toString(), /Subject: Message 2\r\n[^]*[^\r\n]\r\n\r\n$/);
    assert.equal(await client.line(), '+OK Message 2 deleted');
    assert.match(await client.line(), /^\+OK 1 message /);
    assert.deepEqual((await client.body()).lines.map((l) => l.split(' ')[0]), ['1']);
    assert.equal(await client.line(), '-ERR Unknown command');
    assert.equal(await client.line(), '+OK Tidemail POP3 server signing off (1 message deleted)');
    await client.closedByServer();
  });

  it('answers a long pipeline of large RETRs completely and in order', async () => {
    const inbox = freshInbox();
    const line = `${'x'.repeat(70)}\r\n.${'y'.repeat(70)}\r\n`;
    const big = simpleMessage('Big', line.repeat(800).trimEnd(), `${inbox}@tidemail.test`);
    await deliver(server.smtpPort, inbox, [big, ...messages(1, inbox)]);
    const client = await login(pop3Port, inbox);
    // ~12 MB of replies: more than the kernel buffers hold while the client does not read, so
    // the server has to stop reading commands until the client catches up.
    const rounds = 100;
    client.pause();
    client.write('RETR 1\r\nRETR 2\r\n'.repeat(rounds) + 'STAT\r\n');
    await client.backedUp();
    client.resume();
    for (let i = 0; i < rounds; i++) {
      assert.match(await client.line(), /^\+OK \d+ octets$/);
      assert.ok((await client.body()).content.toString().endsWith(`${line.repeat(800).trimEnd()}\r\n`));
      assert.match(await client.line(), /^\+OK \d+ octets$/);
      assert.match((await client.body()).content.toString(), /Subject: Message 1\r\n/);
    }
    assert.match(await client.line(), /^\+OK 2 \d+$/);
    client.close();
  });
});

describe('the maildrop lock', () => {
  it('refuses a second login with -ERR [IN-USE] until the first session ends', async () => {
    const inbox = freshInbox();
    await deliver(server.smtpPort, inbox, messages(1, inbox));
    const first = await login(pop3Port, inbox);

    const { client: second } = await RawLineClient.open(pop3Port);
    assert.equal(await second.send(`USER ${inbox}@other.test`), '+OK Send PASS');
    assert.equal(await second.send('PASS x'), '-ERR [IN-USE] Maildrop already locked by another session; try again later');
    assert.equal(await second.send(`AUTH PLAIN ${plain('', inbox, 'x')}`), '-ERR [IN-USE] Maildrop already locked by another session; try again later');
    // Another inbox is not affected.
    assert.equal(await second.send(`USER ${inbox}-other`), '+OK Send PASS');
    assert.match(await second.send('PASS x'), /^\+OK /);
    second.close();

    // QUIT releases the lock before its +OK: a new login succeeds at once.
    assert.match(await first.send('QUIT'), /^\+OK /);
    const third = await login(pop3Port, inbox);
    // A dropped connection releases it too.
    third.close();
    assert.equal(await countOnceUnlocked(pop3Port, inbox), 1);
  });
});

describe('limits and bad input', () => {
  it('refuses over-long lines, bare newlines and invalid UTF-8, and stays usable', async () => {
    const inbox = freshInbox();
    const { client } = await RawLineClient.open(pop3Port);
    assert.equal(await client.send(`USER ${'a'.repeat(300)}`), '-ERR Command line too long (RFC 2449 allows 255 octets)');
    assert.equal(await client.send(`NOOP ${'b'.repeat(5000)}`), '-ERR Command line too long (RFC 2449 allows 255 octets)');
    client.write('USER x\nSTAT\r\n');
    assert.equal(await client.line(), '-ERR Bare CR or LF not allowed; end lines with CRLF');
    assert.equal(await client.line(), '-ERR STAT is not allowed in the AUTHORIZATION state');
    client.write(Buffer.from([0x55, 0x53, 0x45, 0x52, 0x20, 0xff, 0xfe, 0x0d, 0x0a]));
    assert.equal(await client.line(), '-ERR Command is not valid UTF-8');
    // An AUTH PLAIN response may exceed 255 octets (three fields of up to 255 octets each).
    const long = plain('', inbox, 'p'.repeat(250));
    assert.ok(long.length > 255);
    assert.match(await client.send(`AUTH PLAIN ${long}`), new RegExp(`^\\+OK ${inbox} has 0 messages`));
    client.close();
  });

  it('closes a session after 10 errors', async () => {
    const { client } = await RawLineClient.open(pop3Port);
    for (let i = 1; i < 10; i++) assert.equal(await client.send(`BOGUS${i}`), '-ERR Unknown command');
    assert.equal(await client.send('BOGUS10'), '-ERR Unknown command');
    assert.equal(await client.line(), '-ERR Too many errors, closing connection');
    await client.closedByServer();
  });
});
