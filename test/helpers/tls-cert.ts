/**
 * One self-signed certificate for every test server on this machine. Without --tls-cert the
 * server generates a 2048-bit key in each fresh data dir, which cost 0.3–1 s of every server
 * start; the test suite starts dozens. The first test process to need it generates it into the
 * temporary directory and moves it into place whole, so concurrent test processes never read a
 * half-written one. Generation itself stays covered: see StartOptions.ownCertificate.
 */
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import selfsigned from 'selfsigned';

export interface CertificateFiles {
  certPath: string;
  keyPath: string;
}

const DIR = join(tmpdir(), `tidemail-test-tls-${userInfo().uid}`);

export async function testCertificate(): Promise<CertificateFiles> {
  const files = { certPath: join(DIR, 'cert.pem'), keyPath: join(DIR, 'key.pem') };
  if (existsSync(files.certPath)) return files;
  const pems = await selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] }],
  } as Parameters<typeof selfsigned.generate>[1]);
  const staging = mkdtempSync(`${DIR}-staging-`);
  writeFileSync(join(staging, 'key.pem'), pems.private, { mode: 0o600 });
  writeFileSync(join(staging, 'cert.pem'), pems.cert);
  try {
    renameSync(staging, DIR);
  } catch {
    // Another test process got there first: use its certificate.
    rmSync(staging, { recursive: true, force: true });
  }
  return files;
}
