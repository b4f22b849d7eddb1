/**
 * The SMTP rules of RFC 5321 as transcripts over a real socket against the real binary.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { committedMessages, bodyCount, withoutTrace } from '../helpers/disk.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

const MAX_SIZE = 20 * 1024;

describe('SMTP transcripts', () => {
  let server: TestServer;
  const open = async (): Promise<RawSmtpClient> => {
    const { client, greeting } = await RawSmtpClient.open(server.smtpPort);
    assert.equal(greeting.code, 220);
    return client;
  };
  const ready = async (): Promise<RawSmtpClient> => {
    const client = await open();
    assert.equal((await client.send('EHLO client.test')).code, 250);
    return client;
  };

  before(async () => {
    server = await startServer({
      args: ['--domains', 'tidemail.test,other.test', '--max-recipients', '5', '--max-message-size', `${MAX_SIZE}`, '--hostname', 'mx.tidemail.test'],
    });
  });
  after(async () => {
    await server.dispose();
  });

  it('greets with 220 and advertises the extensions in EHLO', async () => {
    const { client, greeting } = await RawSmtpClient.open(server.smtpPort);
    assert.match(greeting.text, /^220 mx\.tidemail\.test ESMTP/);
    const ehlo = await client.send('EHLO client.test');
    assert.equal(ehlo.code, 250);
    assert.equal(ehlo.lines[0], 'mx.tidemail.test greets client.test');
    for (const ext of ['PIPELINING', `SIZE ${MAX_SIZE}`, '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS']) {
      assert.ok(ehlo.lines.includes(ext), `EHLO advertises ${ext}`);
    }
    assert.match((await client.send('HELO client.test')).text, /^250 mx\.tidemail\.test greets client\.test\r\n$/);
    assert.match((await client.send('QUIT')).text, /^221 2\.0\.0/);
    await client.closedByServer();
  });

  it('answers NOOP, HELP, VRFY, RSET and unknown commands', async () => {
    const client = await open();
    assert.match((await client.send('NOOP')).text, /^250 2\.0\.0/);
    assert.match((await client.send('HELP')).text, /^214 2\.0\.0/);
    assert.match((await client.send('VRFY joe')).text, /^252 2\.5\.0/);
    assert.match((await client.send('VRFY')).text, /^501 5\.5\.4/);
    assert.match((await client.send('RSET')).text, /^250 2\.0\.0/);
    assert.match((await client.send('FROBNICATE now')).text, /^500 5\.5\.2/);
    assert.match((await client.send('EXPN staff')).text, /^500 5\.5\.2/);
    client.close();
  });

  it('refuses commands out of sequence with 503 5.5.1', async () => {
    const client = await open();
    assert.match((await client.send('MAIL FROM:<a@b.test>')).text, /^503 5\.5\.1/);
    assert.match((await client.send('RCPT TO:<joe@tidemail.test>')).text, /^503 5\.5\.1/);
    assert.match((await client.send('DATA')).text, /^503 5\.5\.1/);
    assert.equal((await client.send('EHLO c.test')).code, 250);
    assert.match((await client.send('RCPT TO:<joe@tidemail.test>')).text, /^503 5\.5\.1/);
    assert.match((await client.send('DATA')).text, /^503 5\.5\.1/);
    assert.equal((await client.send('MAIL FROM:<a@b.test>')).code, 250);
    assert.match((await client.send('MAIL FROM:<a@b.test>')).text, /^503 5\.5\.1/);
    assert.match((await client.send('DATA')).text, /^503 5\.5\.1/);
    assert.equal((await client.send('RSET')).code, 250);
    assert.match((await client.send('RCPT TO:<joe@tidemail.test>')).text, /^503 5\.5\.1/, 'RSET ends the transaction');
    client.close();
  });

  it('checks syntax with 501 and unknown parameters with 555', async () => {
    const client = await ready();
    assert.match((await client.send('EHLO')).text, /^501 5\.5\.4/);
    assert.equal((await client.send('EHLO c.test')).code, 250);
    assert.match((await client.send('MAIL TO:<a@b.test>')).text, /^501 5\.1\.7/);
    assert.match((await client.send('MAIL FROM:a@b.test')).text, /^501 5\.1\.7/);
    assert.match((await client.send('MAIL FROM:<a@b.test')).text, /^501 5\.1\.7/);
    assert.match((await client.send('MAIL FROM:<no-at-sign>')).text, /^501 5\.1\.7/);
    assert.match((await client.send('MAIL FROM:<a@b.test> SIZE=abc')).text, /^501 5\.5\.4/);
    assert.match((await client.send('MAIL FROM:<a@b.test> RET=HDRS')).text, /^555 5\.5\.4/);
    client.close();
    // A new session: the first one is close to the error limit by now.
    const second = await ready();
    assert.match((await second.send('MAIL FROM:<a@b.test> BODY=BINARYMIME')).text, /^555 5\.5\.4/);
    assert.equal((await second.send('MAIL FROM: <a@b.test> BODY=8BITMIME')).code, 250, 'a space after the colon is tolerated');
    assert.match((await second.send('RCPT TO:<>')).text, /^501 5\.1\.3/);
    assert.match((await second.send('RCPT TO:<joe@tidemail.test> NOTIFY=NEVER')).text, /^555 5\.5\.4/);
    assert.match((await second.send('RCPT TO:<joe@@tidemail.test>')).text, /^501 5\.1\.3/);
    assert.match((await second.send('DATA now')).text, /^503 5\.5\.1/);
    assert.equal((await second.send('RCPT TO:<joe@tidemail.test>')).code, 250);
    assert.match((await second.send('DATA now')).text, /^501 5\.5\.4/);
    second.close();
  });

  it('enforces the RFC 5321 §4.5.3.1 address limits', async () => {
    const client = await ready();
    assert.equal((await client.send('MAIL FROM:<a@b.test>')).code, 250);
    assert.equal((await client.send(`RCPT TO:<${'l'.repeat(64)}@tidemail.test>`)).code, 250, '64-octet local part is fine');
    assert.match((await client.send(`RCPT TO:<${'l'.repeat(65)}@tidemail.test>`)).text, /^501 5\.1\.3/);
    const longDomain = Array(5).fill('d'.repeat(60)).join('.');
    assert.match((await client.send(`RCPT TO:<x@${longDomain}>`)).text, /^501 5\.1\.3/, 'path over 256 octets');
    assert.match((await client.send(`RCPT TO:<x@${Array(4).fill('d'.repeat(63)).join('.')}>`)).text, /^501 5\.1\.3/, 'domain over 255 octets');
    client.close();
  });

  it('refuses recipients outside --domains with 550 5.7.1: not an open relay', async () => {
    const client = await ready();
    assert.equal((await client.send('MAIL FROM:<a@b.test>')).code, 250);
    assert.match((await client.send('RCPT TO:<victim@elsewhere.example>')).text, /^550 5\.7\.1/);
    assert.equal((await client.send('RCPT TO:<joe@OTHER.test>')).code, 250, 'domains match case-insensitively');
    assert.equal((await client.send('RCPT TO:<postmaster>')).code, 250, 'bare postmaster is always accepted');
    client.close();
  });

  it('allows at most --max-recipients with 452 4.5.3 beyond', async () => {
    const client = await ready();
    assert.equal((await client.send('MAIL FROM:<a@b.test>')).code, 250);
    for (let i = 0; i < 5; i++) assert.equal((await client.send(`RCPT TO:<r${i}@tidemail.test>`)).code, 250);
    assert.match((await client.send('RCPT TO:<r5@tidemail.test>')).text, /^452 4\.5\.3/);
    client.close();
  });

  it('refuses too-big messages with 552 5.3.4, at MAIL SIZE= and while streaming, and stays usable', async () => {
    const client = await ready();
    assert.match((await client.send(`MAIL FROM:<a@b.test> SIZE=${MAX_SIZE + 1}`)).text, /^552 5\.3\.4/);
    assert.equal((await client.send(`MAIL FROM:<a@b.test> SIZE=${MAX_SIZE}`)).code, 250);
    assert.equal((await client.send('RCPT TO:<toobig@tidemail.test>')).code, 250);
    assert.equal((await client.send('DATA')).code, 354);
    client.write(`Subject: big\r\n\r\n${'x'.repeat(998)}\r\n`.repeat(25) + '.\r\n');
    assert.match((await client.reply()).text, /^552 5\.3\.4/);
    assert.equal(committedMessages(server.dataDir, 'toobig').length, 0);
    const ok = await sendMail(client, 'a@b.test', ['toobig@tidemail.test'], simpleMessage('small one'));
    assert.equal(ok.code, 250, 'the session goes on after a refused message');
    client.close();
  });

  it('accepts the null sender, stores the message with a Received header, byte for byte', async () => {
    const client = await ready();
    const message = simpleMessage('bounce', 'Delivery report.\r\n.leading dot\r\n..two dots');
    const r = await sendMail(client, '', ['bounces@tidemail.test'], message);
    assert.match(r.text, /^250 2\.0\.0/);
    const [stored] = committedMessages(server.dataDir, 'bounces');
    assert.ok(stored);
    assert.equal(stored.mailFrom, '');
    assert.equal(withoutTrace(stored.raw).toString(), message);
    assert.match(stored.raw.toString(), /^Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n\tby mx\.tidemail\.test \(Tidemail\) with ESMTP id \S+\r\n\tfor <bounces@tidemail\.test>;\r\n\t\w{3}, \d{2} \w{3} \d{4} /);
    client.close();
  });

  it('names inboxes by lower-cased local part without +tag, shares them across domains, stores a body once', async () => {
    const client = await ready();
    const to = ['Mixed.Case+signup@tidemail.test', 'mixed.case@other.test', 'one@tidemail.test', 'two@tidemail.test', 'three@other.test'];
    const bodiesBefore = bodyCount(server.dataDir);
    assert.equal((await sendMail(client, 'a@b.test', to, simpleMessage('fan-out'))).code, 250);
    assert.equal(bodyCount(server.dataDir) - bodiesBefore, 1, 'one body for five recipients');
    const inMixed = committedMessages(server.dataDir, 'mixed.case');
    assert.equal(inMixed.length, 1, 'two addresses naming one inbox give it one copy');
    assert.deepEqual(inMixed[0]!.rcptTo, ['Mixed.Case+signup@tidemail.test', 'mixed.case@other.test', 'one@tidemail.test', 'two@tidemail.test', 'three@other.test']);
    for (const inbox of ['one', 'two', 'three']) assert.equal(committedMessages(server.dataDir, inbox).length, 1);
    client.close();
  });

  it('pipelines a whole transaction in one write', async () => {
    const client = await ready();
    client.write(`MAIL FROM:<p@b.test>\r\nRCPT TO:<piped@tidemail.test>\r\nDATA\r\n`);
    assert.equal((await client.reply()).code, 250);
    assert.equal((await client.reply()).code, 250);
    assert.equal((await client.reply()).code, 354);
    client.write(`${simpleMessage('piped')}.\r\nMAIL FROM:<p@b.test>\r\nRCPT TO:<piped@tidemail.test>\r\nDATA\r\n${simpleMessage('piped 2')}.\r\nQUIT\r\n`);
    for (const code of [250, 250, 250, 354, 250, 221]) assert.equal((await client.reply()).code, code);
    assert.deepEqual(committedMessages(server.dataDir, 'piped').map((m) => m.subject), ['piped', 'piped 2']);
  });

  it('needs SMTPUTF8 for non-ASCII addresses and delivers to UTF-8 inboxes with it', async () => {
    const client = await ready();
    assert.match((await client.send('MAIL FROM:<jörg@b.test>')).text, /^553 5\.6\.7/);
    assert.equal((await client.send('MAIL FROM:<plain@b.test>')).code, 250);
    assert.match((await client.send('RCPT TO:<jörg@tidemail.test>')).text, /^553 5\.6\.7/);
    assert.equal((await client.send('RSET')).code, 250);
    assert.equal((await client.send('MAIL FROM:<jörg@b.test> SMTPUTF8')).code, 250);
    assert.equal((await client.send('RCPT TO:<Jörg@tidemail.test>')).code, 250);
    assert.equal((await client.send('DATA')).code, 354);
    client.write(`${simpleMessage('grüße', 'Hallo')}.\r\n`);
    assert.equal((await client.reply()).code, 250);
    const [stored] = committedMessages(server.dataDir, 'jörg');
    assert.equal(stored?.subject, 'grüße', 'inbox is the lower-cased UTF-8 local part');
    assert.match(stored.raw.toString(), /with UTF8SMTP id/);
    client.close();
  });

  it('refuses command lines over 2048 bytes with 500 5.5.2 and recovers', async () => {
    const client = await ready();
    assert.match((await client.send(`NOOP ${'x'.repeat(3000)}`)).text, /^500 5\.5\.2/);
    assert.equal((await client.send('NOOP')).code, 250, 'the next line is read normally');
    client.close();
  });

  it('never takes a bare LF or bare CR as the end of a command', async () => {
    const client = await ready();
    client.write('NOOP\n');
    assert.match((await client.reply()).text, /^500 5\.5\.2 Bare CR or LF/);
    client.write('NO\rOP\r\n');
    assert.match((await client.reply()).text, /^500 5\.5\.2 Bare CR or LF/, 'one error for the whole line');
    assert.equal((await client.send('NOOP')).code, 250);
    client.close();
  });

  it('closes with 421 after 10 errors', async () => {
    const client = await ready();
    for (let i = 0; i < 9; i++) assert.equal((await client.send('BOGUS')).code, 500);
    client.write('BOGUS\r\n');
    assert.equal((await client.reply()).code, 500);
    assert.match((await client.reply()).text, /^421 4\.7\.0/);
    await client.closedByServer();
  });
});
