/**
 * Aliases (--aliases, aliases(5) syntax) against the real CLI: another inbox, a group, an mbox
 * file (its content read back), a real program piped to (its stdin and environment recorded,
 * its exit status mapped by sysexits), loops broken, a chain too deep refused, bad lines logged
 * with their numbers, and the file re-read when it changes. Relayed aliases need a RelayQueue:
 * test/delivery/aliases-relay.test.ts.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { committedMessages } from '../helpers/disk.js';
import { eventually } from '../helpers/eventually.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawSmtpClient, sendMail, simpleMessage } from '../helpers/smtp-client.js';

const RECORD = `#!/bin/sh
# record.sh OUT STATUS: keep stdin and the envelope, then exit with STATUS.
{ echo "SENDER=$SENDER"; echo "RECIPIENT=$RECIPIENT"; echo "CLIENT_ADDRESS=$CLIENT_ADDRESS"; echo "ARGS=$*"; echo "---"; cat; } > "$1"
echo "recorded by record.sh"
exit "$2"
`;
const SLOW = `#!/bin/sh
exec sleep 30
`;

describe('aliases', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-aliases-'));
  const files = join(dir, 'mbox');
  const programs = join(dir, 'bin');
  const out = join(dir, 'out');
  const aliasesPath = join(dir, 'aliases');
  let server: TestServer;

  const deep = Array.from({ length: 12 }, (_, i) => `deep${i}: deep${i + 1}`).join('\n');
  const aliasesText = `# Tidemail test aliases
team: ann, bob, Carol@OURS.test
bob: ${files}/bob.mbox
keep: keep, ann
hook: "|${programs}/record.sh ${out}/hook.txt 0"
tempfail: "|${programs}/record.sh ${out}/tempfail.txt 75"
nouser: "|${programs}/record.sh ${out}/nouser.txt 67"
slow: "|${programs}/slow.sh"
loop1: loop2
loop2: loop1
${deep}
this line has no colon
escape: /etc/tidemail-escape.mbox
shelly: "|/bin/sh -c true"
everyone: team,
  hook
`;

  before(async () => {
    mkdirSync(files);
    mkdirSync(programs);
    mkdirSync(out);
    writeFileSync(join(programs, 'record.sh'), RECORD);
    writeFileSync(join(programs, 'slow.sh'), SLOW);
    chmodSync(join(programs, 'record.sh'), 0o755);
    chmodSync(join(programs, 'slow.sh'), 0o755);
    writeFileSync(aliasesPath, aliasesText);
    server = await startServer({
      args: ['--domains', 'ours.test', '--aliases', aliasesPath, '--alias-file-dir', files, '--alias-program-dir', programs, '--alias-program-timeout', '1s'],
    });
  });
  after(async () => {
    await server.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function send(to: string[], subject: string, body?: string): Promise<string> {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO sender.test');
    try {
      return (await sendMail(client, 'sender@example.test', to, simpleMessage(subject, body))).text;
    } finally {
      client.close();
    }
  }

  async function rcpt(to: string): Promise<string> {
    const { client } = await RawSmtpClient.open(server.smtpPort);
    await client.send('EHLO sender.test');
    await client.send('MAIL FROM:<sender@example.test>');
    const reply = (await client.send(`RCPT TO:<${to}>`)).text;
    client.close();
    return reply;
  }

  it('logs each bad line with its number and skips it', async () => {
    await server.logged(/aliases file .* line 23: expected name: value/);
    await server.logged(/line 24: \/etc\/tidemail-escape\.mbox is not under --alias-file-dir/);
    await server.logged(/line 25: \/bin\/sh is not under --alias-program-dir/);
    assert.match(await rcpt('escape@ours.test'), /^250/, 'a skipped alias is just an inbox');
  });

  it('expands a group recursively, once per final target, into inboxes and an mbox file', async () => {
    assert.match(await send(['team@ours.test', 'ann@ours.test', 'everyone@ours.test'], 'to the team', 'From the start, a line mbox must quote.\r\n>From quoted already.'), /^250/);
    assert.equal(committedMessages(server.dataDir, 'ann').length, 1, 'ann is reached three ways and gets it once');
    assert.equal(committedMessages(server.dataDir, 'carol').length, 1, 'an address at our domain is expanded as its local part');
    assert.equal(committedMessages(server.dataDir, 'team').length, 0, 'the alias itself is no inbox');
    assert.equal(committedMessages(server.dataDir, 'bob').length, 0);
    const mbox = readFileSync(join(files, 'bob.mbox'), 'utf8');
    assert.match(mbox, /^From sender@example\.test \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}\n/);
    assert.match(mbox, /\nReceived: from sender\.test /);
    assert.match(mbox, /\nSubject: to the team\n/);
    assert.match(mbox, /\n>From the start, a line mbox must quote\.\n>>From quoted already\.\n\n$/);
    assert.ok(!mbox.includes('\r'), 'LF line ends, as mbox readers expect');
    assert.equal(mbox.match(/^From /gm)?.length, 1, 'one message appended once');
    const hook = readFileSync(join(out, 'hook.txt'), 'utf8');
    assert.match(hook, /^SENDER=sender@example\.test\nRECIPIENT=team@ours\.test,ann@ours\.test,everyone@ours\.test\n/);
  });

  it('pipes to a real program, with no shell, the envelope in its environment and the message on stdin', async () => {
    assert.match(await send(['hook@ours.test'], 'for the hook'), /^250/);
    const hook = readFileSync(join(out, 'hook.txt'), 'utf8');
    assert.match(hook, /^SENDER=sender@example\.test\nRECIPIENT=hook@ours\.test\nCLIENT_ADDRESS=127\.0\.0\.1\nARGS=.*hook\.txt 0\n---\nReceived: from sender\.test/);
    assert.match(hook, /\r\nSubject: for the hook\r\n/);
  });

  it('answers a program\'s EX_TEMPFAIL with 451 4.3.0 and EX_NOUSER with 550 5.1.1, keeping nothing', async () => {
    assert.match(await send(['tempfail@ours.test', 'ann@ours.test'], 'tempfail'), /^451 4\.3\.0 Program alias: record\.sh exited with 75 \(EX_TEMPFAIL\): recorded by record\.sh/);
    assert.match(await send(['nouser@ours.test'], 'nouser'), /^550 5\.1\.1 .*exited with 67 \(EX_NOUSER\)/);
    assert.equal(committedMessages(server.dataDir, 'ann').filter((m) => m.subject === 'tempfail').length, 0, 'nothing stored when a program refused');
    assert.ok(existsSync(join(out, 'tempfail.txt')), 'the program did run');
  });

  it('kills a program past --alias-program-timeout and answers 451', async () => {
    assert.match(await send(['slow@ours.test'], 'slow'), /^451 4\.3\.0 .*timed out after 1000 ms/);
  });

  it('breaks a loop at the name met again and refuses a chain deeper than the limit (550 5.4.6)', async () => {
    assert.match(await send(['loop1@ours.test'], 'loop'), /^250/);
    assert.equal(committedMessages(server.dataDir, 'loop1').length, 1);
    assert.equal(committedMessages(server.dataDir, 'loop2').length, 0);
    assert.match(await send(['keep@ours.test'], 'keep a copy'), /^250/);
    assert.equal(committedMessages(server.dataDir, 'keep').length, 1, '`keep: keep, ann` keeps a copy');
    assert.match(await rcpt('deep0@ours.test'), /^550 5\.4\.6/);
    assert.match(await rcpt('deep5@ours.test'), /^250/, 'a chain within the limit is fine');
  });

  it('re-reads the file when it changes', async () => {
    writeFileSync(aliasesPath, `${aliasesText}late: ann\n`);
    await eventually(async () => {
      await send(['late@ours.test'], 'late alias');
      return committedMessages(server.dataDir, 'ann').some((m) => m.subject === 'late alias');
    }, 'the new alias');
  });
});
