/**
 * `--greylist-whitelist FILE`: each kind of line (client address, CIDR prefix, exact triplet,
 * HELO triplet, recipient domain) lets its matches through and nothing else; bad lines are
 * reported with their line number and skipped; the file is re-read when it changes (time
 * given by the test), and a missing file whitelists nothing, reported once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Greylist } from '../../src/policy/greylist.js';
import { MemoryGreylistState } from '../../src/policy/greylist-state.js';
import { GreylistWhitelist, type GreyCandidate } from '../../src/policy/greylist-whitelist.js';
import { ManualClock } from '../helpers/clock.js';

const dir = mkdtempSync(join(tmpdir(), 'tidemail-greylist-whitelist-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const FILE = `# who is never greylisted
192.0.2.7
198.51.100.0/24
2001:db8:aa::/48
triplet 203.0.113.5 Alice@Sender.test bob@tidemail.test
triplet 203.0.113.0/24 <> bounces@tidemail.test
helo mx.partner.test 192.0.2.128/25 carol@tidemail.test   # a partner's pool
domain never-grey.test
`;

const candidate = (ip: string, over: Partial<GreyCandidate> = {}): GreyCandidate => ({ ip, helo: 'mx.other.test', sender: 'x@other.test', recipient: 'y@tidemail.test', ...over });

function open(text: string, name: string) {
  const path = join(dir, name);
  writeFileSync(path, text);
  const clock = new ManualClock();
  const problems: string[] = [];
  return { path, clock, problems, whitelist: new GreylistWhitelist(path, () => clock.now(), (m) => problems.push(m)) };
}

describe('greylist whitelist file', () => {
  it('matches each kind of line, and only what it names', () => {
    const { whitelist, problems } = open(FILE, 'kinds');
    assert.equal(whitelist.match(candidate('192.0.2.7')), 'client');
    assert.equal(whitelist.match(candidate('192.0.2.8')), null, 'an address is not its network');
    assert.equal(whitelist.match(candidate('198.51.100.77')), 'client');
    assert.equal(whitelist.match(candidate('2001:db8:aa:1::9')), 'client');
    assert.equal(whitelist.match(candidate('2001:db8:ab::9')), null);
    assert.equal(whitelist.match(candidate('203.0.113.5', { sender: 'alice@sender.test', recipient: 'Bob@tidemail.test' })), 'triplet');
    assert.equal(whitelist.match(candidate('203.0.113.6', { sender: 'alice@sender.test', recipient: 'bob@tidemail.test' })), null, 'a triplet names one client');
    assert.equal(whitelist.match(candidate('203.0.113.5', { sender: 'eve@sender.test', recipient: 'bob@tidemail.test' })), null, 'and one sender');
    assert.equal(whitelist.match(candidate('203.0.113.99', { sender: '', recipient: 'bounces@tidemail.test' })), 'triplet', '<> and a CIDR client');
    assert.equal(whitelist.match(candidate('192.0.2.200', { helo: 'MX.partner.test', recipient: 'carol@tidemail.test' })), 'helo');
    assert.equal(whitelist.match(candidate('192.0.2.100', { helo: 'mx.partner.test', recipient: 'carol@tidemail.test' })), null, 'outside the HELO triplet\'s network');
    assert.equal(whitelist.match(candidate('192.0.2.200', { helo: 'mx.partner.test', recipient: 'dave@tidemail.test' })), null, 'another recipient');
    assert.equal(whitelist.match(candidate('192.0.3.1', { recipient: 'anyone@Never-Grey.test' })), 'domain');
    assert.equal(whitelist.match(candidate('192.0.3.1', { recipient: 'anyone@sub.never-grey.test' })), null, 'the domain itself, not its subdomains');
    assert.equal(whitelist.size, 7);
    assert.deepEqual(problems, []);
  });

  it('names each bad line with its number, skips it, and keeps the rest', () => {
    const { whitelist, problems, path } = open('192.0.2.7\n300.1.2.3\ntriplet 192.0.2.1 a@b.test\nhelo mx.test not-a-net c@d.test\ndomain bad_domain!\nfrobnicate 1 2\n\n# fine\ndomain ok.test\n', 'bad');
    assert.equal(whitelist.match(candidate('192.0.2.7')), 'client');
    assert.equal(whitelist.match(candidate('192.0.3.1', { recipient: 'x@ok.test' })), 'domain');
    assert.equal(whitelist.size, 2);
    assert.equal(problems.length, 5);
    for (const [i, line] of [2, 3, 4, 5, 6].entries()) assert.match(problems[i]!, new RegExp(`^greylist whitelist ${path} line ${line}: .+; skipped$`));
    assert.match(problems[1]!, /expected triplet CLIENT SENDER RECIPIENT/);
  });

  it('is re-read when it changes, and whitelists nothing while it is missing', () => {
    const { whitelist, clock, path, problems } = open('192.0.2.7\n', 'reload');
    assert.equal(whitelist.match(candidate('192.0.2.7')), 'client');
    writeFileSync(path, 'domain tidemail.test\n');
    utimesSync(path, new Date(), new Date(Date.now() + 5000));
    assert.equal(whitelist.match(candidate('192.0.2.7')), 'client', 'checked at most once a second');
    clock.advance(1000);
    assert.equal(whitelist.match(candidate('192.0.2.7')), 'domain', 'the new file applies without a restart');
    assert.equal(whitelist.match(candidate('192.0.2.7', { recipient: 'x@elsewhere.test' })), null, 'and the old line is gone');
    rmSync(path);
    clock.advance(1000);
    assert.equal(whitelist.match(candidate('192.0.2.7')), null);
    clock.advance(1000);
    whitelist.match(candidate('192.0.2.7'));
    assert.equal(problems.length, 1, 'a missing file is reported once, not per RCPT');
    assert.match(problems[0]!, /cannot read/);
  });

  it('is asked before the greylist: a whitelisted recipient is never deferred, and counted', () => {
    const { whitelist, clock } = open(FILE, 'in-greylist');
    const seen: string[] = [];
    const greylist = new Greylist({ delayMs: 300_000, retryWindowMs: 86_400_000, lifetimeMs: 86_400_000, hammerMs: 0, autoWhitelistPasses: 5, maxEntries: 100 },
      new MemoryGreylistState(), clock, { deferred: () => seen.push('deferred'), passed: () => seen.push('passed'), whitelisted: (by) => seen.push(by) }, whitelist);
    assert.deepEqual(greylist.check(candidate('192.0.3.1', { recipient: 'a@never-grey.test' })), { kind: 'whitelisted', by: 'file-domain' });
    assert.deepEqual(greylist.check(candidate('192.0.3.1')), { kind: 'defer', waitMs: 300_000 });
    assert.deepEqual(seen, ['file-domain', 'deferred']);
  });
});
