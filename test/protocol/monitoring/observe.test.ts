import { describe, expect, it } from 'vitest';
import { fieldValue, observe, runsOf } from '../../../protocol/monitoring/observe.ts';
import type { RequiredMonitor } from '../../../protocol/registry/contract-terms.ts';

const base = { threshold: 0.5, window: { decisions: 10 }, onBreach: 'flag' } as const;
const MONITORS: RequiredMonitor[] = [
  { ...base, metric: 'psi', field: 'output.score' },
  {
    ...base,
    metric: 'disparate_impact_ratio',
    groupField: 'context.group',
    positive: 'decision.output.approved == true',
  },
  { ...base, metric: 'shadow_ai_rate' },
  { ...base, metric: 'denial_rate' },
  { ...base, metric: 'contract_violation_rate' },
];
const ENV = { node: { org: 'a', jurisdiction: 'DE' }, now: Date.parse('2026-01-01T00:00:00Z') };

describe('observe', () => {
  it('gives the field value, positive+group, and the rate hits', () => {
    const record = { model: 'a/m@1', output: { score: 0.7, approved: true }, context: { group: 'x' } };
    expect(observe(MONITORS, record, { flags: ['shadow_ai'], deny: ['contract.purpose'] }, ENV)).toEqual([
      0.7,
      '1x',
      1,
      1,
      1,
    ]);
  });

  it('counts a missing or non-numeric field and a missing group as null; a policy denial is no violation', () => {
    const record = { model: 'a/m@1', output: { score: '0.7', approved: false }, context: {} };
    expect(observe(MONITORS, record, { flags: [], deny: ['no-pii'] }, ENV)).toEqual([null, null, 0, 1, 0]);
  });

  it('counts a positive expression that fails on a decision as not positive', () => {
    const record = { model: 'a/m@1', output: 3, context: { group: 7 } };
    expect(observe([MONITORS[1] as RequiredMonitor], record, { flags: [], deny: [] }, ENV)).toEqual(['07']);
  });
});

describe('fieldValue', () => {
  it('reads own properties along the path only', () => {
    expect(fieldValue({ output: { a: { b: 1 } } }, 'output.a.b')).toBe(1);
    expect(fieldValue({ output: { a: [1] } }, 'output.a.0')).toBeUndefined();
    expect(fieldValue({ output: {} }, 'output.constructor')).toBeUndefined();
  });
});

describe('runsOf', () => {
  const o = (model: string, values: (number | string | null)[], shadow = false) => ({
    model,
    contract: 'c1',
    shadow,
    values,
  });

  it('puts consecutive observations of one version into one run, entries end to end, order kept', () => {
    const runs = runsOf([o('a/m@1', [1, 'x']), o('a/m@1', [null, '1g']), o('a/m@2', [3, 'y']), o('a/m@1', [4, 'z'])]);
    expect(runs).toEqual([
      { model: 'a/m@1', contract: 'c1', shadow: false, width: 2, values: [1, 'x', null, '1g'] },
      { model: 'a/m@2', contract: 'c1', shadow: false, width: 2, values: [3, 'y'] },
      { model: 'a/m@1', contract: 'c1', shadow: false, width: 2, values: [4, 'z'] },
    ]);
  });

  it('starts a new run when shadow, contract or width differ', () => {
    const runs = runsOf([
      o('a/m@1', [1]),
      o('a/m@1', [1], true),
      { ...o('a/m@1', [1]), contract: 'c2' },
      o('a/m@1', [1, 2]),
    ]);
    expect(runs.map((r) => [r.shadow, r.contract, r.width])).toEqual([
      [false, 'c1', 1],
      [true, 'c1', 1],
      [false, 'c2', 1],
      [false, 'c1', 2],
    ]);
    expect(runsOf([])).toEqual([]);
  });
});
