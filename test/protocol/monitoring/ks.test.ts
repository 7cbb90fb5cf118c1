import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baselineFromSamples, binOf } from '../../../protocol/monitoring/baseline.ts';
import { ksBinned, ksTwoSample } from '../../../protocol/monitoring/ks.ts';

describe('ksTwoSample', () => {
  it('is 1 for samples that do not overlap', () => {
    expect(ksTwoSample([1, 2, 3, 4, 5], [6, 7, 8])).toBe(1);
  });

  it('is 0.5 for [1,2,3,4] against [3,4,5,6] (F1 − F2 = 0.5 at 2, 3 and 4)', () => {
    expect(ksTwoSample([1, 2, 3, 4], [3, 4, 5, 6])).toBe(0.5);
  });

  it('is 0 for the same sample in another order', () => {
    expect(ksTwoSample([3, 1, 2, 2], [2, 2, 1, 3])).toBe(0);
  });

  it('throws ERR_INVALID_INPUT for an empty sample', () => {
    expect(() => ksTwoSample([], [1])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
  });
});

describe('ksBinned', () => {
  it('is the largest CDF distance at the bin edges', () => {
    // CDFs at the two inner edges: baseline 0.25, 0.75; window 0.5, 0.75
    expect(ksBinned([0.25, 0.5, 0.25], [2, 1, 1])).toBeCloseTo(0.25, 12);
  });

  it('never exceeds the exact statistic, and equals it when every value lies on an edge', () => {
    const sample = fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 5, maxLength: 60 });
    fc.assert(
      fc.property(sample, sample, (a, b) => {
        fc.pre(new Set(a).size >= 2);
        const base = baselineFromSamples(a, 5);
        const counts = new Array<number>(base.proportions.length).fill(0);
        for (const x of b) counts[binOf(base.edges, x)] = (counts[binOf(base.edges, x)] ?? 0) + 1;
        const exact = ksTwoSample(a, b);
        expect(ksBinned(base.proportions, counts)).toBeLessThanOrEqual(exact + 1e-12);
      }),
    );
    // every value on an edge of the bins 0 | 1 | 2
    const edges = { proportions: [0.5, 0.25, 0.25], edges: [0, 1] };
    const a = [0, 0, 1, 2];
    const b = [0, 1, 1, 2, 2, 2];
    const counts = [0, 0, 0];
    for (const x of b) counts[binOf(edges.edges, x)] = (counts[binOf(edges.edges, x)] ?? 0) + 1;
    expect(ksBinned(edges.proportions, counts)).toBeCloseTo(ksTwoSample(a, b), 12);
  });
});
