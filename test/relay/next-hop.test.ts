/** MX lookup against a real (test) DNS server: preference order, implicit MX, null MX, NXDOMAIN, SERVFAIL, smart host. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NextHopResolver } from '../../src/relay/next-hop.js';
import { ManualClock } from '../helpers/clock.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';

let dns: TestDnsServer;
let clock: ManualClock;
let hops: NextHopResolver;

before(async () => {
  dns = await startDnsServer({
    'pref.test': { MX: [{ preference: 20, exchange: 'mx2.pref.test' }, { preference: 10, exchange: 'mx1.pref.test' }] },
    'mx1.pref.test': { A: ['127.0.0.2'] },
    'mx2.pref.test': { A: ['127.0.0.3'], AAAA: ['::1'] },
    'plain.test': { A: ['127.0.0.4'] },
    'null.test': { MX: [{ preference: 0, exchange: '.' }] },
    'broken.test': 'SERVFAIL',
    'empty.test': {},
  });
  clock = new ManualClock();
  hops = new NextHopResolver({ clock, dnsServers: [dns.address], smartHost: null });
});
after(() => dns.close());

test('MX hosts come lowest preference first, and each host resolves to its addresses', async () => {
  const hop = await hops.forDomain('pref.test');
  assert.equal(hop.kind, 'hosts');
  assert.deepEqual(hop.kind === 'hosts' && hop.hosts.map((h) => `${h.name}:${h.port}`), ['mx1.pref.test:25', 'mx2.pref.test:25']);
  assert.deepEqual(await hops.addresses('mx2.pref.test'), ['127.0.0.3', '::1']);
});

test('no MX records: the domain itself is the host (RFC 5321 §5.1)', async () => {
  const hop = await hops.forDomain('plain.test');
  assert.deepEqual(hop.kind === 'hosts' && hop.hosts, [{ name: 'plain.test', port: 25 }]);
});

test('a null MX bounces with 556 5.1.10 (RFC 7505)', async () => {
  const hop = await hops.forDomain('null.test');
  assert.equal(hop.kind, 'failed');
  assert.ok(hop.kind === 'failed' && hop.permanent && hop.reply.startsWith('556 5.1.10'), JSON.stringify(hop));
});

test('NXDOMAIN and a domain with no MX and no address are permanent; SERVFAIL is temporary', async () => {
  const nx = await hops.forDomain('nowhere.test');
  assert.ok(nx.kind === 'failed' && nx.permanent && nx.reply.startsWith('550 5.1.2'), JSON.stringify(nx));
  const empty = await hops.forDomain('empty.test');
  assert.ok(empty.kind === 'failed' && empty.permanent, JSON.stringify(empty));
  const servfail = await hops.forDomain('broken.test');
  assert.ok(servfail.kind === 'failed' && !servfail.permanent && servfail.reply.startsWith('451'), JSON.stringify(servfail));
});

test('answers are cached on the clock; temporary failures are not', async () => {
  const before = dns.queries.length;
  await hops.forDomain('pref.test');
  assert.equal(dns.queries.length, before, 'cached');
  clock.advance(61_000);
  await hops.forDomain('pref.test');
  assert.equal(dns.queries.length, before + 1, 'asked again after the cache time');
  await hops.forDomain('broken.test');
  await new Promise((resolve) => setImmediate(resolve));
  const afterServfail = dns.queries.length;
  await hops.forDomain('broken.test');
  assert.ok(dns.queries.length > afterServfail, 'SERVFAIL asked again');
});

test('a smart host replaces MX lookup for every domain', async () => {
  const smart = new NextHopResolver({ clock, dnsServers: [dns.address], smartHost: { name: '127.0.0.9', port: 2525 } });
  const hop = await smart.forDomain('anything.example');
  assert.deepEqual(hop.kind === 'hosts' && hop.hosts, [{ name: '127.0.0.9', port: 2525 }]);
});
