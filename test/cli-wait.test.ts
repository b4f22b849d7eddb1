/**
 * `tidemail wait` as a CI step meets it: the real binary against a real server, mail sent over
 * SMTP, and only what a shell sees (stdout, stderr, exit status).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getJson, startHttpTestServer, type HttpTestServer } from './helpers/http.js';
import { CLI } from './helpers/server.js';

let t: HttpTestServer;
before(async () => (t = await startHttpTestServer()));
after(() => t.stop());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run `tidemail wait …` to its end; `--api` points at the test server unless `api` says otherwise. */
function waitCli(args: string[], { api = t.base, env = {} }: { api?: string | null; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const child = spawn(process.execPath, [CLI, 'wait', ...args, ...(api === null ? [] : ['--api', api])], { env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

function mail(subject: string, body: string, { from = 'App <no-reply@app.example>', to = 'someone@tidemail.test' } = {}): string {
  return `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nDate: Sat, 21 Nov 2026 10:00:00 +0000\r\n\r\n${body}\r\n`;
}

const newestId = async (inbox: string): Promise<number> =>
  (await getJson<{ messages: Array<{ id: number }> }>(`${t.base}/api/v1/inboxes/${inbox}/messages?limit=1`)).body.messages[0]?.id ?? 0;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('tidemail wait', () => {
  it('--code prints the one-time code and nothing else, passing over mail without one', async () => {
    await t.deliver('cli-code@tidemail.test', mail('Welcome', 'Thanks for signing up.'));
    await t.deliver('cli-code@tidemail.test', mail('Confirm your address', 'Your verification code is 482913.'));
    const run = await waitCli(['cli-code', '--code', '--timeout', '5s']);
    assert.deepEqual(run, { code: 0, stdout: '482913\n', stderr: '' });
  });

  it('--link prints the action link, waiting past a matching message that has none', async () => {
    const inbox = 'cli-link';
    await t.deliver(`${inbox}@tidemail.test`, mail('Verify your account', 'We are getting things ready.'));
    await t.deliver(`${inbox}@tidemail.test`, mail('Verify your account', 'Confirm here: https://app.example/verify?token=abc123'));
    const run = await waitCli([inbox, '--subject', 'verify', '--link', '--timeout', '5s']);
    assert.deepEqual(run, { code: 0, stdout: 'https://app.example/verify?token=abc123\n', stderr: '' });
  });

  it('--json prints the summary as the API gives it, codes and links included', async () => {
    const inbox = 'cli-json';
    await t.deliver(`${inbox}@tidemail.test`, mail('Your login code', 'Your login code is 7391. Or sign in at https://app.example/magic?k=9'));
    const run = await waitCli([inbox, '--json', '--timeout', '5s']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim().split('\n').length, 1, 'one line, for jq');
    const summary = JSON.parse(run.stdout) as { id: number; inbox: string; subject: string; codes: string[]; links: string[] };
    assert.equal(summary.inbox, inbox);
    assert.equal(summary.subject, 'Your login code');
    assert.deepEqual(summary.codes, ['7391']);
    assert.deepEqual(summary.links, ['https://app.example/magic?k=9']);
    assert.equal(summary.id, await newestId(inbox));
  });

  it('each matcher picks the message it fits; without an output flag, a line names it', async () => {
    const inbox = 'cli-match';
    await t.deliver(`${inbox}@tidemail.test`, mail('Newsletter', 'Nothing to do.', { from: 'Shop <news@shop.example>' }));
    await t.deliver(`${inbox}@tidemail.test`, mail('For Ann', 'Hello Ann.', { to: `Ann <${inbox}+ann@tidemail.test>` }));
    await t.deliver(`${inbox}@tidemail.test`, mail('Password reset', 'Someone asked.'));
    await t.deliver(`${inbox}@tidemail.test`, mail('Receipt', 'Bienvenue au Café: your receipt.'));
    for (const [args, line] of [
      [['--from', 'SHOP.EXAMPLE'], /^message \d+ from news@shop\.example: "Newsletter"\n$/],
      [['--to', '+ann'], /^message \d+ from no-reply@app\.example: "For Ann"\n$/],
      [['--subject', 'reset'], /: "Password reset"\n$/],
      [['--contains', 'cafe receipt'], /: "Receipt"\n$/],
      [['--from', 'app.example', '--contains', 'ann'], /: "For Ann"\n$/],
    ] as const) {
      const run = await waitCli([inbox, ...args, '--timeout', '5s']);
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stdout, line, args.join(' '));
    }
  });

  it('finds mail that arrives while it waits, newer than --after', async () => {
    const inbox = 'cli-later';
    await t.deliver(`${inbox}@tidemail.test`, mail('Old code', 'Your code is 1111.'));
    const seen = await newestId(inbox);
    const pending = waitCli([inbox, '--after', String(seen), '--code', '--timeout', '30s']);
    await t.deliver(`${inbox}@tidemail.test`, mail('New code', 'Your code is 2222.'));
    assert.deepEqual(await pending, { code: 0, stdout: '2222\n', stderr: '' });
  });

  it('exits 1 with one line on stderr when nothing matching comes in time', async () => {
    await t.deliver('cli-quiet@tidemail.test', mail('Receipt', 'Thanks.'));
    const run = await waitCli(['cli-quiet', '--subject', 'invoice', '--code', '--timeout', '1s']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'tidemail wait: no message in cli-quiet matching --subject "invoice" with a code within 1s\n');
  });

  it('takes the API address from TIDEMAIL_API', async () => {
    await t.deliver('cli-env@tidemail.test', mail('Env', 'Your code is 5150.'));
    const run = await waitCli(['cli-env', '--code', '--timeout', '5s'], { api: null, env: { TIDEMAIL_API: t.base } });
    assert.deepEqual(run, { code: 0, stdout: '5150\n', stderr: '' });
  });

  it('says clearly, with exit 2, when the API cannot be reached or refuses the request', async () => {
    const port = await closedPort();
    const unreachable = await waitCli(['joe', '--timeout', '5s'], { api: `http://127.0.0.1:${port}` });
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, new RegExp(`^tidemail wait: cannot reach the API at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED.*\\n$`));
    const refused = await waitCli(['not an inbox', '--timeout', '1s']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^tidemail wait: the API refused the request \(400\): "not an inbox" is not a valid inbox name/);
    const wrongPath = await waitCli(['joe', '--timeout', '1s'], { api: `${t.base}/elsewhere` });
    assert.equal(wrongPath.code, 2);
    assert.match(wrongPath.stderr, /^tidemail wait: the API refused the request \(404\): no such resource: \/elsewhere\/api\/v1\/inboxes\/joe\/wait\n$/);
  });

  it('says, with exit 2, when --api is some other web server', async () => {
    const other = http.createServer((_req, res) => res.end('<html>hello</html>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const { port } = other.address() as net.AddressInfo;
    const run = await waitCli(['joe', '--timeout', '1s'], { api: `http://127.0.0.1:${port}` });
    other.close();
    assert.equal(run.code, 2);
    assert.equal(run.stderr, `tidemail wait: http://127.0.0.1:${port} answered HTTP 200, not a Tidemail wait answer (is --api right?)\n`);
  });

  for (const [args, pattern] of [
    [[], /which inbox\? usage: tidemail wait INBOX/],
    [['a', 'b'], /one inbox at a time, not "a" and "b"/],
    [['joe', '--frobnicate'], /unknown flag --frobnicate \(see tidemail wait --help\)/],
    [['joe', '--timeout', 'forever'], /invalid value "forever" for --timeout: expected a duration/],
    [['joe', '--after', 'last'], /invalid value "last" for --after: expected a message id/],
    [['joe', '--api', 'ftp://x'], /invalid value "ftp:\/\/x" for --api: expected an http\(s\) URL/],
    [['joe', '--code', '--link'], /--code and --link cannot be combined/],
    [['joe', '--code=yes'], /--code takes no value/],
    [['joe', '--subject'], /--subject needs a value/],
    [['joe', '--from', ''], /--from must not be empty/],
    [['joe', '--to', 'a', '--to', 'b'], /--to is given more than once/],
  ] as const) {
    it(`rejects wait ${args.join(' ')} with one line on stderr and exit 2`, async () => {
      const run = await waitCli([...args], { api: null });
      assert.equal(run.code, 2);
      assert.match(run.stderr, pattern);
      assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    });
  }

  it('has its own --help listing every flag', async () => {
    const run = await waitCli(['--help'], { api: null });
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: tidemail wait INBOX \[options\]/);
    for (const flag of ['--api <url>', '--from <text>', '--to <text>', '--subject <text>', '--contains <text>', '--after <id>', '--timeout <duration>', '--code', '--link', '--json']) {
      assert.ok(run.stdout.includes(`  ${flag} `), flag);
    }
    assert.ok(run.stdout.includes('default: http://127.0.0.1:8025; env: TIDEMAIL_API'));
    assert.ok(run.stdout.includes('default: 30s'));
  });
});
