import canonicalizeReference from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes, canonicalize, parseCanonical } from '../../../protocol/canonical/jcs.ts';
import { fromUtf8, utf8 } from '../../../protocol/encoding/bytes.ts';

const code = (c: string) => expect.objectContaining({ code: c });

/** A double from its IEEE 754 bit pattern (big-endian hex), as RFC 8785 Appendix B lists them. */
function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

// RFC 8785 Appendix B, "Number Serialization Samples" (https://www.rfc-editor.org/rfc/rfc8785#appendix-B).
const APPENDIX_B: [string, string][] = [
  ['0000000000000000', '0'],
  ['8000000000000000', '0'],
  ['0000000000000001', '5e-324'],
  ['8000000000000001', '-5e-324'],
  ['7fefffffffffffff', '1.7976931348623157e+308'],
  ['ffefffffffffffff', '-1.7976931348623157e+308'],
  ['4340000000000000', '9007199254740992'],
  ['c340000000000000', '-9007199254740992'],
  ['4430000000000000', '295147905179352830000'],
  ['44b52d02c7e14af5', '9.999999999999997e+22'],
  ['44b52d02c7e14af6', '1e+23'],
  ['44b52d02c7e14af7', '1.0000000000000001e+23'],
  ['444b1ae4d6e2ef4e', '999999999999999700000'],
  ['444b1ae4d6e2ef4f', '999999999999999900000'],
  ['444b1ae4d6e2ef50', '1e+21'],
  ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
  ['3eb0c6f7a0b5ed8d', '0.000001'],
  ['41b3de4355555553', '333333333.3333332'],
  ['41b3de4355555554', '333333333.33333325'],
  ['41b3de4355555555', '333333333.3333333'],
  ['41b3de4355555556', '333333333.3333334'],
  ['41b3de4355555557', '333333333.33333343'],
  ['becbf647612f3696', '-0.0000033333333333333333'],
  ['43143ff3c1cb0959', '1424953923781206.2'],
];

