import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHECKPOINT_PREFIX,
  checkpointKey,
  decodeSize,
  encodeSize,
  hashKey,
  hex16,
  keyNumber,
  LEAF_PREFIX,
  leafKey,
} from '../../../node/log/keys.ts';

describe('hex16', () => {
  describe('when numbers are ordered', () => {
    it('orders their keys the same way, byte by byte', () => {
      fc.assert(
        fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), fc.nat({ max: Number.MAX_SAFE_INTEGER }), (a, b) => {
          const ka = leafKey(a);
          const kb = leafKey(b);
          expect(ka.length).toBe(18);
          expect(Math.sign(Buffer.compare(Buffer.from(ka), Buffer.from(kb)))).toBe(Math.sign(a - b));
        }),
      );
    });

    it('is fixed-width lowercase hex', () => {
      expect(hex16(0)).toBe('0000000000000000');
      expect(hex16(255)).toBe('00000000000000ff');
      expect(hashKey(2 ** 52)).toBe('h/0010000000000000');
    });
  });
});

describe('keyNumber', () => {
  describe('when the key was written by the layout', () => {
    it('round-trips', () => {
      fc.assert(
        fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => {
          expect(keyNumber(leafKey(n), LEAF_PREFIX)).toBe(n);
          expect(keyNumber(checkpointKey(n), CHECKPOINT_PREFIX)).toBe(n);
        }),
      );
    });
  });

  describe('when the key is not', () => {
    it.each(['l/12', 'l/000000000000000G', 'c/0000000000000001', 'l/ffffffffffffffff'])('rejects %s', (k) => {
      expect(() => keyNumber(k, LEAF_PREFIX)).toThrow(expect.objectContaining({ code: 'ERR_LOG_CORRUPT' }));
    });
  });
});

describe('encodeSize', () => {
  describe('when decoded', () => {
    it('round-trips as 8 bytes big-endian', () => {
      expect(encodeSize(0x0102)).toEqual(new Uint8Array([0, 0, 0, 0, 0, 0, 1, 2]));
      fc.assert(
        fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => {
          expect(decodeSize(encodeSize(n))).toBe(n);
        }),
      );
    });
  });

  describe('when the stored value is damaged', () => {
    it('rejects a wrong length or a value above 2^53 - 1', () => {
      const corrupt = expect.objectContaining({ code: 'ERR_LOG_CORRUPT' });
      expect(() => decodeSize(new Uint8Array(7))).toThrow(corrupt);
      expect(() => decodeSize(new Uint8Array(8).fill(0xff))).toThrow(corrupt);
    });
  });
});
