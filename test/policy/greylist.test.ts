/**
 * The greylist's rules with time given by the test (ManualClock): the delay, the retry window,
 * the anti-hammer rule, the lifetime refreshed on each pass, the auto-whitelist, the /24 and /64
 * pools, the cap and its eviction order, the sweep, and the chain asking it at RCPT for
 * untrusted clients only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Greylist, SWEEP_MS, type GreylistSettings, type GreyVerdict } from '../../src/policy/greylist.js';
import { MemoryGreylistState, type GreylistState } from '../../src/policy/greylist-state.js';
import type { GreyCandidate, GreylistWhitelist } from '../../src/policy/greylist-whitelist.js';
import { NetworkList } from '../../src/policy/networks.js';
import { SmtpPolicy } from '../../src/policy/smtp-policy.js';
import { ManualClock } from '../helpers/clock.js';

const S = 1000;
const DEFAULTS: GreylistSettings = { delayMs: 300 * S, retryWindowMs: 86_400 * S, lifetimeMs: 35 * 86_400 * S, hammerMs: 0, autoWhitelistPasses: 5, maxEntries: 1000 };

function setup(settings: Partial<GreylistSettings> = {}, state: GreylistState = new MemoryGreylistState(), whitelist: GreylistWhitelist | null = null) {
  const clock = new ManualClock();
  const counts = { deferred: 0, passed: 0, whitelisted: [] as string[] };
  const greylist = new Greylist({ ...DEFAULTS, ...settings }, state, clock, {
    deferred: () => counts.deferred++,
    passed: () => counts.passed++,
    whitelisted: (by) => counts.whitelisted.push(by),
  }, whitelist);
  return { clock, greylist, counts, state };
}

const from = (ip: string, sender = 'alice@sender.test', recipient = 'bob@tidemail.test', helo = 'mx.sender.test'): GreyCandidate => ({ ip, helo, sender, recipient });
const deferred = (waitMs: number): GreyVerdict => ({ kind: 'defer', waitMs });
const PASS: GreyVerdict = { kind: 'pass' };

describe('greylist rules', () => {
  it('defers an unknown triplet for the delay, with the time left, and passes a retry after it', () => {
    const { clock, greylist, counts } = setup();
    assert.deepEqual(greylist.check(from('192.0.2.7')), deferred(300 * S));
    clock.advance(100 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), deferred(200 * S), 'a retry inside the delay is still deferred, with what is left');
    clock.advance(200 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), PASS, 'exactly the delay after the first attempt passes');
    clock.advance(1 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), PASS, 'and keeps passing: the triplet is white');
    assert.deepEqual(counts, { deferred: 2, passed: 2, whitelisted: [] });
  });

  it('keys on the triplet: another sender or recipient is greylisted of its own', () => {
    const { clock, greylist } = setup();
    greylist.check(from('192.0.2.7'));
    clock.advance(300 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), PASS);
    assert.equal(greylist.check(from('192.0.2.7', 'carol@sender.test')).kind, 'defer');
    assert.equal(greylist.check(from('192.0.2.7', 'alice@sender.test', 'dave@tidemail.test')).kind, 'defer');
    assert.deepEqual(greylist.check(from('192.0.2.7', 'ALICE@Sender.test', 'Bob@tidemail.test')), PASS, 'addresses compare without case');
  });

  it('treats a pool as one client: a retry from another host of the /24 (or /64) passes, another network does not', () => {
    const { clock, greylist } = setup();
    greylist.check(from('192.0.2.7'));
    greylist.check(from('2001:db8:1:2::25'));
    clock.advance(300 * S);
    assert.deepEqual(greylist.check(from('192.0.2.200')), PASS, 'Gmail retries from other hosts of the same /24');
    assert.deepEqual(greylist.check(from('::ffff:192.0.2.9')), PASS, 'an IPv4-mapped address is the same network');
    assert.equal(greylist.check(from('192.0.3.7')).kind, 'defer');
    assert.deepEqual(greylist.check(from('2001:db8:1:2:ffff::1')), PASS, 'the same /64');
    assert.equal(greylist.check(from('2001:db8:1:3::25')).kind, 'defer');
  });

  it('forgets a triplet not retried within the retry window: it starts over', () => {
    const { clock, greylist } = setup({ retryWindowMs: 3_600 * S });
    greylist.check(from('192.0.2.7'));
    clock.advance(3_600 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), deferred(300 * S), 'too late: deferred as new');
    clock.advance(300 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), PASS);
  });

  it('with --greylist-hammer, a retry sooner than it restarts the clock; one later waits only what is left', () => {
    const { clock, greylist } = setup({ hammerMs: 180 * S });
    greylist.check(from('192.0.2.7'));
    clock.advance(100 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), deferred(300 * S), 'hammering: the clock starts again');
    clock.advance(200 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), deferred(100 * S), '200 s after the last attempt is no hammering');
    clock.advance(100 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), PASS);
  });

  it('without --greylist-hammer, quick retries do not move the clock', () => {
    const { clock, greylist } = setup();
    greylist.check(from('192.0.2.7'));
    for (let i = 0; i < 29; i++) {
      clock.advance(10 * S);
      assert.equal(greylist.check(from('192.0.2.7')).kind, 'defer');
    }
    clock.advance(10 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), PASS);
  });

  it('keeps a passed triplet for the lifetime after its last pass, refreshed by each pass', () => {
    const { clock, greylist, state } = setup({ lifetimeMs: 10 * 86_400 * S, autoWhitelistPasses: 0 });
    greylist.check(from('192.0.2.7'));
    clock.advance(300 * S);
    greylist.check(from('192.0.2.7'));
    clock.advance(9 * 86_400 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), PASS, 'day 9: still white, and refreshed');
    clock.advance(9 * 86_400 * S);
    assert.deepEqual(greylist.check(from('192.0.2.7')), PASS, 'day 18: white thanks to the refresh on day 9');
    const white = state.get('triplet', '192.0.2.0/24', 'alice@sender.test', 'bob@tidemail.test')!;
    assert.equal(white.kind, 'white');
    assert.equal(white.passes, 3);
    assert.equal(white.expiresAtMs, clock.now() + 10 * 86_400 * S);
    clock.advance(10 * 86_400 * S);
    assert.equal(greylist.check(from('192.0.2.7')).kind, 'defer', 'unused for the whole lifetime: greylisted again');
  });

  it('whitelists a client network as a whole after --greylist-auto-whitelist passes', () => {
    const { clock, greylist, counts } = setup({ autoWhitelistPasses: 3 });
    for (let i = 0; i < 3; i++) greylist.check(from('192.0.2.7', `s${i}@sender.test`));
    clock.advance(300 * S);
    for (let i = 0; i < 3; i++) assert.deepEqual(greylist.check(from('192.0.2.8', `s${i}@sender.test`)), PASS);
    assert.deepEqual(greylist.check(from('192.0.2.9', 'new@other.test', 'anyone@tidemail.test')), { kind: 'whitelisted', by: 'auto' }, 'the /24 is whitelisted');
    assert.equal(greylist.check(from('192.0.3.9', 'new@other.test', 'anyone@tidemail.test')).kind, 'defer', 'not another network');
    assert.deepEqual(counts.whitelisted, ['auto']);
  });

  it('with the auto-whitelist off, a network with many passes is still asked per triplet', () => {
    const { clock, greylist } = setup({ autoWhitelistPasses: 0 });
    for (let i = 0; i < 8; i++) greylist.check(from('192.0.2.7', `s${i}@sender.test`));
    clock.advance(300 * S);
    for (let i = 0; i < 8; i++) greylist.check(from('192.0.2.7', `s${i}@sender.test`));
    assert.equal(greylist.check(from('192.0.2.7', 'new@other.test')).kind, 'defer');
  });

  it('caps the triplets: at the cap the oldest grey ones go first and white ones stay', () => {
    const { clock, greylist, state } = setup({ maxEntries: 4, autoWhitelistPasses: 0 });
    greylist.check(from('192.0.2.1', 'w1@sender.test'));
    greylist.check(from('192.0.2.1', 'w2@sender.test'));
    clock.advance(300 * S);
    greylist.check(from('192.0.2.1', 'w1@sender.test'));
    greylist.check(from('192.0.2.1', 'w2@sender.test'));
    for (let i = 0; i < 10; i++) {
      clock.advance(S);
      greylist.check(from('198.51.100.1', `flood${i}@spam.test`));
    }
    assert.equal(state.count('grey') + state.count('white'), 4, 'never past the cap');
    assert.equal(state.count('white'), 2, 'the flood pushed out only grey entries');
    assert.ok(state.get('triplet', '198.51.100.0/24', 'flood9@spam.test', 'bob@tidemail.test'), 'the newest grey entry is kept');
    assert.equal(state.get('triplet', '198.51.100.0/24', 'flood0@spam.test', 'bob@tidemail.test'), undefined, 'the oldest went');
    assert.deepEqual(greylist.check(from('192.0.2.1', 'w1@sender.test')), PASS, 'a white triplet survived the flood');
  });

  it('at a large cap, evicts 1 % of it at once (one walk of the table per batch, not per RCPT)', () => {
    const { greylist, state } = setup({ maxEntries: 500 });
    for (let i = 0; i < 500; i++) greylist.check(from('192.0.2.1', `s${i}@sender.test`));
    assert.equal(state.count('grey'), 500);
    greylist.check(from('192.0.2.1', 'one-more@sender.test'));
    assert.equal(state.count('grey'), 496, '5 oldest evicted, the new one in');
    assert.equal(state.get('triplet', '192.0.2.0/24', 's4@sender.test', 'bob@tidemail.test'), undefined);
    assert.ok(state.get('triplet', '192.0.2.0/24', 's5@sender.test', 'bob@tidemail.test'));
  });

  it('evicts the least recently passed white triplet only when no grey one is left', () => {
    const { clock, greylist, state } = setup({ maxEntries: 2, autoWhitelistPasses: 0 });
    greylist.check(from('192.0.2.1', 'a@sender.test'));
    greylist.check(from('192.0.2.1', 'b@sender.test'));
    clock.advance(300 * S);
    greylist.check(from('192.0.2.1', 'a@sender.test'));
    greylist.check(from('192.0.2.1', 'b@sender.test'));
    clock.advance(S);
    greylist.check(from('192.0.2.1', 'a@sender.test')); // a passed last
    greylist.check(from('192.0.2.1', 'c@sender.test'));
    assert.equal(state.get('triplet', '192.0.2.0/24', 'b@sender.test', 'bob@tidemail.test'), undefined);
    assert.equal(state.get('triplet', '192.0.2.0/24', 'a@sender.test', 'bob@tidemail.test')?.kind, 'white');
  });

  it('sweeps expired entries on the clock', () => {
    const { clock, greylist, state } = setup({ retryWindowMs: 600 * S });
    greylist.start();
    for (let i = 0; i < 5; i++) greylist.check(from('192.0.2.7', `s${i}@sender.test`));
    assert.equal(state.count('grey'), 5);
    clock.advance(600 * S + SWEEP_MS);
    assert.equal(state.count('grey'), 0, 'expired grey entries are gone without being asked about');
    greylist.stop();
    assert.equal(clock.timers, 0, 'stop cancels the sweep');
  });

  it('lists the entries seen most recently, with what the page shows', () => {
    const { clock, greylist } = setup();
    greylist.check(from('192.0.2.7', 'old@sender.test'));
    clock.advance(10 * S);
    greylist.check(from('192.0.2.7', 'new@sender.test'));
    const view = greylist.view(1);
    assert.deepEqual(view.counts, { grey: 2, white: 0, clients: 0, whitelistLines: 0 });
    assert.deepEqual(view.entries, [{ kind: 'grey', network: '192.0.2.0/24', sender: 'new@sender.test', recipient: 'bob@tidemail.test', firstSeenMs: clock.now(), lastSeenMs: clock.now(), passes: 0, expiresAtMs: clock.now() + 86_400 * S }]);
  });

  it('refuses settings under which nothing could pass', () => {
    assert.throws(() => setup({ delayMs: 3_600 * S, retryWindowMs: 600 * S }), /--greylist-retry-window must be longer than --greylist-delay/);
  });
});

describe('the greylist in the filter chain', () => {
  const chain = () => {
    const { clock, greylist, counts } = setup();
    const settings = {
      enabled: true, trusted: new NetworkList(['127.0.0.1/32']), ipRate: { count: 0, windowMs: 0 }, networkRate: { count: 0, windowMs: 0 }, banMs: 0,
      subjectFlood: { count: 0, windowMs: 0 }, subjectBanMs: 0, acceptBounces: true, words: null, tarpitMs: 0, strict: false, greetWaitMs: 0,
      magicAddresses: true, maxConnections: 10, greylist,
    };
    return { clock, counts, policy: new SmtpPolicy(settings, clock, { refused: () => {} }, () => 0) };
  };
  const envelope = { helo: 'mx.sender.test', mailFrom: 'alice@sender.test', rcptTo: 'bob@tidemail.test' };

  it('answers a greylisted recipient with the seconds to wait, and lets the retry through', () => {
    const { clock, policy } = chain();
    const client = policy.forClient('192.0.2.7');
    assert.deepEqual(client.rcpt(envelope), { action: 'greylist', reason: 'greylisted', text: 'Greylisted, try again in 300 seconds', waitS: 300 });
    clock.advance(299_500);
    assert.equal(client.rcpt(envelope)?.text, 'Greylisted, try again in 1 seconds', 'rounded up, never 0');
    clock.advance(500);
    assert.equal(client.rcpt(envelope), null);
  });

  it('never asks it about a trusted client', () => {
    const { policy, counts } = chain();
    assert.equal(policy.forClient('127.0.0.1').rcpt(envelope), null);
    assert.deepEqual(counts, { deferred: 0, passed: 0, whitelisted: [] });
  });
});
