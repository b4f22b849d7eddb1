/**
 * Password hashes for submission users: scrypt (node:crypto), in a PHC-style string
 * `$scrypt$ln=15,r=8,p=1$<salt>$<key>` (salt and key unpadded base64), so the cost can be raised
 * later without breaking old lines: each hash carries its own parameters.
 *
 * Why these costs: N = 2^15, r = 8, p = 1 costs 32 MiB and 0.1–0.35 s per check on this machine
 * class (the upper figure under load): slow for a guesser, invisible to a client that logs in
 * once per session; the brute-force throttle (policy/auth-throttle.ts) bounds how often anyone
 * can make us pay it, and the work runs on libuv's pool, never blocking the event loop. An unknown user is
 * checked against a dummy hash, so the answer's timing does not tell which users exist.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_BYTES = 32;
const SALT_BYTES = 16;
const DEFAULT_COST = { ln: 15, r: 8, p: 1 };
const HASH = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{16,})$/;

interface ParsedHash {
  options: ScryptOptions;
  salt: Buffer;
  key: Buffer;
}

function derive(password: string, salt: Buffer, keyBytes: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyBytes, options, (error, key) => (error ? reject(error) : resolve(key))));
}

function costOptions(ln: number, r: number, p: number): ScryptOptions {
  // maxmem: node's default (32 MiB) is exactly 128·N·r at ln=15, r=8 and would refuse it.
  return { N: 2 ** ln, r, p, maxmem: 256 * 2 ** ln * r + 1024 * 1024 };
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const { ln, r, p } = DEFAULT_COST;
  const key = await derive(password, salt, KEY_BYTES, costOptions(ln, r, p));
  const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
  return `$scrypt$ln=${ln},r=${r},p=${p}$${b64(salt)}$${b64(key)}`;
}

/** Null when `text` is not a hash this module writes (the users file reports the line). */
export function parseHash(text: string): ParsedHash | null {
  const match = HASH.exec(text);
  if (!match) return null;
  const [ln, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (ln < 10 || ln > 20 || r < 1 || p < 1) return null;
  return { options: costOptions(ln, r, p), salt: Buffer.from(match[4]!, 'base64'), key: Buffer.from(match[5]!, 'base64') };
}

const DUMMY: ParsedHash = { options: costOptions(DEFAULT_COST.ln, DEFAULT_COST.r, DEFAULT_COST.p), salt: Buffer.alloc(SALT_BYTES), key: Buffer.alloc(KEY_BYTES) };

/** Whether `password` matches `hash`; with no hash (an unknown user), false after the same work. */
export async function verifyPassword(password: string, hash: ParsedHash | null): Promise<boolean> {
  const target = hash ?? DUMMY;
  const key = await derive(password, target.salt, target.key.length, target.options);
  return timingSafeEqual(key, target.key) && hash !== null;
}
