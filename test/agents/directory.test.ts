/**
 * The agents file (src/agents/directory.ts): patterns match inbox names (wildcards, a domain or
 * any of ours, first entry wins), every kind of bad entry is named and skipped while the others
 * load, and the file is re-read when it changes (looked at once a second on the clock), a broken
 * edit keeping the agents loaded before.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { AgentDirectory } from '../../src/agents/directory.js';
import { ManualClock } from '../helpers/clock.js';

let dir: string;
let programs: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidemail-agents-file-'));
  programs = join(dir, 'programs');
  mkdirSync(programs);
  writeFileSync(join(programs, 'ok.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(programs, 'ok.sh'), 0o755);
  writeFileSync(join(dir, 'outside.sh'), '#!/bin/sh\necho out\n');
  symlinkSync(join(dir, 'outside.sh'), join(programs, 'escape.sh'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function directory(text: string, clock = new ManualClock()): { agents: AgentDirectory; problems: string[]; path: string; clock: ManualClock } {
  const path = join(dir, `agents-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  const problems: string[] = [];
  const agents = new AgentDirectory(path, { programDir: programs, webhookSecret: '', clock, hostname: 'mx.test' }, (p) => problems.push(p));
  return { agents, problems, path, clock };
}

it('matches inbox names: exact, with a wildcard, at one domain or every one; the first entry wins', () => {
  const { agents, problems } = directory(
    ['bot@a.test: { kind: echo, name: bot-a }', 'time-*@: { kind: time }', 'time-tokyo@: { kind: echo, name: shadowed }', 'echo@: { kind: echo }'].join('\n'),
  );
  assert.deepEqual(problems, []);
  const found = (address: string) => {
    const f = agents.forAddress(address);
    return f ? [f.entry.name, f.wildcard] : null;
  };
  assert.deepEqual(found('Echo+tag@any.example'), ['echo@', '']);
  assert.deepEqual(found('time-tokyo@b.test'), ['time-*@', 'tokyo']);
  assert.deepEqual(found('bot@a.test'), ['bot-a', '']);
  assert.equal(found('bot@b.test'), null, 'a full address matches only at its domain');
  assert.equal(found('echoes@a.test'), null);
  assert.equal(agents.byName('bot-a')?.kind, 'echo');
});

it('names and skips every bad entry, loading the good ones', () => {
  const { agents, problems } = directory(
    [
      'good@: { kind: echo }',
      'nokind@: { options: 1 }',
      'odd@: { kind: telepathy }',
      'typo@: { kind: echo, colour: red }',
      'nodomain: { kind: echo }',
      'two**@: { kind: echo }',
      'Upper+tag@: { kind: echo }',
      'dup@: { kind: echo, name: good@ }',
      'tpl@: { kind: template, body: "Hi {{nmae}}" }',
      'days@: { kind: template, body: "Hi", days: 0 }',
      'zone@: { kind: time, timezone: Mars/Olympus }',
      'cmd@: { kind: command, program: ../outside.sh }',
      'esc@: { kind: command, program: escape.sh }',
      'gone@: { kind: command, program: missing.sh }',
      'slow@: { kind: command, program: ok.sh, timeout: soon }',
      'web@: { kind: http, url: "ftp://x.test/" , secret: s }',
      'unsigned@: { kind: http, url: "http://127.0.0.1:9/" }',
      'fine@: { kind: command, program: ok.sh, args: [a, b], timeout: 2s, maxOutput: 1000 }',
    ].join('\n'),
  );
  assert.deepEqual(
    agents.current().map((e) => e.name),
    ['good@', 'fine@'],
  );
  const skipped = problems.map((p) => /entry "([^"]+)" skipped/.exec(p)?.[1]);
  assert.deepEqual(skipped, ['nokind@', 'odd@', 'typo@', 'nodomain', 'two**@', 'Upper+tag@', 'dup@', 'tpl@', 'days@', 'zone@', 'cmd@', 'esc@', 'gone@', 'slow@', 'web@', 'unsigned@']);
  assert.match(problems[2]!, /unknown option "colour"/);
  assert.match(problems[7]!, /unknown field \{\{nmae\}\}/);
  assert.match(problems[11]!, /not a file inside/, 'a symlink out of the program dir is refused');
});

it('re-reads the file when it changes, once a second at most; a broken edit keeps what was loaded', () => {
  const { agents, problems, path, clock } = directory('echo@: { kind: echo }');
  assert.ok(agents.forAddress('echo@x.test'));
  writeFileSync(path, 'time@: { kind: time }');
  utimesSync(path, new Date(), new Date(Date.now() + 5_000));
  clock.advance(999);
  assert.ok(agents.forAddress('echo@x.test'), 'not looked at again within the second');
  clock.advance(1);
  assert.equal(agents.forAddress('echo@x.test'), null);
  assert.ok(agents.forAddress('time@x.test'));
  writeFileSync(path, 'time@: { kind: time');
  utimesSync(path, new Date(), new Date(Date.now() + 10_000));
  clock.advance(1000);
  assert.ok(agents.forAddress('time@x.test'), 'the agents from before stay');
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /cannot load/);
});
