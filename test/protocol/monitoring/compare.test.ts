import { describe, expect, it } from 'vitest';
import { againstLive, type ComparedWindow, differsBeyondThreshold } from '../../../protocol/monitoring/compare.ts';
import { ksBinned } from '../../../protocol/monitoring/ks.ts';
import { psi } from '../../../protocol/monitoring/psi.ts';

const EDGES = [0.25, 0.5, 0.75];
const binned = (metric: string, bins: number[], threshold = 0.25, edges: number[] | undefined = EDGES) =>
  ({ metric, threshold, counts: { bins, missing: 0 }, edges }) as ComparedWindow;

describe('againstLive / differsBeyondThreshold', () => {
  it('psi: the candidate bins against the live window as reference, refused above the threshold', () => {
    const live = binned('psi', [25, 25, 25, 25]);
    const same = binned('psi', [26, 24, 25, 25]);
    const shifted = binned('psi', [5, 5, 20, 70]);
    expect(againstLive(shifted, live)).toBeCloseTo(psi([0.25, 0.25, 0.25, 0.25], [5, 5, 20, 70]), 12);
    expect(differsBeyondThreshold(same, live)).toBeUndefined();
    expect(differsBeyondThreshold(shifted, live)).toBeGreaterThan(0.25);
  });

  it('is not fooled by both versions drifting alike from the baseline: it is the candidate against live', () => {
    // Both far from a uniform baseline (each would breach against it), but alike: no difference.
    const live = binned('psi', [0, 0, 10, 90]);
    const cand = binned('psi', [0, 1, 9, 90]);
    expect(differsBeyondThreshold(cand, live)).toBeUndefined();
  });

  it('ks: the largest CDF distance at the edges, refused above the threshold', () => {
    const live = binned('ks', [25, 25, 25, 25], 0.1);
    const cand = binned('ks', [10, 20, 30, 40], 0.1);
    expect(againstLive(cand, live)).toBeCloseTo(ksBinned([0.25, 0.25, 0.25, 0.25], [10, 20, 30, 40]), 12);
    expect(differsBeyondThreshold(cand, live)).toBeCloseTo(0.2, 12); // at the second edge: 0.5 − 0.3
    expect(differsBeyondThreshold(binned('ks', [10, 20, 30, 40], 0.3), live)).toBeUndefined();
  });

  it('does not compare other bins, other metrics, empty windows or rate and group monitors', () => {
    const live = binned('psi', [25, 25, 25, 25]);
    const far = binned('psi', [0, 0, 0, 100]);
    expect(againstLive(binned('psi', [0, 0, 0, 100], 0.25, [0.1, 0.5, 0.75]), live)).toBeUndefined();
    expect(againstLive(binned('psi', [0, 0, 100], 0.25, [0.5, 0.75]), live)).toBeUndefined();
    expect(againstLive({ ...far, edges: undefined }, live)).toBeUndefined();
    expect(againstLive(binned('ks', [0, 0, 0, 100]), live)).toBeUndefined();
    expect(againstLive(far, binned('psi', [0, 0, 0, 0]))).toBeUndefined();
    const rate = (hits: number) =>
      ({ metric: 'denial_rate', threshold: 0.1, counts: { n: 100, hits } }) as ComparedWindow;
    expect(againstLive(rate(90), rate(0))).toBeUndefined();
  });
});
