import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PSI_EPSILON, psi } from '../../../protocol/monitoring/psi.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('psi', () => {
  describe('when the window matches the baseline', () => {
    it('is 0', () => {
      expect(psi([0.1, 0.2, 0.3, 0.4], [10, 20, 30, 40])).toBe(0);
    });
  });

  describe('when the window moved', () => {
    it('is Σ (a − e) ln(a / e): 0.1 ln 1.2 + 0.1 ln 1.25 for 50/50 → 60/40', () => {
      // (0.6 − 0.5) ln(0.6/0.5) + (0.4 − 0.5) ln(0.4/0.5) = 0.1·0.1823216 + 0.1·0.2231436
      expect(psi([0.5, 0.5], [60, 40])).toBeCloseTo(0.0405465108, 9);
    });

    it('crosses the critical 0.25 for a shift of most of the mass (90/10 against 50/50)', () => {
      // 0.4 ln 1.8 + 0.4 ln 5 = 0.2351 + 0.6438
      expect(psi([0.5, 0.5], [90, 10])).toBeCloseTo(0.4 * Math.log(1.8) + 0.4 * Math.log(5), 12);
    });
  });

  describe('when a bin is empty on one side', () => {
    it('floors both proportions at ε = 1e-4 (finite, not Infinity)', () => {
      const v = psi([0.5, 0.5, 0], [50, 49, 1]);
      const expected =
        (0.5 - 0.5) * 0 + (0.49 - 0.5) * Math.log(0.49 / 0.5) + (0.01 - PSI_EPSILON) * Math.log(0.01 / PSI_EPSILON);
      expect(v).toBeCloseTo(expected, 12);
      expect(Number.isFinite(psi([1, 0], [0, 10]))).toBe(true);
    });
  });

  describe('when the input is not usable', () => {
    it('throws ERR_INVALID_INPUT for different bin counts or an empty window', () => {
      expect(() => psi([0.5, 0.5], [1, 2, 3])).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => psi([0.5, 0.5], [0, 0])).toThrow(code('ERR_INVALID_INPUT'));
    });
  });

  it('is ≥ 0 and symmetric in the two distributions', () => {
    const counts = fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 12 });
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const k = Math.min(a.length, b.length);
        const x = a.slice(0, k);
        const y = b.slice(0, k);
        const sx = x.reduce((s, c) => s + c, 0);
        const sy = y.reduce((s, c) => s + c, 0);
        const v1 = psi(
          x.map((c) => c / sx),
          y,
        );
        const v2 = psi(
          y.map((c) => c / sy),
          x,
        );
        expect(v1).toBeGreaterThanOrEqual(0);
        expect(v1).toBeCloseTo(v2, 9);
      }),
    );
  });
});
