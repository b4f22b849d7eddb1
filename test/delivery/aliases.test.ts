/**
 * The aliases file and its expansion as units (src/aliases/): the syntax of aliases(5) with
 * continuation lines and quoted programs, what is refused and reported by line number, and
 * recursive expansion with de-duplication, loops and the depth limit; the router at RCPT.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_ALIAS_DEPTH, expandAlias } from '../../src/aliases/expand.js';
import { parseAliases, type AliasLookup } from '../../src/aliases/file.js';
import { RecipientRouter } from '../../src/delivery/router.js';
import { inboxFor, parseMailbox } from '../../src/mail/address.js';

const dir = mkdtempSync(join(tmpdir(), 'tidemail-alias-unit-'));
const fileDir = join(dir, 'mbox');
const programDir = join(dir, 'bin');
mkdirSync(fileDir);
mkdirSync(programDir);
writeFileSync(join(programDir, 'hook'), '#!/bin/sh\n', { mode: 0o755 });
symlinkSync('/etc', join(fileDir, 'link-out'));

function table(text: string): { lookup: AliasLookup; bad: Array<[number, string]> } {
  const bad: Array<[number, string]> = [];
  const parsed = parseAliases(text, { fileDir, programDir }, (line, why) => bad.push([line, why]));
  return { lookup: { lookup: (name) => parsed.get(name) }, bad };
}

const context = (aliases: AliasLookup) => ({ aliases, isOurDomain: (d: string) => d === 'ours.test', inboxOf: inboxFor });

after(() => rmSync(dir, { recursive: true, force: true }));

describe('aliases file', () => {
  it('reads every kind of value, continuation lines and quoted programs with commas', () => {
    const { lookup, bad } = table(`# comment\nTeam: ann, bob@elsewhere.example,\n  ${fileDir}/team.mbox\nhook: "|${programDir}/hook a,b  c"\n`);
    assert.deepEqual(bad, []);
    assert.deepEqual(lookup.lookup('team'), [
      { kind: 'name', name: 'ann' },
      { kind: 'address', localPart: 'bob', domain: 'elsewhere.example', address: 'bob@elsewhere.example' },
      { kind: 'file', path: join(fileDir, 'team.mbox') },
    ]);
    assert.deepEqual(lookup.lookup('hook'), [{ kind: 'program', argv: [join(programDir, 'hook'), 'a,b', 'c'] }]);
  });

  it('skips a bad line whole and says which, refusing files and programs outside their directories', () => {
    const { lookup, bad } = table(
      [`ok: ann`, `no colon`, `half: ann, /etc/passwd`, `up: ${fileDir}/../escape.mbox`, `via-link: ${fileDir}/link-out/x.mbox`, `prog: "|/bin/echo hi"`, `rel: "|hook"`, `inc: :include:/etc/list`, `tag+x: ann`, `empty:`].join('\n'),
    );
    assert.deepEqual(bad.map(([line]) => line), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(lookup.lookup('ok'));
    assert.equal(lookup.lookup('half'), undefined, 'half an alias would deliver to some targets and silently not the others');
    assert.match(bad[3]![1], /link-out\/x\.mbox is not under --alias-file-dir/, 'a symbolic link cannot lead out');
  });

  it('refuses file and program aliases when their directory is not configured', () => {
    const bad: number[] = [];
    parseAliases(`f: /tmp/x.mbox\np: "|/bin/true"`, { fileDir: '', programDir: '' }, (line) => bad.push(line));
    assert.deepEqual(bad, [1, 2]);
  });
});

describe('alias expansion', () => {
  it('expands recursively, once per final target, and addresses at our domains as their local part', () => {
    const { lookup } = table(`team: ann, bob, Ann+x@ours.test, ops\nops: ann, pager@elsewhere.example, PAGER@elsewhere.example\nbob: bob, ${fileDir}/bob.mbox`);
    const result = expandAlias('team', context(lookup));
    assert.deepEqual(result, {
      ok: true,
      targets: [
        { kind: 'inbox', inbox: 'ann' },
        { kind: 'inbox', inbox: 'bob' },
        { kind: 'file', path: join(fileDir, 'bob.mbox') },
        { kind: 'relay', address: 'pager@elsewhere.example' },
      ],
    });
  });

  it('breaks a loop at the name met again, and refuses a chain deeper than the limit', () => {
    const { lookup } = table(`a: b\nb: c, a\nc: a`);
    assert.deepEqual(expandAlias('a', context(lookup)), { ok: true, targets: [{ kind: 'inbox', inbox: 'a' }] });
    const chain = table(Array.from({ length: MAX_ALIAS_DEPTH + 2 }, (_, i) => `n${i}: n${i + 1}`).join('\n')).lookup;
    assert.deepEqual(expandAlias('n0', context(chain)), { ok: false, reason: 'too-deep' });
    assert.deepEqual(expandAlias('n2', context(chain)), { ok: true, targets: [{ kind: 'inbox', inbox: `n${MAX_ALIAS_DEPTH + 2}` }] });
  });

  it('routes at RCPT: an alias to its targets, one that expands to nothing is no inbox, a deep one is refused', () => {
    const { lookup } = table(`team: ann, bob\nvoid: "x y"@ours.test\n` + Array.from({ length: MAX_ALIAS_DEPTH + 2 }, (_, i) => `n${i}: n${i + 1}`).join('\n'));
    const router = new RecipientRouter({ domains: ['ours.test'], aliases: lookup });
    const mailbox = (a: string) => {
      const parsed = parseMailbox(a);
      assert.ok(parsed.ok);
      return parsed.mailbox;
    };
    assert.deepEqual(router.route(mailbox('Team+tag@ours.test')), { kind: 'alias', name: 'team', targets: [{ kind: 'inbox', inbox: 'ann' }, { kind: 'inbox', inbox: 'bob' }] });
    assert.deepEqual(router.route(mailbox('carol@ours.test')), { kind: 'inbox', inbox: 'carol' });
    assert.deepEqual(router.route(mailbox('team@elsewhere.example')), { kind: 'reject', reason: 'not-our-domain' }, 'aliases are for our domains only');
    assert.deepEqual(router.route(mailbox('n0@ours.test')), { kind: 'reject', reason: 'alias-too-deep' });
    assert.deepEqual(router.route(mailbox('void@ours.test')), { kind: 'reject', reason: 'no-such-inbox' });
  });
});
