/**
 * DKIM signing of relayed mail (mailauth 4) and `--relay-tls require`, against a scripted MX on
 * 127.0.0.10:25: the message the MX receives carries a DKIM-Signature for the From domain that
 * mailauth's verifier passes with the public key; with TLS required and a peer that offers no
 * STARTTLS, nothing is sent and the recipient is deferred, not bounced.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { DkimSigner } from '../../src/relay/dkim.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { message, startRig, type Rig } from './harness.js';
import { startScriptedMx, type ScriptedMx } from './peers.js';

let dns: TestDnsServer;
let peer: ScriptedMx;
let keyDir: string;
const rigs: Rig[] = [];
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

before(async () => {
  dns = await startDnsServer({ 'sig.test': { MX: [{ preference: 10, exchange: 'mx.sig.test' }] }, 'mx.sig.test': { A: ['127.0.0.10'] } });
  peer = await startScriptedMx('127.0.0.10', 'accept');
  keyDir = mkdtempSync(join(tmpdir(), 'tidemail-dkim-'));
  writeFileSync(join(keyDir, 'dkim.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
});

after(async () => {
  await Promise.all(rigs.map((r) => r.close()));
  await peer.stop();
  await dns.close();
  rmSync(keyDir, { recursive: true, force: true });
});

test('relayed mail is DKIM-signed for the From domain, and the signature verifies', async () => {
  const signer = new DkimSigner({ keyPath: join(keyDir, 'dkim.pem'), selector: 'tm1', domain: '' });
  const rig = startRig(dns.address, { prepare: (raw) => signer.sign(raw) });
  rigs.push(rig);
  await rig.queue.enqueue(message(['x@sig.test'], { from: 'app@brand.example' }));
  const got = await peer.next('message');
  const raw = Buffer.from(got.data!, 'base64');
  assert.match(raw.toString(), /^DKIM-Signature: .*d=brand\.example;/m);
  assert.match(raw.toString(), /s=tm1;/);
  const publicDer = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const result = await dkimVerify(raw, {
    resolver: async (name: string, type: string) => {
      if (type === 'TXT' && name === 'tm1._domainkey.brand.example') return [[`v=DKIM1; k=rsa; p=${publicDer}`]];
      throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    },
  });
  assert.equal(result.results[0]?.status.result, 'pass', JSON.stringify(result.results[0]?.status));
});

test('--relay-tls require: a peer without STARTTLS gets nothing, and the recipient is deferred', async () => {
  const rig = startRig(dns.address, { connection: { ehloName: 'relay.tidemail.test', tls: 'require', auth: null, connectTimeoutMs: 2_000, socketTimeoutMs: 2_000 } });
  rigs.push(rig);
  const before = peer.messages().length;
  await rig.queue.enqueue(message(['y@sig.test']));
  const [outcome] = await rig.settled(1);
  assert.equal(outcome!.state, 'deferred');
  assert.match(outcome!.attempt.reply, /^451 .*(ETLS|TLS not available)/);
  assert.equal(peer.messages().length, before);
});
