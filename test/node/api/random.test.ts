import { describe, expect, it } from 'vitest';
import { pooledRandom } from '../../../node/api/random.ts';

describe('pooledRandom', () => {
  describe('when asked for bytes repeatedly', () => {
    it('returns fresh arrays of the asked length that never repeat, across refills', () => {
      const random = pooledRandom(64);
      const seen = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const b = random(16);
        expect(b).toBeInstanceOf(Uint8Array);
        expect(b.length).toBe(16);
        const hex = Buffer.from(b).toString('hex');
        expect(seen.has(hex)).toBe(false);
        seen.add(hex);
      }
    });

    it('gives copies: changing one does not change later output', () => {
      const random = pooledRandom(64);
      const a = random(8);
      a.fill(0);
      expect(random(8).every((x) => x === 0)).toBe(false);
    });

    it('serves requests larger than the pool', () => {
      expect(pooledRandom(16)(100).length).toBe(100);
    });
  });

  describe('when the length is invalid', () => {
    it('throws', () => {
      expect(() => pooledRandom()(-1)).toThrow(RangeError);
      expect(() => pooledRandom()(1.5)).toThrow(RangeError);
    });
  });
});
