/**
 * `tidemail user add NAME [--users FILE | --data DIR]`: set NAME's password in the submission
 * users file (default: `users` in the data dir, ./data, where `tidemail serve` looks too). The
 * password is read from stdin when it is not a terminal (`echo "$PW" | tidemail user add app`,
 * its first line), else prompted for twice without echo. Only the scrypt hash is written,
 * never the password; the file is replaced atomically (a temporary file renamed over it, mode
 * 0600), so a server re-reading it never sees half a file.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../config.js';
import { hashPassword } from './password.js';
import { isUserName, withUser } from './users.js';

export interface UserCommand {
  name: string;
  usersFile: string;
}

export const USER_HELP = `Usage: tidemail user add NAME [--users FILE | --data DIR]

Set NAME's submission password (read from stdin, or prompted for) in the users file:
--users FILE, else DIR/users (--data, default ./data). Env: TIDEMAIL_USERS, TIDEMAIL_DATA.`;

export function parseUserArgs(args: readonly string[], env: NodeJS.ProcessEnv): UserCommand {
  const [verb, name, ...rest] = args;
  if (verb !== 'add') throw new ConfigError(`unknown user command "${verb ?? ''}" (try: tidemail user add NAME)`);
  if (!name || !isUserName(name)) throw new ConfigError('user add needs a NAME without colons or blanks');
  let usersFile = env.TIDEMAIL_USERS ?? '';
  let dataDir = env.TIDEMAIL_DATA ?? './data';
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const match = /^--(users|data)(?:=(.*))?$/.exec(arg);
    if (!match) throw new ConfigError(`unexpected argument "${arg}" (see tidemail user --help)`);
    const value = match[2] ?? rest[++i];
    if (!value) throw new ConfigError(`--${match[1]} needs a value`);
    if (match[1] === 'users') usersFile = value;
    else dataDir = value;
  }
  return { name, usersFile: resolve(usersFile || `${dataDir}/users`) };
}

/** The password: stdin's first line when piped, else a prompt (twice, no echo). */
export async function readPassword(): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0]!;
  }
  const first = await prompt('Password: ');
  const second = await prompt('Again: ');
  if (first !== second) throw new ConfigError('the passwords differ');
  return first;
}

function prompt(question: string): Promise<string> {
  return new Promise((resolvePassword, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          return resolvePassword(typed);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          return reject(new ConfigError('cancelled'));
        }
        if (ch === '\u007f') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}

export async function addUser(command: UserCommand, password: string): Promise<void> {
  if (password === '') throw new ConfigError('the password is empty');
  const hash = await hashPassword(password);
  let text = '';
  try {
    text = readFileSync(command.usersFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const temporary = `${command.usersFile}.${process.pid}.tmp`;
  writeFileSync(temporary, withUser(text, command.name, hash), { mode: 0o600 });
  renameSync(temporary, command.usersFile);
}
