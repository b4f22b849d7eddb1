/**
 * The clock servers wait on (src/clock.ts) and the manual clock tests drive it with
 * (test/helpers/clock.ts): both must agree on what `after`, `cancel` and `refresh` mean, or a
 * test on the manual clock would prove nothing about the real one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemClock } from '../src/clock.js';
import { ManualClock } from './helpers/clock.js';

describe('ManualClock', () => {
  it('runs timers only when advanced past their due time, earliest first, with now() at their due time', () => {
    const clock = new ManualClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.after(300, () => fired.push(['b', clock.now()]));
    clock.after(100, () => fired.push(['a', clock.now()]));
    clock.advance(99);
    assert.deepEqual(fired, []);
    clock.advance(200);
    assert.deepEqual(fired, [['a', 1_100]]);
    assert.equal(clock.now(), 1_299);
    clock.advance(1);
    assert.deepEqual(fired, [['a', 1_100], ['b', 1_300]]);
    assert.equal(clock.timers, 0);
  });

  it('runs a timer set by a timer within the same advance', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.after(10, () => clock.after(10, () => fired.push(clock.now())));
    clock.advance(25);
    assert.deepEqual(fired, [20]);
  });

  it('cancel stops a timer; refresh restarts its countdown from now, and re-arms a fired one', () => {
    const clock = new ManualClock(0);
    let runs = 0;
    const timer = clock.after(100, () => runs++);
    clock.advance(90);
    timer.refresh();
    clock.advance(90);
    assert.equal(runs, 0, 'input at 90 ms pushed the deadline to 190 ms');
    clock.advance(10);
    assert.equal(runs, 1);
    timer.refresh();
    clock.advance(100);
    assert.equal(runs, 2);
    timer.refresh();
    timer.cancel();
    clock.advance(1_000);
    assert.equal(runs, 2);
    assert.equal(clock.timers, 0);
  });
});

describe('systemClock', () => {
  it('keeps the same meaning on real timers: refresh re-arms a fired timer, cancel stops it', async () => {
    // The clock's timers never keep the process alive by themselves; this test must.
    const keepAlive = setInterval(() => {}, 1_000);
    let runs = 0;
    let wake: () => void = () => {};
    const timer = systemClock.after(1, () => {
      runs++;
      wake();
    });
    await new Promise<void>((resolve) => (wake = resolve));
    timer.refresh();
    await new Promise<void>((resolve) => (wake = resolve));
    assert.equal(runs, 2);
    timer.refresh();
    timer.cancel();
    const later = systemClock.after(5, () => wake());
    await new Promise<void>((resolve) => (wake = resolve));
    later.cancel();
    assert.equal(runs, 2, 'the cancelled timer did not run before a later one');
    assert.ok(Math.abs(systemClock.now() - Date.now()) < 1_000);
    clearInterval(keepAlive);
  });
});
