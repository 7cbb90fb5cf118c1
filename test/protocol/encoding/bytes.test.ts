import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertBytes,
  concatBytes,
  equalBytes,
  fromBase64,
  fromHex,
  fromUtf8,
  toBase64,
  toHex,
  utf8,
} from '../../../protocol/encoding/bytes.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('toBase64', () => {
  describe('when given the RFC 4648 §10 test vectors', () => {
    it.each([
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ])('encodes "%s" as "%s"', (text, b64) => {
      expect(toBase64(utf8(text))).toBe(b64);
      expect(fromUtf8(fromBase64(b64))).toBe(text);
    });
  });

  describe('when given any bytes', () => {
    it('matches node Buffer and round-trips through fromBase64', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
          const s = toBase64(b);
          expect(s).toBe(Buffer.from(b).toString('base64'));
          expect(fromBase64(s)).toEqual(b);
        }),
      );
    });
  });
});

describe('fromBase64', () => {
  describe('when the encoding is not canonical standard base64', () => {
    it.each([
      ['missing padding', 'Zg'],
      ['missing one pad character', 'Zg='],
      ['too much padding', 'Zm8=='],
      ['non-zero padding bits (1 byte)', 'Zh=='],
      ['non-zero padding bits (2 bytes)', 'Zm9='],
      ['URL-safe alphabet', '-_-_'],
      ['whitespace', 'Zm9v\n'],
      ['an inner space', 'Zm9 v'],
      ['padding in the middle', 'Zg==Zm9v'],
      ['a length not a multiple of 4', 'Zm9vY'],
      ['a non-base64 character', 'Zm9*'],
    ])('rejects %s', (_, s) => {
      expect(() => fromBase64(s)).toThrow(code('ERR_INVALID_ENCODING'));
    });

    it('rejects a non-string', () => {
      expect(() => fromBase64(42 as unknown as string)).toThrow(code('ERR_INVALID_ENCODING'));
    });

    it('rejects a bad character after MiBs of good ones with its code, not a stack overflow', () => {
      const big = toBase64(new Uint8Array(6 * 1024 * 1024).fill(7));
      expect(() => fromBase64(`${big.slice(0, -4)}Zm9*`)).toThrow(code('ERR_INVALID_ENCODING'));
    });
  });

  describe('when given any string of base64-like characters', () => {
    // The reference: the standard alphabet with at most two '=' at the end, a length that is a multiple
    // of 4, and the bytes re-encoding to the same string (no bits set past the data).
    const strict = (s: string) =>
      s.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(s) && Buffer.from(s, 'base64').toString('base64') === s;
    const chars = fc.constantFrom(
      ...'AQgw+/=-_ \n\u00e9\u{1F600}*'.split(''),
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split(''),
    );
    it('accepts exactly the canonical standard encodings, and decodes them as Buffer does', () => {
      fc.assert(
        fc.property(
          fc.array(chars, { maxLength: 24 }).map((a) => a.join('')),
          (s) => {
            let decoded: Uint8Array | undefined;
            try {
              decoded = fromBase64(s);
            } catch (err) {
              expect(err).toMatchObject({ code: 'ERR_INVALID_ENCODING' });
            }
            expect(decoded !== undefined).toBe(strict(s));
            if (decoded !== undefined) expect(Buffer.from(decoded).equals(Buffer.from(s, 'base64'))).toBe(true);
          },
        ),
        { numRuns: 2000 },
      );
    });
    it('accepts the encodings of random bytes with one character changed only when still canonical', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(), chars, (b, at, c) => {
          const s = toBase64(b);
          if (s.length === 0) return;
          const i = at % s.length;
          const t = s.slice(0, i) + c + s.slice(i + 1);
          let ok = true;
          try {
            fromBase64(t);
          } catch {
            ok = false;
          }
          expect(ok).toBe(strict(t));
        }),
        { numRuns: 2000 },
      );
    });
  });

  describe('when the input is large', () => {
    it('decodes 6 MiB of data (the grouped pattern it replaced overflowed the regex stack)', () => {
      const bytes = new Uint8Array(6 * 1024 * 1024 + 1).map((_, i) => i * 31);
      const back = fromBase64(toBase64(bytes));
      expect(back.length).toBe(bytes.length);
      expect(Buffer.compare(back, bytes)).toBe(0); // not toEqual: a deep compare of 6 M elements is slow
    });

    it('accepts exactly one encoding per byte string (any other alias is rejected)', () => {
      // Flipping the last data character changes either the bytes or only the dropped bits;
      // in the second case the alias must be refused.
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 63 }), (b, c) => {
          const s = toBase64(b);
          const idx = s.replace(/=+$/, '').length - 1;
          const alias = s.slice(0, idx) + alphabet[c] + s.slice(idx + 1);
          let decoded: Uint8Array | undefined;
          try {
            decoded = fromBase64(alias);
          } catch (err) {
            // Refused: only a non-canonical alias may be, and with the typed error.
            expect(alias).not.toBe(s);
            expect(err).toMatchObject({ code: 'ERR_INVALID_ENCODING' });
            return;
          }
          expect(toBase64(decoded)).toBe(alias);
          if (alias !== s) expect(equalBytes(decoded, b)).toBe(false);
        }),
      );
    });
  });
});

