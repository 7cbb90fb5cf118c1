import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeSha256, nativeUtf8 } from '../../../node/decisions/primitives.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';

describe('native sealing primitives', () => {
  it('hash like protocol/crypto sha256', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (b) => {
        expect(Array.from(nativeSha256(b))).toEqual(Array.from(sha256(b)));
      }),
    );
  });

  it('encode like TextEncoder, into a plain Uint8Array', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        const b = nativeUtf8(s);
        expect(Object.getPrototypeOf(b)).toBe(Uint8Array.prototype);
        expect(Array.from(b)).toEqual(Array.from(utf8(s)));
      }),
    );
  });
});
