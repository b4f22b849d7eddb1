/**
 * The IMAP reference: Debian's Dovecot 2.3 (`apt-get install dovecot-imapd`), never the system
 * service but a private instance: its own config, run, state and mail folders in a temporary
 * directory, one IMAP listener on 127.0.0.1, plaintext LOGIN with any password (passdb static
 * nopassword), every user's mail a Maildir owned by the `dovecot` system user (Dovecot refuses
 * to open mail as root). The load mailbox is written straight into Maildir/cur, the same bytes
 * Tidemail receives over SMTP. Missing binary → null, and the caller says the reference was skipped.
 */
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rawMessage } from './messages.js';
import { freePort } from '../reference.js';

export const DOVECOT = '/usr/sbin/dovecot';
const START_TIMEOUT_MS = 10_000;
/** The Debian package's unprivileged users: mail is owned by `dovecot`, login runs as `dovenull`. */
const MAIL_USER = 'dovecot';

export interface DovecotReference {
  pid: number;
  /** CPU seconds of the master and every process under it, ended ones included (they are reaped by the master). */
  cpuSeconds(): number;
  port: number;
  version: string;
  stop(): Promise<void>;
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** utime + stime of a process and, with `reaped`, of its waited-for children (cutime + cstime), in seconds; proc(5). */
function statCpu(pid: number, reaped: boolean): { ppid: number; seconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0);
    return { ppid: Number(f[1]), seconds: ticks / 100 };
  } catch {
    return null; // it has just exited
  }
}

export function treeCpuSeconds(root: number): number {
  const live = readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  const byPid = new Map<number, { ppid: number; seconds: number }>();
  for (const pid of live) {
    const s = statCpu(pid, pid === root);
    if (s) byPid.set(pid, s);
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 16; p = byPid.get(p)?.ppid ?? 0, hops++) if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const [pid, s] of byPid) if (inTree(pid)) total += s.seconds;
  return total;
}

function systemUser(name: string): { uid: number; gid: number } | null {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return null;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function config(dir: string, port: number, owner: { uid: number; gid: number }): string {
  return `# Private bench instance (bench/imapload/dovecot.ts); never the system service.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
first_valid_uid = ${owner.uid}
mail_location = maildir:${dir}/mail/%u
# Every load client logs in as the same user from the same address.
mail_max_userip_connections = 1000
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = static
  args = uid=${owner.uid} gid=${owner.gid} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
`;
}

/** Write `count` messages into user's Maildir/cur (seen by Dovecot as old, unflagged mail). */
function fillMaildir(dir: string, user: string, count: number, owner: { uid: number; gid: number }): void {
  const root = join(dir, 'mail', user);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(root, sub), { recursive: true });
  for (const path of [join(dir, 'mail'), root, join(root, 'cur'), join(root, 'new'), join(root, 'tmp')]) chownSync(path, owner.uid, owner.gid);
  for (let i = 0; i < count; i++) {
    const raw = rawMessage(i);
    // Maildir names: unique base, S= size (lets Dovecot skip a stat), :2, with no flags.
    const file = join(root, 'cur', `${1_700_000_000 + i}.M${i}P1.bench,S=${raw.length}:2,`);
    writeFileSync(file, raw);
    chownSync(file, owner.uid, owner.gid);
  }
}

export async function startDovecot(user: string, count: number): Promise<DovecotReference | null> {
  const owner = systemUser(MAIL_USER);
  if (!existsSync(DOVECOT) || !owner) return null;
  const dir = mkdtempSync(join(tmpdir(), 'tidemail-dovecot-'));
  // The mail user must reach its Maildir under the temporary directory.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(conf, config(dir, port, owner));
  fillMaildir(dir, user, count, owner);
  const version = await new Promise<string>((resolve) => {
    const v = spawn(DOVECOT, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    v.stdout.on('data', (c: Buffer) => (out += c.toString()));
    v.once('exit', () => resolve(out.trim()));
  });
  const child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await greets(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const log = existsSync(join(dir, 'dovecot.log')) ? readFileSync(join(dir, 'dovecot.log'), 'utf8').slice(-1000) : '';
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`dovecot did not start: ${(stderr + log).trim() || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    pid: child.pid!,
    port,
    version,
    cpuSeconds: () => treeCpuSeconds(child.pid!),
    async stop() {
      // The master stops its login, auth and imap processes on SIGTERM.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
