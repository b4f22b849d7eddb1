/**
 * Greylisting proven against a real sender: a private Postfix instance (its own config, queue
 * and data directories under a temp dir, no listener of its own, `relayhost` = Tidemail's
 * SMTP port, `smtp_bind_address` = 127.0.0.6, untrusted under `--trusted-networks 127.0.0.1/32`)
 * relays a message submitted with `sendmail -C`. With `--greylist-delay 5s` and Postfix's first
 * retry after 6 s, the message is deferred once, arrives on the retry, and is stored byte for
 * byte as submitted (after our trace header and Postfix's own). Postfix is stopped in every
 * outcome.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { committedMessages, withoutTrace } from '../helpers/disk.js';
import { eventually } from '../helpers/eventually.js';
import { getJson } from '../helpers/http.js';
import { startServer, type TestServer } from '../helpers/server.js';

const POSTFIX = '/usr/sbin/postfix';
const SENDMAIL = '/usr/sbin/sendmail';

/** The services a relay-only Postfix needs, none chrooted and none listening on a port. */
const MASTER_CF = `pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;

function mainCf(base: string, relayPort: number): string {
  return `compatibility_level = 3.6
queue_directory = ${base}/queue
data_directory = ${base}/data
command_directory = /usr/sbin
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
meta_directory = /etc/postfix
mail_owner = postfix
setgid_group = postdrop
myhostname = sender.test
mydomain = sender.test
myorigin = sender.test
mydestination =
inet_protocols = ipv4
relayhost = [127.0.0.1]:${relayPort}
smtp_bind_address = 127.0.0.6
smtp_tls_security_level = none
# The first retry comes 6 s after a deferral, past the test's 5 s greylist delay: deferred once.
minimal_backoff_time = 6s
maximal_backoff_time = 6s
queue_run_delay = 1s
maillog_file_prefixes = ${base}
maillog_file = ${base}/maillog
alias_maps =
alias_database =
smtputf8_enable = no
biff = no
`;
}

/** Submitted with LF line ends, as a local program would; a leading dot and 8-bit UTF-8 on the way. */
const SUBMITTED = [
  'From: Alice <alice@sender.test>',
  'To: bob@tidemail.test',
  'Subject: greylisted, then delivered',
  'Date: Tue, 01 Dec 2026 10:00:00 +0000',
  'Message-ID: <greylist-postfix-1@sender.test>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'Deferred once by the greylist, delivered on the retry.',
  '.a line that starts with a dot',
  'Grüße, ünïcødé',
  '',
].join('\n');

describe('greylisting with Postfix as the sending MTA', () => {
  let server: TestServer;
  let base = '';
  let config = '';
  let postfixStarted = false;

  before(async () => {
    assert.ok(existsSync(POSTFIX), 'Postfix is installed (.ci/run installs it, without starting its daemon)');
    assert.equal(userInfo().uid, 0, 'a private Postfix instance needs root to start its master');
    server = await startServer({ expect: ['smtp', 'http'], args: ['--trusted-networks', '127.0.0.1/32', '--greet-wait', '0', '--greylist', 'on', '--greylist-delay', '5s'] });
    base = mkdtempSync(join(tmpdir(), 'tidemail-postfix-'));
    chmodSync(base, 0o755); // the postfix user must reach its queue directory
    config = join(base, 'config');
    mkdirSync(config);
    mkdirSync(join(base, 'queue'));
    mkdirSync(join(base, 'data'));
    const owner = spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8' });
    chownSync(join(base, 'data'), Number(owner.stdout.trim()), 0);
    writeFileSync(join(config, 'main.cf'), mainCf(base, server.smtpPort));
    writeFileSync(join(config, 'master.cf'), MASTER_CF);
    const start = spawnSync(POSTFIX, ['-c', config, 'start'], { encoding: 'utf8', timeout: 30_000 });
    postfixStarted = true;
    assert.equal(start.status, 0, `postfix start: ${start.stdout}${start.stderr}${maillog()}`);
  });

  after(async () => {
    if (postfixStarted) spawnSync(POSTFIX, ['-c', config, 'stop'], { encoding: 'utf8', timeout: 30_000 });
    await server?.dispose();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  const maillog = (): string => (base && existsSync(join(base, 'maillog')) ? readFileSync(join(base, 'maillog'), 'utf8') : '');

  it('is deferred once, arrives on the retry, and is stored byte for byte', { timeout: 90_000 }, async () => {
    const submit = spawnSync(SENDMAIL, ['-C', config, '-f', 'alice@sender.test', 'bob@tidemail.test'], { input: SUBMITTED, encoding: 'utf8', timeout: 30_000 });
    assert.equal(submit.status, 0, `sendmail: ${submit.stderr}`);

    const waited = await getJson<{ id: number }>(`http://127.0.0.1:${server.ports.http}/api/v1/inboxes/bob/wait?after=0&timeout=60`);
    assert.equal(waited.status, 200, `the message arrived within 60 s\n${maillog()}`);

    const log = await eventually(async () => (/status=sent/.test(maillog()) ? maillog() : null), 'Postfix logging the delivery', 20_000);
    const deferrals = [...log.matchAll(/status=deferred \(host 127\.0\.0\.1\[127\.0\.0\.1\] said: (451 4\.7\.1 Greylisted, try again in \d+ seconds)/g)];
    assert.equal(deferrals.length, 1, `deferred exactly once by the greylist:\n${log}`);
    assert.match(deferrals[0]![1]!, /^451 4\.7\.1 Greylisted, try again in 5 seconds$/);

    const [stored, ...others] = committedMessages(server.dataDir, 'bob');
    assert.ok(stored);
    assert.deepEqual(others, [], 'stored once');
    assert.equal(stored.mailFrom, 'alice@sender.test');
    const afterOurs = withoutTrace(stored.raw);
    assert.match(stored.raw.toString('utf8', 0, 200), /^Received: from sender\.test \(\[127\.0\.0\.6\]\)/, 'from the untrusted address Postfix bound');
    assert.match(afterOurs.toString('utf8', 0, 200), /^Received: by sender\.test \(Postfix/, 'then Postfix\'s own trace header');
    assert.equal(withoutTrace(afterOurs).toString('utf8'), SUBMITTED.replace(/\n/g, '\r\n'), 'the rest as submitted, byte for byte');

    const metrics = await (await fetch(`http://127.0.0.1:${server.ports.http}/metrics`)).text();
    assert.match(metrics, /^tidemail_greylist_deferred_total 1$/m);
    assert.match(metrics, /^tidemail_greylist_passed_total 1$/m);
  });
});
