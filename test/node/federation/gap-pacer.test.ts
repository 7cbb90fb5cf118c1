/** GapPacer: at once after a quiet gap; asked again within it, one run at last + gap; stop() drops it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GapPacer } from '../../../node/federation/gap-pacer.ts';

afterEach(() => {
  vi.useRealTimers();
});

/** A pacer of `gap` on fake timers, counting its runs. */
function counted(gap: number | (() => number)): { p: GapPacer; runs: () => number } {
  vi.useFakeTimers();
  let runs = 0;
  const p = new GapPacer(
    gap,
    () => Date.now(),
    () => runs++,
  );
  return { p, runs: () => runs };
}

describe('GapPacer', () => {
  it('runs at once, then once per gap however often it is asked', () => {
    const { p, runs } = counted(2000);
    p.request();
    expect(runs()).toBe(1);
    p.request();
    p.request();
    expect(runs()).toBe(1);
    vi.advanceTimersByTime(1999);
    expect(runs()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(runs()).toBe(2);
  });

  it('reads a gap given as a function at each request', () => {
    let gap = 2000;
    const { p, runs } = counted(() => gap);
    p.request();
    gap = 5000;
    p.request();
    vi.advanceTimersByTime(4999);
    expect(runs()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(runs()).toBe(2);
  });

  it('drops a waiting run when stopped', () => {
    const { p, runs } = counted(2000);
    p.request();
    p.request();
    p.stop();
    vi.advanceTimersByTime(5000);
    expect(runs()).toBe(1);
  });
});
