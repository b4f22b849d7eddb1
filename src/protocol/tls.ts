/**
 * TLS for STARTTLS (SMTP), STLS (POP3) and STARTTLS (IMAP): one SecureContext for the process,
 * from --tls-cert/--tls-key or, without them, a self-signed certificate made once and kept in the
 * data dir so clients that pin it keep working across restarts.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import selfsigned from 'selfsigned';

export interface TlsFiles {
  certPath: string;
  keyPath: string;
}

export async function loadTlsContext(files: TlsFiles | null, dataDir: string, hostname: string): Promise<tls.SecureContext> {
  let paths = files;
  if (!paths) {
    const dir = join(dataDir, 'tls');
    paths = { certPath: join(dir, 'cert.pem'), keyPath: join(dir, 'key.pem') };
    if (!existsSync(paths.certPath) || !existsSync(paths.keyPath)) {
      mkdirSync(dir, { recursive: true });
      const pems = await selfsigned.generate([{ name: 'commonName', value: hostname }], {
        keySize: 2048,
        algorithm: 'sha256',
        extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }, { type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
      } as Parameters<typeof selfsigned.generate>[1]);
      writeFileSync(paths.keyPath, pems.private, { mode: 0o600 });
      writeFileSync(paths.certPath, pems.cert);
    }
  }
  try {
    return tls.createSecureContext({ cert: readFileSync(paths.certPath), key: readFileSync(paths.keyPath) });
  } catch (error) {
    throw new Error(`cannot load TLS certificate ${paths.certPath} / key ${paths.keyPath}: ${(error as Error).message}`);
  }
}

/** A client that starts a handshake and never finishes it must not hold its slot (tls.Server's default). */
const HANDSHAKE_TIMEOUT_MS = 120_000;

/**
 * Upgrade a plaintext socket in place (after "220 Ready to start TLS" / "+OK Begin TLS").
 * The caller must already have discarded any plaintext buffered after the command.
 */
export function upgradeToTls(socket: Socket, context: tls.SecureContext, handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = new tls.TLSSocket(socket, { isServer: true, secureContext: context });
    const timer = setTimeout(() => secure.destroy(new Error('TLS handshake timed out')), handshakeTimeoutMs);
    const onError = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    secure.once('error', onError);
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.off('error', onError);
      resolve(secure);
    });
  });
}

/**
 * What every protocol does after answering STARTTLS/STLS: throw away what the client sent in
 * plaintext behind the command, which must never be acted on after the handshake (RFC 3207 §4.2,
 * RFC 2595 §4, RFC 3501 §6.2.1; CVE-2011-0411), stop listening to the plaintext socket, upgrade
 * it, and tie the two sockets' lifetimes together. Resolves with the TLS socket, or null if the
 * handshake failed or the session was closed meanwhile (`isClosed`); the connection is then closed.
 */
export async function switchToTls(
  plain: Socket,
  context: tls.SecureContext,
  buffered: { discard(): void },
  isClosed: () => boolean,
): Promise<tls.TLSSocket | null> {
  buffered.discard();
  plain.removeAllListeners('data');
  plain.removeAllListeners('timeout');
  plain.setTimeout(0); // the handshake has its own deadline
  try {
    const secure = await upgradeToTls(plain, context);
    secure.once('close', () => plain.destroy());
    if (!isClosed()) return secure;
    secure.destroy();
    return null;
  } catch {
    plain.destroy();
    return null;
  }
}
