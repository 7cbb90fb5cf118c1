import { describe, expect, it } from 'vitest';
import { OpenWindows } from '../../../node/monitoring/open-windows.ts';
import { type Observation, runsOf } from '../../../protocol/monitoring/observe.ts';
import type { RequiredMonitor } from '../../../protocol/registry/contract-terms.ts';

const T0 = new Date('2027-01-01T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const COUNT: RequiredMonitor = { metric: 'denial_rate', threshold: 0.5, window: { decisions: 3 }, onBreach: 'flag' };
const TIMED: RequiredMonitor = { metric: 'shadow_ai_rate', threshold: 0.5, window: { seconds: 60 }, onBreach: 'flag' };
const VERSION = { monitors: [COUNT, TIMED], baseline: undefined };
const obs = (values: number[], shadow = false): Observation => ({ model: 'a/m@1', contract: 'c1', shadow, values });
const lookup = (model: string, contract: string) => (model === 'a/m@1' && contract === 'c1' ? VERSION : undefined);

describe('OpenWindows', () => {
  describe('when a window counts decisions', () => {
    it('closes with its N-th decision and opens the next', () => {
      const w = new OpenWindows();
      expect(w.add(runsOf([obs([1, 0]), obs([0, 0])]), at(0), lookup).closed).toEqual([]);
      const { closed } = w.add(runsOf([obs([1, 1]), obs([0, 0])]), at(1), lookup);
      expect(closed).toHaveLength(1);
      expect(closed[0]).toMatchObject({ model: 'a/m@1', contract: 'c1', monitor: 0, from: at(0), to: at(1) });
      expect(closed[0]?.acc.counts()).toEqual({ n: 3, hits: 2 });
      const next = w.add(runsOf([obs([1, 0]), obs([1, 0])]), at(2), lookup).closed;
      expect(next[0]?.acc.counts()).toEqual({ n: 3, hits: 2 });
    });
  });

  describe('when a window spans time', () => {
    it('closes at the tick after its span with what it saw; an empty one says nothing', () => {
      const w = new OpenWindows();
      w.add(runsOf([obs([0, 1]), obs([0, 0])]), at(0), lookup);
      expect(w.tick(at(59))).toEqual([]);
      const closed = w.tick(at(60));
      expect(closed.map((c) => [c.monitor, c.acc.counts()])).toEqual([[1, { n: 2, hits: 1 }]]);
      expect(w.tick(at(130))).toEqual([]);
    });
  });

  describe('when the contract is not held or does not match', () => {
    it('drops the observations (counted) and opens nothing', () => {
      const w = new OpenWindows();
      const r = w.add(runsOf([{ ...obs([1, 1]), contract: 'other' }, { ...obs([1]) }]), at(0), lookup);
      expect(r).toEqual({ closed: [], dropped: 2 });
      expect(w.size).toBe(0);
    });
  });

  it('keeps shadow and live decisions in separate windows', () => {
    const w = new OpenWindows();
    w.add(runsOf([obs([1, 0], true), obs([1, 0], true), obs([0, 0])]), at(0), lookup);
    expect(w.size).toBe(2);
    const { closed } = w.add(runsOf([obs([1, 0], true)]), at(1), lookup);
    expect(closed).toHaveLength(1);
    expect(closed[0]?.shadow).toBe(true);
  });
});
