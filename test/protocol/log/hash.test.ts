import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { concatBytes, fromBase64, fromHex, toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  assertHash,
  EMPTY_ROOT,
  emptyRoot,
  HASH_SIZE,
  isEmptyRoot,
  leafHash,
  nodeHash,
} from '../../../protocol/log/hash.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('EMPTY_ROOT', () => {
  describe('when compared with the known answer', () => {
    it('is SHA-256 of the empty string', () => {
      expect(HASH_SIZE).toBe(32);
      expect(toBase64(EMPTY_ROOT)).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=');
    });
  });
});

describe('emptyRoot and isEmptyRoot', () => {
  describe('when the exported constant has been mutated by a careless caller', () => {
    it('still return and recognise the real empty-tree hash', () => {
      const saved = EMPTY_ROOT.slice();
      EMPTY_ROOT[0] = (EMPTY_ROOT[0] as number) ^ 1;
      try {
        expect(emptyRoot()).toEqual(saved);
        expect(isEmptyRoot(saved)).toBe(true);
        expect(isEmptyRoot(EMPTY_ROOT)).toBe(false);
      } finally {
        EMPTY_ROOT.set(saved);
      }
    });
  });
  describe('when given other bytes', () => {
    it('isEmptyRoot is false', () => {
      expect(isEmptyRoot(new Uint8Array(32))).toBe(false);
      expect(isEmptyRoot(EMPTY_ROOT.subarray(0, 31))).toBe(false);
    });
  });
});

describe('leafHash', () => {
  describe('when the entry is empty', () => {
    it('matches the RFC 6962 known answer', () => {
      expect(toBase64(leafHash(new Uint8Array(0)))).toBe('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=');
    });
  });
  describe('when the entry is a one-byte 0x00', () => {
    it('matches the transparency-dev test leaf hash', () => {
      expect(toBase64(leafHash(new Uint8Array([0])))).toBe('lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=');
    });
  });
  describe('when the entry is arbitrary', () => {
    it('is SHA-256(0x00 || entry)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (entry) => {
          expect(leafHash(entry)).toEqual(sha256(concatBytes(new Uint8Array([0]), entry)));
        }),
      );
    });
  });
  describe('when the entry is not bytes', () => {
    it('throws ERR_INVALID_INPUT', () => {
      expect(() => leafHash('abc' as unknown as Uint8Array)).toThrow(code('ERR_INVALID_INPUT'));
    });
  });
});

describe('nodeHash', () => {
  describe('when given two leaf hashes', () => {
    it('matches the RFC 6962 root of the two-leaf tree ["", 0x00]', () => {
      const root = nodeHash(leafHash(new Uint8Array(0)), leafHash(new Uint8Array([0])));
      expect(root).toEqual(fromHex('fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'));
    });
  });
  describe('when given arbitrary 32-byte hashes', () => {
    it('is SHA-256(0x01 || left || right) and returns a fresh array each time', () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          (l, r) => {
            const a = nodeHash(l, r);
            const b = nodeHash(l, r);
            expect(a).toEqual(sha256(concatBytes(new Uint8Array([1]), l, r)));
            expect(a).not.toBe(b);
          },
        ),
      );
    });
  });
  describe('when a leaf and a node have the same input bytes', () => {
    it('domain-separates them', () => {
      const l = sha256(utf8('a'));
      const r = sha256(utf8('b'));
      expect(nodeHash(l, r)).not.toEqual(leafHash(concatBytes(l, r)));
    });
  });
  describe('when an input is not 32 bytes', () => {
    it('throws ERR_INVALID_HASH', () => {
      const h = new Uint8Array(32);
      expect(() => nodeHash(new Uint8Array(31), h)).toThrow(code('ERR_INVALID_HASH'));
      expect(() => nodeHash(h, new Uint8Array(33))).toThrow(code('ERR_INVALID_HASH'));
    });
  });
});

describe('assertHash', () => {
  describe('when given 32 bytes', () => {
    it('accepts them', () => {
      expect(() => assertHash(fromBase64('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='), 'h')).not.toThrow();
    });
  });
  describe('when given anything else', () => {
    it('throws ERR_INVALID_HASH', () => {
      for (const bad of [
        new Uint8Array(0),
        new Uint8Array(31),
        new Uint8Array(33),
        new Array(32).fill(0),
        'x',
        null,
        undefined,
      ]) {
        expect(() => assertHash(bad, 'h')).toThrow(code('ERR_INVALID_HASH'));
      }
    });
  });
});
