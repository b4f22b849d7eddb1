/**
 * A mail exchanger's addresses are looked up once per TTL (the test DNS server answers with
 * TTL 60 s), on the injected clock, not once per connection; a failed lookup is not kept.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { NextHopResolver } from '../../src/relay/next-hop.js';
import { ManualClock } from '../helpers/clock.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';

let dns: TestDnsServer;
before(async () => {
  dns = await startDnsServer({ 'mx.ttl.test': { A: ['127.0.0.2'] }, 'broken.ttl.test': 'SERVFAIL' });
});
after(() => dns.close());

test("a host's addresses are kept for their TTL, and asked for again after it", async () => {
  const clock = new ManualClock();
  const hops = new NextHopResolver({ clock, dnsServers: [dns.address], smartHost: null, cacheMs: 300_000 });
  const start = dns.queries.length;
  const asked = (): number => dns.queries.slice(start).filter((q) => q.endsWith(' mx.ttl.test')).length;
  assert.deepEqual(await hops.addresses('mx.ttl.test'), ['127.0.0.2']);
  assert.equal(asked(), 2, 'A and AAAA');
  clock.advance(59_000);
  assert.deepEqual(await hops.addresses('mx.ttl.test'), ['127.0.0.2']);
  assert.equal(asked(), 2, 'within the TTL: from the cache');
  clock.advance(1_000);
  assert.deepEqual(await hops.addresses('mx.ttl.test'), ['127.0.0.2']);
  assert.equal(asked(), 4, 'after the TTL: asked again');
});

test('the cache time caps the TTL, and a failed lookup is asked again at once', async () => {
  const clock = new ManualClock();
  const hops = new NextHopResolver({ clock, dnsServers: [dns.address], smartHost: null, cacheMs: 10_000 });
  const start = dns.queries.length;
  const asked = (name: string): number => dns.queries.slice(start).filter((q) => q.endsWith(` ${name}`)).length;
  await hops.addresses('mx.ttl.test');
  clock.advance(9_999);
  await hops.addresses('mx.ttl.test');
  assert.equal(asked('mx.ttl.test'), 2, 'kept for cacheMs');
  clock.advance(1);
  await hops.addresses('mx.ttl.test');
  assert.equal(asked('mx.ttl.test'), 4, 'and no longer, though the TTL is longer');
  await assert.rejects(hops.addresses('broken.ttl.test'));
  const failed = asked('broken.ttl.test');
  await assert.rejects(hops.addresses('broken.ttl.test'));
  assert.equal(asked('broken.ttl.test'), 2 * failed, 'SERVFAIL is not cached');
});
