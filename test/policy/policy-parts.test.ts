/**
 * The policy's parts on their own, with time given by the test: aging counters, bans, subject
 * normalisation, magic addresses, networks, the blocked-words file, and the chain's decisions.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AgingCounter } from '../../src/policy/aging-counter.js';
import { Bans } from '../../src/policy/bans.js';
import { magicOf, MAX_DELAY_MS } from '../../src/policy/magic.js';
import { DEFAULT_TRUSTED, NetworkList, networkOf } from '../../src/policy/networks.js';
import { SmtpPolicy, type PolicySettings } from '../../src/policy/smtp-policy.js';
import { normalizeSubject } from '../../src/policy/subject.js';
import { BlockedWords } from '../../src/policy/words.js';
import { ManualClock } from '../helpers/clock.js';

describe('aging counter', () => {
  it('counts in a window that starts at the first event and forgets after it', () => {
    const counter = new AgingCounter(120_000, 10);
    assert.equal(counter.hit('a', 0), 1);
    assert.equal(counter.hit('a', 60_000), 2);
    assert.equal(counter.resetAtMs('a', 60_000), 120_000);
    assert.equal(counter.hit('a', 119_999), 3);
    assert.equal(counter.hit('a', 120_000), 1, 'a new window');
  });

  it('holds at most its cap of keys, dropping the least recently touched', () => {
    const counter = new AgingCounter(60_000, 3);
    for (const key of ['a', 'b', 'c']) counter.hit(key, 0);
    counter.hit('a', 1);
    counter.hit('d', 2);
    assert.equal(counter.size, 3);
    assert.equal(counter.count('b', 3), 0, 'b was the least recently touched');
    assert.equal(counter.count('a', 3), 2);
    assert.deepEqual(counter.hottest(1, 3).map((c) => c.key), ['a']);
  });
});

describe('bans', () => {
  it('finds a ban until it expires, extends rather than shortens, and lifts by id', () => {
    const bans = new Bans(2);
    const ban = bans.add('ip', '192.0.2.1', 'ip-rate', 0, 1000);
    assert.equal(bans.add('ip', '192.0.2.1', 'again', 10, 500).untilMs, 1000);
    assert.equal(bans.find('ip', '192.0.2.1', 999)?.id, ban.id);
    assert.equal(bans.find('ip', '192.0.2.1', 1000), null);
    const s = bans.add('subject', 'x', 'flood', 0, 5000);
    bans.add('network', '198.51.100.0/24', 'rate', 0, 9000);
    bans.add('ip', '192.0.2.9', 'rate', 0, 7000);
    assert.equal(bans.list(1).length, 2, 'capped: the one closest to expiry made room');
    assert.equal(bans.find('subject', 'x', 1), null);
    assert.equal(bans.lift(s.id), false);
    assert.equal(bans.lift(bans.list(1)[0]!.id), true);
    assert.equal(bans.list(1).length, 1);
  });
});

describe('subject normalisation', () => {
  it('strips reply prefixes, collapses digits and whitespace, ignores case', () => {
    assert.equal(normalizeSubject('Re: Fwd:  Your ORDER 12345   shipped'), 'your order # shipped');
    assert.equal(normalizeSubject('AW: your order 9 shipped'), normalizeSubject('your order 777 shipped'));
    assert.notEqual(normalizeSubject('your order shipped'), normalizeSubject('your parcel shipped'));
  });
});

describe('magic addresses', () => {
  it('reads the scripted outcome from the local part', () => {
    assert.deepEqual(magicOf('rcpt-451-x'), { kind: 'rcpt', code: 451 });
    assert.deepEqual(magicOf('RCPT-550'), { kind: 'rcpt', code: 550 });
    assert.deepEqual(magicOf('data-452.test'), { kind: 'data', code: 452 });
    assert.deepEqual(magicOf('data-554'), { kind: 'data', code: 554 });
    assert.deepEqual(magicOf('delay-30s-a'), { kind: 'delay', ms: 30_000 });
    assert.deepEqual(magicOf('delay-250ms'), { kind: 'delay', ms: 250 });
    assert.deepEqual(magicOf('delay-9m'), { kind: 'delay', ms: MAX_DELAY_MS }, 'capped at 5 minutes');
    assert.deepEqual(magicOf('greylist-10s-x'), { kind: 'greylist', ms: 10_000 });
    assert.deepEqual(magicOf('greylist'), { kind: 'greylist', ms: 60_000 });
    assert.deepEqual(magicOf('disconnect-now'), { kind: 'disconnect' });
    assert.equal(magicOf('delay-soon'), null);
    assert.equal(magicOf('joe'), null);
  });
});

describe('networks', () => {
  it('matches the default trusted networks and IPv4-mapped addresses', () => {
    const trusted = new NetworkList(DEFAULT_TRUSTED);
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.31.0.1', '192.168.1.1', '::1', 'fd00::1', '::ffff:127.0.0.1']) assert.ok(trusted.has(ip), ip);
    for (const ip of ['8.8.8.8', '172.32.0.1', '2001:db8::1', 'not-an-ip']) assert.ok(!trusted.has(ip), ip);
    assert.ok(!new NetworkList([]).has('127.0.0.1'));
    assert.throws(() => new NetworkList(['10.0.0.0/33']), /not an address or CIDR/);
  });

  it('puts a client in its /24 or /64', () => {
    assert.equal(networkOf('192.0.2.77'), '192.0.2.0/24');
    assert.equal(networkOf('::ffff:192.0.2.77'), '192.0.2.0/24');
    assert.equal(networkOf('2001:db8:1:2:3::4'), '2001:db8:1:2::/64');
    assert.equal(networkOf('2001:db8::4'), networkOf('2001:0db8:0:0:ffff::1'));
  });
});

describe('blocked subject words', () => {
  it('matches whole words and phrases, and re-reads the file when it changes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidemail-words-'));
    const file = join(dir, 'words.txt');
    writeFileSync(file, '# a comment\ncasino\nfree   money\n\n');
    let now = 0;
    const problems: string[] = [];
    const words = new BlockedWords(file, () => now, (m) => problems.push(m));
    assert.equal(words.match('Best CASINO bonus'), 'casino');
    assert.equal(words.match('Free Money inside'), 'free money');
    assert.equal(words.match('casinos near you'), null, 'whole words only');
    writeFileSync(file, 'lottery\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    assert.equal(words.match('lottery win'), null, 'not re-read within a second');
    now += 1000;
    assert.equal(words.match('lottery win'), 'lottery');
    assert.equal(words.match('casino'), null);
    rmSync(file);
    now += 1000;
    assert.equal(words.match('lottery'), null, 'a missing file blocks nothing');
    now += 1000;
    words.match('lottery');
    assert.equal(problems.length, 1, 'reported once, not per message');
    rmSync(dir, { recursive: true, force: true });
  });
});

function settings(overrides: Partial<PolicySettings> = {}): PolicySettings {
  return {
    enabled: true,
    trusted: new NetworkList(['127.0.0.1/32']),
    ipRate: { count: 3, windowMs: 60_000 },
    networkRate: { count: 5, windowMs: 60_000 },
    banMs: 600_000,
    subjectFlood: { count: 2, windowMs: 120_000 },
    subjectBanMs: 3_600_000,
    acceptBounces: false,
    words: null,
    tarpitMs: 10_000,
    strict: false,
    greetWaitMs: 2000,
    magicAddresses: true,
    maxConnections: 100,
    ...overrides,
  };
}

describe('the SMTP policy chain', () => {
  it('lets trusted clients through everything', () => {
    const clock = new ManualClock();
    const policy = new SmtpPolicy(settings(), clock, { refused: () => {} }, () => 0).forClient('127.0.0.1');
    for (let i = 0; i < 20; i++) assert.equal(policy.mail(''), null);
    assert.equal(policy.data('same'), null);
    assert.equal(policy.replyDelayMs(), 0);
    assert.equal(policy.greetWaitMs, 0);
  });

  it('defers past the rate, bans past twice the rate, and the ban holds at connect until it ends', () => {
    const clock = new ManualClock(0);
    const chain = new SmtpPolicy(settings(), clock, { refused: () => {} }, () => 0);
    const client = chain.forClient('192.0.2.1');
    for (let i = 0; i < 3; i++) assert.equal(client.mail('a@b.test'), null);
    clock.advance(15_000);
    assert.deepEqual(client.mail('a@b.test'), { action: 'defer', reason: 'ip-rate', text: 'Too much mail from your address; try again in 45 seconds' });
    client.mail('a@b.test');
    client.mail('a@b.test');
    assert.equal(client.mail('a@b.test')?.action, 'ban');
    assert.equal(chain.forClient('192.0.2.1').connect()?.action, 'ban');
    assert.equal(chain.forClient('192.0.2.2').connect(), null, 'another address of the network is not banned');
    assert.equal(chain.bans.list(clock.now())[0]?.kind, 'ip');
    clock.advance(600_000);
    assert.equal(chain.forClient('192.0.2.1').connect(), null);
  });

  it('counts the network across its addresses', () => {
    const chain = new SmtpPolicy(settings({ ipRate: { count: 0, windowMs: 1 } }), new ManualClock(), { refused: () => {} }, () => 0);
    for (let i = 1; i <= 5; i++) assert.equal(chain.forClient(`198.51.100.${i}`).mail('a@b.test'), null);
    assert.equal(chain.forClient('198.51.100.77').mail('a@b.test')?.reason, 'network-rate');
    assert.equal(chain.forClient('198.51.101.1').mail('a@b.test'), null);
  });

  it('refuses bounces from untrusted clients unless told to accept them', () => {
    const clock = new ManualClock();
    const strictChain = new SmtpPolicy(settings(), clock, { refused: () => {} }, () => 0);
    assert.equal(strictChain.forClient('192.0.2.5').mail('')?.reason, 'bounce');
    assert.equal(strictChain.forClient('192.0.2.5').mail('MAILER-DAEMON@x.test')?.reason, 'bounce');
    const open = new SmtpPolicy(settings({ acceptBounces: true }), clock, { refused: () => {} }, () => 0);
    assert.equal(open.forClient('192.0.2.5').mail(''), null);
  });

  it('bans a flooded subject for an hour, whatever the address and the digits', () => {
    const clock = new ManualClock(0);
    const chain = new SmtpPolicy(settings(), clock, { refused: () => {} }, () => 0);
    assert.equal(chain.forClient('192.0.2.10').data('Invoice 1001 is due'), null);
    assert.equal(chain.forClient('192.0.2.11').data('RE: invoice 1002 is due'), null);
    assert.equal(chain.forClient('192.0.2.12').data('Invoice 1003 is  due')?.reason, 'subject-flood');
    assert.equal(chain.forClient('203.0.113.1').data('invoice 9 is due')?.reason, 'subject-flood');
    assert.equal(chain.forClient('203.0.113.1').data('Hello there'), null);
    clock.advance(3_600_000);
    assert.equal(chain.forClient('203.0.113.2').data('invoice 9 is due'), null);
  });

  it('shrinks the tarpit linearly as sessions approach the cap', () => {
    let open = 0;
    const chain = new SmtpPolicy(settings(), new ManualClock(), { refused: () => {} }, () => open);
    const client = chain.forClient('192.0.2.20');
    assert.equal(client.replyDelayMs(), 10_000);
    open = 50;
    assert.equal(client.replyDelayMs(), 5_000);
    open = 100;
    assert.equal(client.replyDelayMs(), 0);
  });

  it('greylists a magic recipient per triplet until its time has passed', () => {
    const clock = new ManualClock(0);
    const client = new SmtpPolicy(settings(), clock, { refused: () => {} }, () => 0).forClient('127.0.0.1');
    const magic = { kind: 'greylist' as const, ms: 10_000 };
    assert.equal(client.greylistWaitMs(magic, 'a@b.test', 'greylist-10s@x.test'), 10_000);
    clock.advance(4_000);
    assert.equal(client.greylistWaitMs(magic, 'a@b.test', 'greylist-10s@x.test'), 6_000);
    assert.equal(client.greylistWaitMs(magic, 'c@b.test', 'greylist-10s@x.test'), 10_000, 'another sender is another triplet');
    clock.advance(6_000);
    assert.equal(client.greylistWaitMs(magic, 'a@b.test', 'greylist-10s@x.test'), 0);
  });
});
