import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitAt, bitLength, floorLog2, popCount, shiftRight, trailingZeros, xor } from '../../../protocol/log/bits.ts';

// Reference: the same operations on BigInt, which has no 32-bit limit.
const big = (n: number): bigint => BigInt(n);
const refBitLength = (n: number): number => (n === 0 ? 0 : big(n).toString(2).length);
const refPopCount = (n: number): number => [...big(n).toString(2)].filter((c) => c === '1').length;
const refTrailingZeros = (n: number): number => {
  const s = big(n).toString(2);
  return s.length - 1 - s.lastIndexOf('1');
};

const safeNat = fc.oneof(
  fc.maxSafeNat(),
  fc.integer({ min: 0, max: 2 ** 32 + 5 }),
  fc.constantFrom(0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 52, Number.MAX_SAFE_INTEGER),
);
const safePos = safeNat.filter((n) => n > 0);

describe('bitLength', () => {
  describe('when n is any safe non-negative integer', () => {
    it('matches the BigInt reference', () => {
      fc.assert(
        fc.property(safeNat, (n) => {
          expect(bitLength(n)).toBe(refBitLength(n));
        }),
      );
    });
  });
  describe('when n is at a 32-bit boundary', () => {
    it('counts bits beyond 32', () => {
      expect(bitLength(0)).toBe(0);
      expect(bitLength(2 ** 32 - 1)).toBe(32);
      expect(bitLength(2 ** 32)).toBe(33);
      expect(bitLength(Number.MAX_SAFE_INTEGER)).toBe(53);
    });
  });
});

describe('floorLog2', () => {
  describe('when n >= 1', () => {
    it('is the exponent of the largest power of two <= n', () => {
      fc.assert(
        fc.property(safePos, (n) => {
          const l = floorLog2(n);
          expect(2 ** l <= n && n < 2 ** (l + 1)).toBe(true);
        }),
      );
    });
  });
});

describe('trailingZeros', () => {
  describe('when n >= 1', () => {
    it('matches the BigInt reference', () => {
      fc.assert(
        fc.property(safePos, (n) => {
          expect(trailingZeros(n)).toBe(refTrailingZeros(n));
        }),
      );
      expect(trailingZeros(2 ** 52)).toBe(52);
      expect(trailingZeros(2 ** 31)).toBe(31);
    });
  });
});

describe('popCount', () => {
  describe('when n is any safe non-negative integer', () => {
    it('matches the BigInt reference', () => {
      fc.assert(
        fc.property(safeNat, (n) => {
          expect(popCount(n)).toBe(refPopCount(n));
        }),
      );
      expect(popCount(Number.MAX_SAFE_INTEGER)).toBe(53);
    });
  });
});

describe('xor', () => {
  describe('when both operands are safe non-negative integers', () => {
    it('matches the BigInt reference', () => {
      fc.assert(
        fc.property(safeNat, safeNat, (a, b) => {
          expect(big(xor(a, b))).toBe(big(a) ^ big(b));
        }),
      );
    });
  });
});

describe('shiftRight and bitAt', () => {
  describe('when shifting by 0..53 bits', () => {
    it('match the BigInt reference', () => {
      fc.assert(
        fc.property(safeNat, fc.integer({ min: 0, max: 53 }), (n, k) => {
          expect(big(shiftRight(n, k))).toBe(big(n) >> big(k));
          expect(big(bitAt(n, k))).toBe((big(n) >> big(k)) & 1n);
        }),
      );
    });
  });
});
