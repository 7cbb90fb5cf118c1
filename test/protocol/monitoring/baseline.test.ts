import { describe, expect, it } from 'vitest';
import {
  baselineFromFile,
  baselineFromSamples,
  binOf,
  checkBaseline,
  MAX_BASELINE_BINS,
  MAX_BASELINE_FIELDS,
} from '../../../protocol/monitoring/baseline.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('binOf', () => {
  it('puts a value on an edge in the bin below it: (−∞, e1], (e1, e2], (e2, ∞)', () => {
    const edges = [1, 2];
    expect([0, 1, 1.5, 2, 2.5].map((x) => binOf(edges, x))).toEqual([0, 0, 1, 1, 2]);
  });
});

describe('baselineFromSamples', () => {
  it('cuts 1..100 into 10 quantile bins of 10 % each', () => {
    const b = baselineFromSamples(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(b.edges).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(b.proportions).toEqual(new Array(10).fill(0.1));
  });

  it('merges repeated edges (a value that fills several deciles)', () => {
    const values = [...new Array(50).fill(0), ...Array.from({ length: 50 }, (_, i) => i + 1)];
    const b = baselineFromSamples(values);
    expect(b.edges[0]).toBe(0);
    expect(b.proportions[0]).toBe(0.5);
    expect(b.proportions.reduce((a, p) => a + p, 0)).toBeCloseTo(1, 12);
    expect(() => checkBaseline({ fields: { 'output.score': b } })).not.toThrow();
  });

  it('refuses fewer than two distinct values, non-finite values and a bad bin count', () => {
    expect(() => baselineFromSamples([1, 1, 1])).toThrow(code('ERR_INVALID_BASELINE'));
    expect(() => baselineFromSamples([1, Number.NaN])).toThrow(code('ERR_INVALID_BASELINE'));
    expect(() => baselineFromSamples([1, '2'])).toThrow(code('ERR_INVALID_BASELINE'));
    expect(() => baselineFromSamples([1, 2], MAX_BASELINE_BINS + 1)).toThrow(code('ERR_INVALID_BASELINE'));
  });
});

describe('checkBaseline', () => {
  const ok = { fields: { 'output.score': { edges: [0.5], proportions: [0.4, 0.6] } } };

  it('takes a well-formed baseline and returns a copy', () => {
    const b = checkBaseline(ok);
    expect(b).toEqual(ok);
    expect(b.fields['output.score']).not.toBe(ok.fields['output.score']);
  });

  it.each([
    ['no fields', { fields: {} }],
    ['an unknown top-level field', { ...ok, bins: 10 }],
    ['a field that is not a decision field', { fields: { model: ok.fields['output.score'] } }],
    ['proportions that do not sum to 1', { fields: { 'output.score': { edges: [0.5], proportions: [0.4, 0.4] } } }],
    ['a negative proportion', { fields: { 'output.score': { edges: [0.5], proportions: [-0.1, 1.1] } } }],
    ['edges not increasing', { fields: { 'output.score': { edges: [2, 1], proportions: [0.3, 0.3, 0.4] } } }],
    ['an edge count that does not match', { fields: { 'output.score': { edges: [1, 2], proportions: [0.5, 0.5] } } }],
    ['one bin', { fields: { 'output.score': { edges: [], proportions: [1] } } }],
    [
      'too many fields',
      {
        fields: Object.fromEntries(
          Array.from({ length: MAX_BASELINE_FIELDS + 1 }, (_, i) => [`output.f${i}`, ok.fields['output.score']]),
        ),
      },
    ],
  ])('refuses %s (ERR_INVALID_BASELINE)', (_what, value) => {
    expect(() => checkBaseline(value)).toThrow(code('ERR_INVALID_BASELINE'));
  });
});

describe('baselineFromFile', () => {
  it('cuts sample values into quantile bins and takes given bins as they are', () => {
    const b = baselineFromFile({
      bins: 4,
      fields: {
        'output.score': { values: [1, 2, 3, 4, 5, 6, 7, 8] },
        'output.amount': { edges: [10], proportions: [0.25, 0.75] },
      },
    });
    expect(b.fields['output.score']).toEqual({ edges: [2, 4, 6], proportions: [0.25, 0.25, 0.25, 0.25] });
    expect(b.fields['output.amount']).toEqual({ edges: [10], proportions: [0.25, 0.75] });
  });

  it('refuses an unknown field and values next to bins (ERR_INVALID_BASELINE)', () => {
    expect(() => baselineFromFile({ fields: {}, extra: 1 })).toThrow(code('ERR_INVALID_BASELINE'));
    expect(() => baselineFromFile({ fields: { 'output.s': { values: [1, 2], edges: [1] } } })).toThrow(
      code('ERR_INVALID_BASELINE'),
    );
  });
});
