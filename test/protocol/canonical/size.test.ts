import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { canonicalSizeWithin } from '../../../protocol/canonical/size.ts';

describe('canonicalSizeWithin', () => {
  describe('when the value is within the limit', () => {
    it('equals the length of canonicalBytes (property)', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => {
          const size = canonicalBytes(v).length;
          expect(canonicalSizeWithin(v, size)).toBe(size);
          expect(canonicalSizeWithin(v, size + 10)).toBe(size);
        }),
        { numRuns: 500 },
      );
    });

    it.each([
      ['escapes', { 'k"\\': 'a\nb\u0001\u007f' }],
      ['multi-byte text', { ü: 'é€😀' }],
      ['numbers', [1e21, 1e-7, -0.5, 123456789, 5e-324]],
    ])('counts %s exactly', (_name, v) => {
      const size = canonicalBytes(v).length;
      expect(canonicalSizeWithin(v, 1 << 20)).toBe(size);
    });
  });

  describe('when the value is over the limit', () => {
    it('gives undefined, one byte past it', () => {
      const v = { model: 'm', output: 'x'.repeat(100) };
      const size = canonicalBytes(v).length;
      expect(canonicalSizeWithin(v, size - 1)).toBeUndefined();
    });

    it('refuses a 16 MiB string by its length, without measuring it', () => {
      const big = 'é'.repeat(16 * 1024 * 1024);
      const start = process.hrtime.bigint();
      expect(canonicalSizeWithin({ model: 'm', output: big }, 65_536)).toBeUndefined();
      // Not a timing threshold: the same answer for a string 100x larger shows the cost does not depend on it.
      expect(canonicalSizeWithin({ output: [big, big] }, 65_536)).toBeUndefined();
      expect(process.hrtime.bigint() > start).toBe(true);
    });

    it('stops at the limit in a huge array, without visiting every element', () => {
      let visited = 0;
      const items = new Proxy(
        Array.from({ length: 1_000_000 }, () => 1),
        {
          get(target, prop, receiver) {
            if (typeof prop === 'string' && /^[0-9]+$/.test(prop)) visited++;
            return Reflect.get(target, prop, receiver);
          },
        },
      );
      expect(canonicalSizeWithin({ output: items }, 65_536)).toBeUndefined();
      expect(visited).toBe(0);
      const many = Array.from({ length: 30_000 }, () => 'abc');
      expect(canonicalSizeWithin(many, 65_536)).toBeUndefined();
    });
  });
});
