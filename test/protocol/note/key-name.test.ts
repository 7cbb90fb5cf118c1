import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidKeyName } from '../../../protocol/note/key-name.ts';

describe('isValidKeyName', () => {
  describe('when the name is a schema-less URL or plain word', () => {
    it.each(['example.com/log42', 'PeterNeumann', 'oid/1.3.6.1.4.1', 'ünïcødé.example/☃', 'a'])(
      'accepts %j',
      (name) => {
        expect(isValidKeyName(name)).toBe(true);
      },
    );
  });

  describe('when the name breaks the signed-note rules', () => {
    it.each([
      ['empty', ''],
      ['plus', 'a+b'],
      ['space', 'a b'],
      ['tab', 'a\tb'],
      ['newline', 'a\nb'],
      ['carriage return', 'a\rb'],
      ['vertical tab', 'a\vb'],
      ['form feed', 'a\fb'],
      ['NEL U+0085', 'a\u0085b'],
      ['no-break space U+00A0', 'a\u00a0b'],
      ['ogham space U+1680', 'a\u1680b'],
      ['en quad U+2000', 'a\u2000b'],
      ['hair space U+200A', 'a\u200ab'],
      ['line separator U+2028', 'a\u2028b'],
      ['paragraph separator U+2029', 'a\u2029b'],
      ['narrow no-break space U+202F', 'a\u202fb'],
      ['ideographic space U+3000', 'a\u3000b'],
      ['control character', 'a\u0001b'],
      ['lone surrogate', 'a\ud800b'],
    ])('rejects a name with %s', (_why, name) => {
      expect(isValidKeyName(name)).toBe(false);
    });

    it('rejects non-strings', () => {
      expect(isValidKeyName(42)).toBe(false);
      expect(isValidKeyName(undefined)).toBe(false);
    });
  });

  describe("when a character is not a space for Go's unicode.IsSpace", () => {
    // Parity with the reference implementation: these are format characters (Cf), not spaces.
    it.each([
      ['zero-width space U+200B', 'a\u200bb'],
      ['BOM U+FEFF', 'a\ufeffb'],
    ])('accepts a name with %s', (_why, name) => {
      expect(isValidKeyName(name)).toBe(true);
    });
  });

  describe('when names are arbitrary strings', () => {
    it('accepts exactly those without "+", spaces, control characters or lone surrogates', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 12 }), (name) => {
          const expected =
            name.length > 0 && !/[+\s\u0085\u0000-\u001f]|\p{Z}|\p{Cs}/u.test(name.replace(/\ufeff/g, 'x'));
          expect(isValidKeyName(name)).toBe(expected);
        }),
      );
    });
  });
});
