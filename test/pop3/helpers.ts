/** Shared steps for the POP3 tests: deliver over SMTP, open a logged-in POP3 session. */
import assert from 'node:assert/strict';
import { RawLineClient } from '../helpers/line-client.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';
import { deliveredVisibly } from '../helpers/visible.js';

let counter = 0;
/** A fresh inbox name per test, so tests sharing a server do not see each other's mail. */
export function freshInbox(prefix = 'pop'): string {
  return `${prefix}${process.pid}x${++counter}`;
}

/** Deliver each message to `inbox` over SMTP, in order; resolves once all are visible (helpers/visible.ts). */
export async function deliver(smtpPort: number, inbox: string, messages: string[]): Promise<void> {
  await deliveredVisibly(smtpPort, [`${inbox}@tidemail.test`], messages.length, async () => {
    const { client } = await RawSmtpClient.open(smtpPort);
    try {
      assert.equal((await client.send('EHLO test.example')).code, 250);
      for (const message of messages) {
        const reply = await sendMail(client, 'sender@example.test', [`${inbox}@tidemail.test`], message);
        assert.equal(reply.code, 250, reply.text);
      }
      await client.send('QUIT');
    } finally {
      client.close();
    }
  });
}

export function messages(count: number, inbox: string): string[] {
  return Array.from({ length: count }, (_, i) => simpleMessage(`Message ${i + 1}`, `Body of message ${i + 1}.\r\nSecond line.\r\nThird line.`, `${inbox}@tidemail.test`));
}

/** A session logged in to `inbox` with USER/PASS, greeting and login checked. */
export async function login(pop3Port: number, inbox: string): Promise<RawLineClient> {
  const { client, greeting } = await RawLineClient.open(pop3Port);
  assert.match(greeting, /^\+OK /);
  assert.equal(await client.send(`USER ${inbox}`), '+OK Send PASS');
  assert.match(await client.send('PASS anything'), /^\+OK /);
  return client;
}

/** STAT's count in a new session (which is closed again with QUIT, deleting nothing). */
export async function countIn(pop3Port: number, inbox: string): Promise<number> {
  const counted = await tryCount(pop3Port, inbox);
  if (typeof counted !== 'number') throw new Error(`cannot count ${inbox}: ${counted}`);
  return counted;
}

/**
 * STAT's count once the inbox's maildrop lock is free again. A session the client dropped
 * releases its lock when the server sees the close, a moment after the client's, and until then
 * a login is answered -ERR [IN-USE]; each attempt waits on the server's answers, not on a timer.
 */
export async function countOnceUnlocked(pop3Port: number, inbox: string, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counted = await tryCount(pop3Port, inbox);
    if (typeof counted === 'number') return counted;
    if (Date.now() > deadline) throw new Error(`${inbox} still unavailable after ${timeoutMs} ms: ${counted}`);
  }
}

/** One attempt: the count, or the -ERR that refused the connection or the login. */
async function tryCount(pop3Port: number, inbox: string): Promise<number | string> {
  const { client, greeting } = await RawLineClient.open(pop3Port);
  try {
    // A per-IP limit may still count connections of ours the server has not seen close.
    if (greeting.startsWith('-ERR [SYS/TEMP] Too many connections')) {
      await client.closedByServer();
      return greeting;
    }
    assert.match(greeting, /^\+OK /);
    assert.equal(await client.send(`USER ${inbox}`), '+OK Send PASS');
    const opened = await client.send('PASS anything');
    if (opened.startsWith('-ERR [IN-USE] ')) return opened;
    assert.match(opened, /^\+OK /);
    const stat = await client.send('STAT');
    assert.match(stat, /^\+OK \d+ \d+$/);
    assert.match(await client.send('QUIT'), /^\+OK .*\(0 messages deleted\)$/);
    return Number(stat.split(' ')[1]);
  } finally {
    client.close();
  }
}
