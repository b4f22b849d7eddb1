/** Independent SMTP clients: Python's smtplib (plain and STARTTLS) and swaks. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { committedMessages, withoutTrace } from '../helpers/disk.js';
import { startServer, type TestServer } from '../helpers/server.js';

function python(script: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SMTPLIB_SEND = `
import smtplib, sys
port, tls = int(sys.argv[1]), sys.argv[2] == 'tls'
msg = b"From: Py <py@example.test>\\r\\nTo: pyinbox@tidemail.test\\r\\nSubject: from smtplib\\r\\n\\r\\nHello.\\r\\n.leading dot\\r\\n\\xc3\\xa9t\\xc3\\xa9\\r\\n"
with smtplib.SMTP('127.0.0.1', port) as s:
    s.ehlo('py.example.test')
    if tls:
        import ssl
        ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
        s.starttls(context=ctx)
        s.ehlo('py.example.test')
    refused = s.sendmail('py@example.test', ['PyInbox+tag@tidemail.test', 'elsewhere@nowhere.example'], msg)
    print(sorted(refused.items()))
sys.stdout.write(msg.decode('utf-8'))
`;

describe('independent SMTP clients', () => {
  let server: TestServer;
  before(async () => (server = await startServer({ args: ['--domains', 'tidemail.test'] })));
  after(async () => {
    await server.dispose();
  });

  for (const mode of ['plain', 'tls'] as const) {
    it(`Python smtplib sends over ${mode === 'tls' ? 'STARTTLS' : 'plain SMTP'}; the message is stored byte for byte`, () => {
      const before = committedMessages(server.dataDir, 'pyinbox').length;
      const r = python(SMTPLIB_SEND, String(server.smtpPort), mode);
      assert.equal(r.code, 0, r.stderr);
      const [refusedLine, ...sent] = r.stdout.split('\n');
      assert.match(refusedLine!, /'elsewhere@nowhere\.example', \(550, b'5\.7\.1 Relaying denied/, 'the foreign recipient is refused, the other accepted');
      const stored = committedMessages(server.dataDir, 'pyinbox');
      assert.equal(stored.length, before + 1);
      const last = stored.at(-1)!;
      assert.equal(withoutTrace(last.raw).toString('utf8'), sent.join('\n'));
      assert.deepEqual(last.rcptTo, ['PyInbox+tag@tidemail.test']);
      assert.match(last.raw.toString(), mode === 'tls' ? /with ESMTPS id/ : /with ESMTP id/);
    });
  }

  it('swaks delivers with pipelining and reports success', () => {
    const r = spawnSync(
      'swaks',
      ['--server', '127.0.0.1', '--port', String(server.smtpPort), '--from', 'swaks@example.test', '--to', 'swaksbox@tidemail.test', '--pipeline', '--header', 'Subject: via swaks', '--body', 'Sent by swaks.'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(r.error, undefined, 'swaks is installed (.ci/run installs it)');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /<- +250 2\.0\.0 OK: queued as/);
    const [stored] = committedMessages(server.dataDir, 'swaksbox');
    assert.equal(stored?.subject, 'via swaks');
    assert.match(stored.raw.toString(), /\r\n\r\nSent by swaks\.\r\n/);
  });

  it('swaks sees a refusal for a domain that is not ours', () => {
    const r = spawnSync('swaks', ['--server', '127.0.0.1', '--port', String(server.smtpPort), '--to', 'x@not-ours.example', '--from', 'a@b.test'], { encoding: 'utf8', timeout: 30_000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stdout, /550 5\.7\.1/);
  });
});
