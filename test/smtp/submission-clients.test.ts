/**
 * The submission port with real clients against the real CLI: `tidemail user add` writes a
 * hash (never the password), Python's smtplib logs in after starttls(), swaks logs in with
 * PLAIN and LOGIN, a wrong password is 535 to both, and a user added while the server runs can
 * log in at once (the users file is re-read when it changes; a bad line is logged with its
 * number).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { committedMessages } from '../helpers/disk.js';
import { eventually } from '../helpers/eventually.js';
import { CLI, freshDataDir, removeDataDir, startServer, type TestServer } from '../helpers/server.js';

function userAdd(name: string, password: string, usersFile: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'user', 'add', name, '--users', usersFile], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
    child.stdin.end(`${password}\n`);
  });
}

function python(script: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const SMTPLIB_SUBMIT = `
import smtplib, ssl, sys
port, user, password, to = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
msg = "From: App <app@tidemail.test>\\r\\nTo: " + to + "\\r\\nSubject: submitted by smtplib\\r\\n\\r\\nHello.\\r\\n"
with smtplib.SMTP('127.0.0.1', port) as s:
    s.ehlo('py.example.test')
    print('before tls:', s.has_extn('auth'))
    s.starttls(context=ctx)
    s.ehlo('py.example.test')
    print('after tls:', s.esmtp_features.get('auth'))
    try:
        s.login(user, password)
    except smtplib.SMTPAuthenticationError as e:
        print('refused', e.smtp_code, e.smtp_error.decode())
        sys.exit(0)
    print('refused:', s.sendmail('app@tidemail.test', [to], msg))
`;

describe('submission with real clients', () => {
  let server: TestServer;
  const dir = freshDataDir();
  const usersFile = join(dir, 'users');

  before(async () => {
    const added = await userAdd('app', 's3cret pass', usersFile);
    assert.equal(added.code, 0, added.stderr);
    writeFileSync(usersFile, `${readFileSync(usersFile, 'utf8')}not a user line\n`);
    server = await startServer({ args: ['--domains', 'tidemail.test', '--users', usersFile] });
  });
  after(async () => {
    await server.dispose();
    removeDataDir(dir);
  });

  it('tidemail user add writes an scrypt hash, never the password', () => {
    const text = readFileSync(usersFile, 'utf8');
    assert.match(text, /^app:\$scrypt\$ln=15,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/m);
    assert.ok(!text.includes('s3cret'));
  });

  it('logs a bad line of the users file with its number', async () => {
    await server.logged(/users file .* line 2: expected name:hash; skipped/);
  });

  it('Python smtplib: starttls() then login(), and the message is stored', async () => {
    const r = await python(SMTPLIB_SUBMIT, String(server.ports.submission), 'app', 's3cret pass', 'pysub@tidemail.test');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /before tls: False\nafter tls: +PLAIN LOGIN\nrefused: \{\}/);
    const [stored] = committedMessages(server.dataDir, 'pysub');
    assert.equal(stored?.subject, 'submitted by smtplib');
    assert.match(stored.raw.toString(), /^Received: from py\.example\.test .* with ESMTPS id/s);
  });

  it('Python smtplib: a wrong password is 535 5.7.8', async () => {
    const r = await python(SMTPLIB_SUBMIT, String(server.ports.submission), 'app', 'guess', 'pysub@tidemail.test');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /refused 535 5\.7\.8 Authentication credentials invalid/);
  });

  for (const mechanism of ['PLAIN', 'LOGIN']) {
    it(`swaks --auth ${mechanism} over STARTTLS delivers; a wrong password fails with 535`, async () => {
      const args = (password: string): string[] => [
        '--server', '127.0.0.1', '--port', String(server.ports.submission), '--tls', '--auth', mechanism, '--auth-user', 'app', '--auth-password', password,
        '--from', 'app@tidemail.test', '--to', `swaks-${mechanism.toLowerCase()}@tidemail.test`, '--header', `Subject: swaks ${mechanism}`,
      ];
      const ok = spawnSync('swaks', args('s3cret pass'), { encoding: 'utf8', timeout: 30_000 });
      assert.equal(ok.error, undefined, 'swaks is installed (.ci/run installs it)');
      assert.equal(ok.status, 0, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /<~ {2}235 2\.7\.0 Authentication successful/);
      assert.equal(committedMessages(server.dataDir, `swaks-${mechanism.toLowerCase()}`)[0]?.subject, `swaks ${mechanism}`);
      const bad = spawnSync('swaks', args('nope'), { encoding: 'utf8', timeout: 30_000 });
      assert.notEqual(bad.status, 0);
      assert.match(bad.stdout, /<~\* {1,2}535 5\.7\.8/);
    });
  }

  it('lets a user added while the server runs log in without a restart', async () => {
    const added = await userAdd('late', 'late pass', usersFile);
    assert.equal(added.code, 0, added.stderr);
    // The file is re-checked at most once a second: a login in that second may still be refused.
    await eventually(async () => /refused: \{\}/.test((await python(SMTPLIB_SUBMIT, String(server.ports.submission), 'late', 'late pass', 'latebox@tidemail.test')).stdout), 'the new user to log in');
    assert.equal(committedMessages(server.dataDir, 'latebox').length, 1);
  });
});
