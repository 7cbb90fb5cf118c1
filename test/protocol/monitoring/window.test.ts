import { describe, expect, it } from 'vitest';
import { breaches } from '../../../protocol/monitoring/monitor.ts';
import { psi } from '../../../protocol/monitoring/psi.ts';
import { MAX_WINDOW_GROUPS, WindowAccumulator, windowValue } from '../../../protocol/monitoring/window.ts';
import type { RequiredMonitor } from '../../../protocol/registry/contract-terms.ts';

const BASELINE = { fields: { 'output.score': { edges: [0.5], proportions: [0.5, 0.5] } } };
const PSI: RequiredMonitor = {
  metric: 'psi',
  field: 'output.score',
  threshold: 0.25,
  window: { decisions: 10 },
  onBreach: 'flag',
};
const DIR: RequiredMonitor = {
  metric: 'disparate_impact_ratio',
  groupField: 'context.group',
  positive: 'true',
  threshold: 0.8,
  window: { decisions: 10 },
  onBreach: 'flag',
};

describe('WindowAccumulator', () => {
  describe('when the monitor is binned', () => {
    it('counts values per baseline bin and the rest as missing; the value is the PSI of the counts', () => {
      const w = new WindowAccumulator(PSI, BASELINE);
      for (const v of [0.1, 0.2, 0.9, 0.95, 0.99, null, 0.6]) w.add(v);
      expect(w.decisions).toBe(7);
      expect(w.counts()).toEqual({ bins: [2, 4], missing: 1 });
      expect(windowValue(PSI, w.counts(), BASELINE)).toBeCloseTo(psi([0.5, 0.5], [2, 4]), 12);
    });

    it('has no value without the baseline field (every value missing)', () => {
      const w = new WindowAccumulator(PSI, undefined);
      w.add(0.3);
      expect(w.counts()).toEqual({ bins: [], missing: 1 });
      expect(windowValue(PSI, w.counts(), undefined)).toBeNull();
    });
  });

  describe('when the monitor is over groups', () => {
    it('counts n and positives per group; a malformed entry is missing; groups past the cap overflow', () => {
      const w = new WindowAccumulator(DIR, undefined);
      w.add('1a');
      w.add('0a');
      w.add('1b');
      w.add(null);
      expect(w.counts()).toEqual({
        groups: [
          { group: 'a', n: 2, positive: 1 },
          { group: 'b', n: 1, positive: 1 },
        ],
        missing: 1,
        overflow: 0,
      });
      for (let i = 0; i < MAX_WINDOW_GROUPS + 3; i++) w.add(`1g${i}`);
      const c = w.counts() as { groups: unknown[]; overflow: number };
      expect(c.groups).toHaveLength(MAX_WINDOW_GROUPS);
      expect(c.overflow).toBe(5);
    });
  });

  describe('when the monitor is a rate', () => {
    it('is hits / n', () => {
      const m: RequiredMonitor = { ...PSI, metric: 'denial_rate' };
      delete m.field;
      const w = new WindowAccumulator(m, undefined);
      for (const v of [1, 0, 0, 1]) w.add(v);
      expect(w.counts()).toEqual({ n: 4, hits: 2 });
      expect(windowValue(m, w.counts(), undefined)).toBe(0.5);
    });
  });
});

describe('breaches', () => {
  it('is value > threshold, except disparate_impact_ratio: value < threshold; never without a value', () => {
    expect(breaches(PSI, 0.26)).toBe(true);
    expect(breaches(PSI, 0.25)).toBe(false);
    expect(breaches(DIR, 0.79)).toBe(true);
    expect(breaches(DIR, 0.8)).toBe(false);
    expect(breaches(DIR, null)).toBe(false);
  });
});
