/**
 * A private Postfix instance as a receiving MX: its own config, queue and data directories in
 * a temporary dir (never the system service), smtpd on one loopback address's port 25, and
 * virtual(8) delivery of every recipient at the test domain into one maildir. Postfix writes
 * maildir files with LF line ends and its own Return-Path/Delivered-To/Received on top.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const NOBODY = 65534;

export interface PostfixMx {
  dir: string;
  /** Files delivered to the maildir so far (new/), read whole. */
  delivered(): Buffer[];
  stop(): Promise<void>;
}

const SERVICES = [
  ['smtpd-listener', ''],
  ['pickup', 'unix  n - n 60 1 pickup'],
  ['cleanup', 'unix  n - n - 0 cleanup'],
  ['qmgr', 'unix  n - n 300 1 qmgr'],
  ['rewrite', 'unix  - - n - - trivial-rewrite'],
  ['bounce', 'unix  - - n - 0 bounce'],
  ['defer', 'unix  - - n - 0 bounce'],
  ['trace', 'unix  - - n - 0 bounce'],
  ['verify', 'unix  - - n - 1 verify'],
  ['flush', 'unix  n - n 1000? 0 flush'],
  ['proxymap', 'unix  - - n - - proxymap'],
  ['smtp', 'unix  - - n - - smtp'],
  ['relay', 'unix  - - n - - smtp'],
  ['showq', 'unix  n - n - - showq'],
  ['error', 'unix  - - n - - error'],
  ['retry', 'unix  - - n - - error'],
  ['discard', 'unix  - - n - - discard'],
  ['local', 'unix  - n n - - local'],
  ['virtual', 'unix  - n n - - virtual'],
  ['anvil', 'unix  - - n - 1 anvil'],
  ['scache', 'unix  - - n - 1 scache'],
  ['postlog', 'unix-dgram n - n - 1 postlogd'],
] as const;

export async function startPostfixMx(address: string, domain: string): Promise<PostfixMx> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-postfix-'));
  chmodSync(dir, 0o755);
  const config = join(dir, 'etc');
  const mail = join(dir, 'mail');
  for (const d of [config, join(dir, 'queue'), join(dir, 'data'), mail]) mkdirSync(d, { recursive: true });
  chownSync(mail, NOBODY, NOBODY);
  const owner = postfixUser();
  chownSync(join(dir, 'data'), owner.uid, owner.gid);
  writeFileSync(
    join(config, 'main.cf'),
    [
      'compatibility_level = 3.6',
      `queue_directory = ${dir}/queue`,
      `data_directory = ${dir}/data`,
      'mail_owner = postfix',
      'setgid_group = postdrop',
      // Postfix accepts only addresses of configured interfaces here; the listener in master.cf names ours.
      'inet_interfaces = 127.0.0.1',
      'inet_protocols = ipv4',
      `myhostname = mx.${domain}`,
      'mydestination =',
      'mynetworks = 127.0.0.0/8',
      'alias_maps =',
      'alias_database =',
      'local_recipient_maps =',
      `virtual_mailbox_domains = ${domain}`,
      `virtual_mailbox_base = ${mail}`,
      'virtual_mailbox_maps = static:inbox/',
      `virtual_uid_maps = static:${NOBODY}`,
      `virtual_gid_maps = static:${NOBODY}`,
      'smtputf8_enable = yes',
      `maillog_file = ${dir}/maillog`,
      `maillog_file_prefixes = ${dir}`,
      'smtpd_recipient_restrictions = permit_mynetworks, reject_unauth_destination',
      'biff = no',
      'smtp_dns_support_level = disabled',
      'disable_dns_lookups = yes',
      '',
    ].join('\n'),
  );
  const master = SERVICES.map(([name, rest]) => (name === 'smtpd-listener' ? `${address}:smtp inet n - n - - smtpd` : `${name} ${rest}`));
  writeFileSync(join(config, 'master.cf'), master.join('\n') + '\n');
  try {
    await run('/usr/sbin/postfix', ['-c', config, 'start'], { timeout: 30_000 }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`${error.message}\n${error.stderr ?? ''}`);
    });
  } catch (error) {
    const log = readMaybe(join(dir, 'maillog'));
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`postfix would not start: ${String(error)}\n${log}`);
  }
  const inbox = join(mail, 'inbox', 'new');
  return {
    dir,
    delivered() {
      try {
        return readdirSync(inbox).sort().map((f) => readFileSync(join(inbox, f)));
      } catch {
        return [];
      }
    },
    async stop() {
      await run('/usr/sbin/postfix', ['-c', config, 'stop'], { timeout: 30_000 }).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The mail_owner account Debian's package created (its data directory must be its own). */
function postfixUser(): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postfix:'));
  const fields = line?.split(':');
  if (!fields) throw new Error('no postfix user in /etc/passwd: is Debian\'s postfix package installed?');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function readMaybe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