describe('toHex / fromHex', () => {
  describe('when given any bytes', () => {
    it('round-trips and writes lowercase', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
          const h = toHex(b);
          expect(h).toBe(Buffer.from(b).toString('hex'));
          expect(fromHex(h)).toEqual(b);
        }),
      );
    });
  });

  describe('when the hex is malformed', () => {
    it.each([
      ['odd length', 'abc'],
      ['uppercase', 'AB'],
      ['a non-hex character', 'zz'],
      ['a prefix', '0x00'],
    ])('rejects %s', (_, s) => {
      expect(() => fromHex(s)).toThrow(code('ERR_INVALID_ENCODING'));
    });
  });
});

describe('utf8 / fromUtf8', () => {
  describe('when the bytes are valid UTF-8', () => {
    it('round-trips well-formed strings', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'grapheme' }), (s) => {
          expect(fromUtf8(utf8(s))).toBe(s);
        }),
      );
    });
  });

  describe('when the bytes are not valid UTF-8', () => {
    it.each([
      ['a lone continuation byte', [0x80]],
      ['a truncated sequence', [0xe2, 0x82]],
      ['an overlong encoding', [0xc0, 0xaf]],
      ['an encoded surrogate', [0xed, 0xa0, 0x80]],
    ])('rejects %s', (_, bytes) => {
      expect(() => fromUtf8(Uint8Array.from(bytes))).toThrow(code('ERR_INVALID_ENCODING'));
    });
  });
});

describe('concatBytes / equalBytes', () => {
  describe('when given parts', () => {
    it('concatenates in order and compares by content', () => {
      fc.assert(
        fc.property(fc.array(fc.uint8Array({ maxLength: 20 }), { maxLength: 5 }), (parts) => {
          const joined = concatBytes(...parts);
          expect(toHex(joined)).toBe(parts.map(toHex).join(''));
          expect(equalBytes(joined, Uint8Array.from(joined))).toBe(true);
        }),
      );
      expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
      expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
    });
  });
});

describe('assertBytes', () => {
  describe('when the value is not what was asked', () => {
    it('throws ERR_INVALID_INPUT for a non-Uint8Array and ERR_INVALID_LENGTH for a wrong length', () => {
      expect(() => assertBytes([1, 2], undefined, 'x')).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => assertBytes(new Uint8Array(31), 32, 'x')).toThrow(code('ERR_INVALID_LENGTH'));
      expect(() => assertBytes(new Uint8Array(32), 32, 'x')).not.toThrow();
    });
  });
});
