import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pae } from '../../../protocol/dsse/pae.ts';
import { concatBytes, fromUtf8, toHex, utf8 } from '../../../protocol/encoding/bytes.ts';

describe('pae', () => {
  describe('when given the DSSE spec example (protocol.md, "Test Vectors")', () => {
    it('produces the published PAE', () => {
      const out = pae('http://example.com/HelloWorld', utf8('hello world'));
      expect(fromUtf8(out)).toBe('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
    });
  });

  describe('when the payload type is empty', () => {
    it('writes a zero length and keeps both separators', () => {
      expect(fromUtf8(pae('', utf8('x')))).toBe('DSSEv1 0  1 x');
    });
  });

  describe('when the payload is empty', () => {
    it('ends with "0 " (a trailing space)', () => {
      expect(fromUtf8(pae('t', new Uint8Array(0)))).toBe('DSSEv1 1 t 0 ');
    });
  });

  describe('when the payload type has multi-byte UTF-8 characters', () => {
    it('counts bytes, not characters', () => {
      // "application/vnd.exämple+json": 28 characters, 29 bytes (ä is 0xc3 0xa4).
      const type = 'application/vnd.exämple+json';
      expect(type.length).toBe(28);
      const out = pae(type, utf8('{}'));
      expect(toHex(out)).toBe(toHex(concatBytes(utf8('DSSEv1 29 '), utf8(type), utf8(' 2 {}'))));
      expect(toHex(out).includes('c3a4')).toBe(true);
    });

    it('counts a surrogate pair (one emoji) as 4 bytes', () => {
      expect(fromUtf8(pae('😀', utf8('')))).toBe('DSSEv1 4 😀 0 ');
    });
  });

  describe('when the payload contains spaces, digits and "DSSEv1"', () => {
    it('copies the payload verbatim after its length', () => {
      const body = utf8('DSSEv1 3 abc 1 x');
      expect(fromUtf8(pae('a b', body))).toBe('DSSEv1 3 a b 16 DSSEv1 3 abc 1 x');
    });
  });

  describe('when the payload is binary', () => {
    it('keeps every byte, including 0x00 and invalid UTF-8', () => {
      const body = Uint8Array.of(0x00, 0xff, 0x20, 0xc3);
      const out = pae('t', body);
      expect(toHex(out)).toBe(`${toHex(utf8('DSSEv1 1 t 4 '))}00ff20c3`);
    });
  });

  describe('when lengths reach more digits', () => {
    it('writes decimal lengths without leading zeros', () => {
      const out = fromUtf8(pae('x'.repeat(100), utf8('y'.repeat(1000))));
      expect(out.startsWith('DSSEv1 100 ')).toBe(true);
      expect(out.includes(' 1000 y')).toBe(true);
    });
  });

  describe('when two different (type, body) pairs are encoded', () => {
    it('never gives the same bytes (lengths make the split unambiguous)', () => {
      fc.assert(
        fc.property(fc.string(), fc.uint8Array(), fc.string(), fc.uint8Array(), (t1, b1, t2, b2) => {
          fc.pre(t1 !== t2 || toHex(b1) !== toHex(b2));
          fc.pre(!/\p{Surrogate}/u.test(t1 + t2));
          expect(toHex(pae(t1, b1))).not.toBe(toHex(pae(t2, b2)));
        }),
      );
    });
  });

  describe('when the payload type is not well-formed Unicode', () => {
    it('rejects a lone surrogate (it has no UTF-8 form)', () => {
      expect(() => pae('a\ud800', utf8('x'))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
    });
  });

  describe('when the inputs have the wrong types', () => {
    it('rejects a non-string type and a non-byte payload', () => {
      expect(() => pae(1 as unknown as string, utf8('x'))).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
      );
      expect(() => pae('t', 'x' as unknown as Uint8Array)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_INPUT' }),
      );
    });
  });
});
