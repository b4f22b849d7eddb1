/** `tidemail serve` as a user meets it: help, flags, environment twins, and clear errors. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CLI, freshDataDir, removeDataDir, startServer } from './helpers/server.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** CLI runs at a time: they are independent, but a dozen node start-ups at once starve each other. */
const PARALLEL_RUNS = 3;
let running = 0;
const queued: Array<() => void> = [];

/**
 * Run the CLI to its exit. Runs are started as the tests are declared, a few at a time, and each
 * test awaits its own, so they overlap instead of queueing behind one another.
 */
async function run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  if (running >= PARALLEL_RUNS) await new Promise<void>((resolve) => queued.push(resolve));
  running++;
  try {
    return await runNow(args, env);
  } finally {
    running--;
    queued.shift()?.();
  }
}

function runNow(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 20_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('tidemail CLI', () => {
  const help = run(['serve', '--help']);
  it('documents every flag with its default and environment variable', async () => {
    const { code, stdout } = await help;
    assert.equal(code, 0);
    for (const [flag, def, env] of [
      ['--smtp', '0.0.0.0:1025', 'TIDEMAIL_SMTP'],
      ['--http', '0.0.0.0:8025', 'TIDEMAIL_HTTP'],
      ['--pop3', '0.0.0.0:1110', 'TIDEMAIL_POP3'],
      ['--imap', '0.0.0.0:1143', 'TIDEMAIL_IMAP'],
      ['--max-message-size', '10MiB', 'TIDEMAIL_MAX_MESSAGE_SIZE'],
      ['--max-recipients', '100', 'TIDEMAIL_MAX_RECIPIENTS'],
      ['--retention', '24h', 'TIDEMAIL_RETENTION'],
      ['--max-per-inbox', '500', 'TIDEMAIL_MAX_PER_INBOX'],
      ['--data', './data', 'TIDEMAIL_DATA'],
    ]) {
      assert.match(stdout, new RegExp(`${flag} <[a-z]+>`), flag);
      assert.ok(stdout.includes(`default: ${def}; env: ${env}`), `${flag} default ${def}`);
    }
  });

  for (const [args, pattern] of [
    [['serve', '--smtp', 'nonsense'], /invalid value "nonsense" for --smtp: expected host:port/],
    [['serve', '--smtp', '127.0.0.1:70000'], /--smtp: port must be 0–65535/],
    [['serve', '--max-message-size', '10 parsecs'], /--max-message-size: expected a size/],
    [['serve', '--retention', 'forever'], /--retention: expected a duration/],
    [['serve', '--max-recipients', '-3'], /--max-recipients: expected a whole number/],
    [['serve', '--domains', 'ok.test,bad domain'], /"bad domain" is not a domain name/],
    [['serve', '--frobnicate', '1'], /unknown flag --frobnicate/],
    [['serve', '--smtp'], /--smtp needs a value/],
    [['serve', '--tls-cert', '/tmp/x.pem'], /--tls-cert and --tls-key must be given together/],
    [['launch'], /unknown command "launch"/],
  ] as const) {
    const result = run(args);
    it(`rejects ${args.join(' ')} with one line on stderr and exit 2`, async () => {
      const { code, stderr } = await result;
      assert.equal(code, 2);
      assert.match(stderr, pattern);
      assert.equal(stderr.trim().split('\n').length, 1, 'one line');
    });
  }

  const fromEnv = run(['serve'], { TIDEMAIL_MAX_PER_INBOX: 'lots' });
  it('names the environment variable in errors from the environment', async () => {
    const { code, stderr } = await fromEnv;
    assert.equal(code, 2);
    assert.match(stderr, /invalid value "lots" for TIDEMAIL_MAX_PER_INBOX/);
  });

  it('takes settings from TIDEMAIL_* and lets flags win', async () => {
    const server = await startServer({ env: { TIDEMAIL_HOSTNAME: 'from-env.test', TIDEMAIL_SMTP_TIMEOUT: '7s' }, args: ['--hostname', 'from-flag.test'], ownCertificate: true });
    const socket = net.connect(server.smtpPort, '127.0.0.1');
    const greeting = await new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.destroy();
    assert.match(greeting, /^220 from-flag\.test /);
    await server.dispose();
  });

  it('prints one line per listener with the bound address, and makes its own certificate when given none', async () => {
    const server = await startServer({ ownCertificate: true });
    assert.deepEqual(Object.keys(server.ports).sort(), ['http', 'imap', 'pop3', 'smtp', 'submission']);
    for (const port of Object.values(server.ports)) assert.ok(port > 0);
    assert.ok(existsSync(join(server.dataDir, 'tls', 'cert.pem')) && existsSync(join(server.dataDir, 'tls', 'key.pem')), 'a self-signed certificate in the data dir');
    await server.dispose();
  });

  it('says clearly when a port is in use', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const dataDir = freshDataDir();
    const { code, stderr } = await run(['serve', '--smtp', `127.0.0.1:${port}`, '--submission', '127.0.0.1:0', '--http', '127.0.0.1:0', '--pop3', '127.0.0.1:0', '--imap', '127.0.0.1:0', '--data', dataDir]);
    blocker.close();
    removeDataDir(dataDir);
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`smtp: address 127\\.0\\.0\\.1:${port} is already in use`));
  });
});