describe('canonicalize', () => {
  describe('when given the RFC 8785 §3.2.2 example', () => {
    it('produces the §3.2.3 canonical form', () => {
      const input = String.raw`{
        "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
        "literals": [null, true, false]
      }`;
      expect(canonicalize(JSON.parse(input))).toBe(
        String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
      );
    });
  });

  describe('when serialising numbers (RFC 8785 Appendix B)', () => {
    it.each(APPENDIX_B)('writes %s as %s', (bits, expected) => {
      expect(canonicalize(fromBits(bits))).toBe(expected);
      expect(canonicalize([fromBits(bits)])).toBe(`[${expected}]`);
    });

    it('rejects NaN and Infinity (Appendix B note 3)', () => {
      for (const bits of ['7fffffffffffffff', '7ff0000000000000', 'fff0000000000000']) {
        expect(() => canonicalize({ n: fromBits(bits) })).toThrow(code('ERR_INVALID_INPUT'));
      }
    });
  });

  describe('when sorting property names (RFC 8785 §3.2.3 sorting example)', () => {
    it('orders by UTF-16 code units, recursively', () => {
      const input = String.raw`{
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\ud83d\ude00": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis"
      }`;
      // Expected member order, as (name, value) pairs.
      const expected: [string, string][] = [
        ['\r', 'Carriage Return'],
        ['1', 'One'],
        ['\u0080', 'Control'],
        ['\u00f6', 'Latin Small Letter O With Diaeresis'],
        ['\u20ac', 'Euro Sign'],
        ['\ud83d\ude00', 'Emoji: Grinning Face'],
        ['\ufb33', 'Hebrew Letter Dalet With Dagesh'],
      ];
      // Compare text: a JS object would move the integer-like key "1" to the front on re-parsing.
      const text = `{${expected.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
      expect(canonicalize(JSON.parse(input))).toBe(text);
      expect(canonicalize({ z: [JSON.parse(input)], a: 1 })).toBe(`{"a":1,"z":[${text}]}`);
    });

    it('puts U+1F600 (a surrogate pair, D83D DE00) before U+FB33, unlike code-point order', () => {
      expect(canonicalize({ '\ufb33': 1, '😀': 2 })).toBe('{"😀":2,"\ufb33":1}');
    });
  });

  describe('when given values JSON cannot represent', () => {
    it.each([
      ['undefined', undefined],
      ['an undefined property', { a: undefined }],
      ['NaN', Number.NaN],
      ['a BigInt', 1n],
      ['a nested BigInt', { a: [1n] }],
      ['a function', () => 1],
      ['a symbol', Symbol('s')],
      ['a Date', new Date(0)],
      ['a Map', new Map()],
      ['a Uint8Array', new Uint8Array(1)],
    ])('rejects %s', (_, value) => {
      expect(() => canonicalize(value)).toThrow(code('ERR_INVALID_INPUT'));
    });

    it('rejects nesting deeper than 64 levels, and accepts 64', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 70; i++) deep = [deep];
      expect(() => canonicalize(deep)).toThrow(code('ERR_INVALID_INPUT'));
      let ok: unknown = 1;
      for (let i = 0; i < 64; i++) ok = { a: ok };
      expect(canonicalize(ok)).toBe(`${'{"a":'.repeat(64)}1${'}'.repeat(64)}`);
    });

    it('says where the value is not JSON', () => {
      expect(() => canonicalize({ a: [1, { b: Number.NaN }] })).toThrow(/\$\.a\[1\]\.b: non-finite number/);
      expect(() => canonicalize({ a: { b: undefined } })).toThrow(/\$\.a\.b: undefined is not JSON/);
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      expect(() => canonicalize(cyclic)).toThrow(/nesting deeper than 64/);
    });

    it('rejects a lone surrogate (RFC 8785 §3.2.2.2)', () => {
      expect(() => canonicalize({ s: '\ud800' })).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => canonicalize({ ['k\udc00']: 1 })).toThrow(code('ERR_INVALID_INPUT'));
      expect(() => canonicalize(['ok', 'x\ud800y'])).toThrow(code('ERR_INVALID_INPUT'));
    });
  });

  describe('when given any JSON value', () => {
    it('writes what the reference implementation (the canonicalize package) writes', () => {
      const unicode = fc.string({ unit: 'grapheme', maxLength: 12 });
      const value = fc.letrec((tie) => ({
        leaf: fc.oneof(
          fc.constant(null),
          fc.boolean(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.integer(),
          unicode,
        ),
        node: fc.oneof(
          { depthSize: 'small' },
          tie('leaf'),
          fc.array(tie('node'), { maxLength: 5 }),
          fc.dictionary(unicode, tie('node'), { maxKeys: 5 }),
        ),
      })).node;
      fc.assert(
        fc.property(fc.oneof(fc.jsonValue(), value), (v) => {
          expect(canonicalize(v)).toBe(canonicalizeReference(v));
        }),
        { numRuns: 2000 },
      );
    });

    it('is idempotent through JSON.parse', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => {
          const once = canonicalize(v);
          expect(canonicalize(JSON.parse(once))).toBe(once);
        }),
      );
    });
  });
});

describe('canonicalBytes', () => {
  describe('when given a value', () => {
    it('is the UTF-8 of canonicalize, non-ASCII written as is', () => {
      expect(fromUtf8(canonicalBytes({ b: 'é', a: [1, 'x'] }))).toBe('{"a":[1,"x"],"b":"é"}');
      expect(canonicalBytes({ e: '€' })).toEqual(
        Uint8Array.of(0x7b, 0x22, 0x65, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0xac, 0x22, 0x7d),
      );
    });
  });
});

describe('parseCanonical', () => {
  describe('when the bytes are canonical', () => {
    it('returns the value for any JSON value', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (v) => {
          const bytes = canonicalBytes(v);
          expect(canonicalize(parseCanonical(bytes))).toBe(fromUtf8(bytes));
        }),
      );
    });
  });

  describe('when the bytes are valid JSON but not canonical', () => {
    it.each([
      ['whitespace', '{"a": 1}'],
      ['unsorted keys', '{"b":1,"a":2}'],
      ['a duplicate key', '{"a":1,"a":1}'],
      ['a non-shortest number', '{"a":1.0}'],
      ['an exponent where JCS writes digits', '[1e2]'],
      ['an uppercase exponent', '[1E+30]'],
      ['an escaped slash', '["\\/"]'],
      ['an escaped non-ASCII character', '["\\u00e9"]'],
      ['an uppercase \\u escape', '["\\u001F"]'],
      ['negative zero', '[-0]'],
      ['a trailing newline', '{}\n'],
    ])('rejects %s', (_, text) => {
      expect(() => parseCanonical(utf8(text))).toThrow(code('ERR_NOT_CANONICAL'));
    });
  });

  describe('when the bytes are not JSON at all', () => {
    it('rejects invalid JSON and invalid UTF-8', () => {
      expect(() => parseCanonical(utf8('{"a":'))).toThrow(code('ERR_INVALID_ENCODING'));
      expect(() => parseCanonical(Uint8Array.of(0x22, 0xff, 0x22))).toThrow(code('ERR_INVALID_ENCODING'));
    });
  });

  describe('when the input is larger than maxBytes', () => {
    it('rejects it before parsing', () => {
      expect(() => parseCanonical(utf8('[1,2,3]'), 6)).toThrow(code('ERR_INVALID_LENGTH'));
      expect(parseCanonical(utf8('[1,2,3]'), 7)).toEqual([1, 2, 3]);
    });
  });
});
