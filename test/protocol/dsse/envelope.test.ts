import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope, type Envelope, parseEnvelope, serializeEnvelope } from '../../../protocol/dsse/envelope.ts';
import { toBase64, utf8 } from '../../../protocol/encoding/bytes.ts';

const SIG = toBase64(new Uint8Array(64).fill(7));
const TYPE = 'application/vnd.in-toto+json';

function valid(): Record<string, unknown> {
  return { payloadType: TYPE, payload: toBase64(utf8('{"a":1}')), signatures: [{ keyid: 'k1', sig: SIG }] };
}

const malformed = expect.objectContaining({ code: 'ERR_MALFORMED_ENVELOPE' });

describe('parseEnvelope', () => {
  describe('when given a valid envelope as an object, JSON text or UTF-8 bytes', () => {
    it('returns the same envelope for all three', () => {
      const obj = valid();
      const text = JSON.stringify(obj);
      expect(parseEnvelope(obj)).toEqual(obj);
      expect(parseEnvelope(text)).toEqual(obj);
      expect(parseEnvelope(utf8(text))).toEqual(obj);
    });
  });

  describe('when a signature has no keyid', () => {
    it('accepts it and leaves keyid out', () => {
      const env = parseEnvelope({ ...valid(), signatures: [{ sig: SIG }] });
      expect(env.signatures[0]).toEqual({ sig: SIG });
      expect('keyid' in (env.signatures[0] as object)).toBe(false);
    });

    it('treats an empty keyid as no keyid', () => {
      const env = parseEnvelope({ ...valid(), signatures: [{ keyid: '', sig: SIG }] });
      expect(env.signatures[0]).toEqual({ sig: SIG });
    });
  });

  describe('when the payload is empty', () => {
    it('accepts an empty base64 string', () => {
      expect(parseEnvelope({ ...valid(), payload: '' }).payload).toBe('');
    });
  });

  describe('when the envelope uses URL-safe base64 (protocol.md: verifiers MUST accept either)', () => {
    it('accepts it and normalises to standard base64', () => {
      // Vector "url-safe-base64", secure-systems-lab/dsse testvectors/vectors.json (commit 82043ad).
      const env = parseEnvelope({
        payload: '-_-_Pj8=',
        payloadType: TYPE,
        signatures: [
          {
            sig: 'P-_KHICeR7tI6S_YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU_svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==',
            keyid: 'A',
          },
        ],
      });
      expect(env.payload).toBe('+/+/Pj8=');
      expect(env.signatures[0]?.sig).toBe(
        'P+/KHICeR7tI6S/YyejJTRtrXhcQyQ2LYPaL8h90KjC9qN8HU/svOQ6TuDOT1HIrsGW886DbWNWcCmX5twLrAw==',
      );
    });

    it('rejects a field mixing both alphabets', () => {
      expect(() => parseEnvelope({ ...valid(), payload: '-_+/Pj8=' })).toThrow(malformed);
    });
  });

  describe('when the input is not an envelope at all', () => {
    it.each([
      ['null', null],
      ['an array', []],
      ['a number', 42],
      ['invalid JSON text', '{"payloadType":'],
      ['JSON text of an array', '[]'],
      ['invalid UTF-8 bytes', Uint8Array.of(0x7b, 0xff, 0x7d)],
      ['a class instance', new (class X {})()],
    ])('rejects %s', (_, input) => {
      expect(() => parseEnvelope(input)).toThrow(malformed);
    });
  });

  describe('when a field is missing, has the wrong type or is empty', () => {
    it.each([
      ['no payloadType', { payloadType: undefined }],
      ['empty payloadType', { payloadType: '' }],
      ['numeric payloadType', { payloadType: 5 }],
      ['payloadType with a lone surrogate', { payloadType: 'a\ud800' }],
      ['no payload', { payload: undefined }],
      ['payload not a string', { payload: [1, 2] }],
      ['no signatures', { signatures: undefined }],
      ['signatures not an array', { signatures: { sig: SIG } }],
      ['zero signatures', { signatures: [] }],
      ['a signature without sig', { signatures: [{ keyid: 'k' }] }],
      ['a signature that is a string', { signatures: [SIG] }],
      ['a non-string keyid', { signatures: [{ keyid: 7, sig: SIG }] }],
      ['a keyid over 256 characters', { signatures: [{ keyid: 'k'.repeat(257), sig: SIG }] }],
    ])('rejects %s', (_, patch) => {
      const input: Record<string, unknown> = { ...valid(), ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete input[k];
      expect(() => parseEnvelope(input)).toThrow(malformed);
    });

    it('accepts a keyid of exactly 256 characters', () => {
      const keyid = 'k'.repeat(256);
      expect(parseEnvelope({ ...valid(), signatures: [{ keyid, sig: SIG }] }).signatures[0]?.keyid).toBe(keyid);
    });
  });

  describe('when there are unknown fields', () => {
    it('rejects one at the top level', () => {
      expect(() => parseEnvelope({ ...valid(), extra: 1 })).toThrow(malformed);
    });

    it('rejects one in a signature', () => {
      expect(() => parseEnvelope({ ...valid(), signatures: [{ sig: SIG, cert: 'x' }] })).toThrow(malformed);
    });

    it('rejects a "__proto__" key in JSON text', () => {
      const text = JSON.stringify(valid()).replace('{', '{"__proto__":{"x":1},');
      expect(() => parseEnvelope(text)).toThrow(malformed);
    });
  });

  describe('when base64 is not canonical', () => {
    it.each([
      ['missing padding', 'YQ'],
      ['non-zero padding bits', 'YR=='],
      ['whitespace', 'YQ== '],
      ['a foreign character', 'Y*=='],
    ])('rejects a payload with %s', (_, payload) => {
      expect(() => parseEnvelope({ ...valid(), payload })).toThrow(malformed);
    });
  });

  describe('when a signature is not 64 bytes', () => {
    it.each([0, 32, 63, 65])('rejects a %i-byte signature', (n) => {
      const sig = toBase64(new Uint8Array(n));
      expect(() => parseEnvelope({ ...valid(), signatures: [{ sig }] })).toThrow(malformed);
    });
  });

  describe('when the envelope exceeds the limits', () => {
    it('rejects text and bytes over maxBytes before parsing them', () => {
      const text = JSON.stringify(valid());
      expect(() => parseEnvelope(text, { maxBytes: text.length - 1 })).toThrow(malformed);
      expect(() => parseEnvelope(utf8(text), { maxBytes: text.length - 1 })).toThrow(malformed);
      expect(parseEnvelope(text, { maxBytes: text.length })).toEqual(valid());
    });

    it('counts UTF-8 bytes, not characters', () => {
      const obj = { ...valid(), payloadType: 'é'.repeat(10) };
      const text = JSON.stringify(obj);
      expect(() => parseEnvelope(text, { maxBytes: text.length })).toThrow(malformed);
      expect(parseEnvelope(text, { maxBytes: utf8(text).length }).payloadType).toBe(obj.payloadType);
    });

    it('rejects a parsed object whose serialisation exceeds maxBytes', () => {
      const obj = { ...valid(), payload: toBase64(new Uint8Array(3000)) };
      expect(() => parseEnvelope(obj, { maxBytes: 2000 })).toThrow(malformed);
    });

    it('rejects more than 1 MiB by default', () => {
      const obj = { ...valid(), payload: toBase64(new Uint8Array((1 << 20) + 1)) };
      expect(() => parseEnvelope(obj)).toThrow(malformed);
      expect(() => parseEnvelope(JSON.stringify(obj))).toThrow(malformed);
    });

    it('rejects more than maxSignatures signatures (32 by default)', () => {
      const sigs = (n: number) => Array.from({ length: n }, () => ({ sig: SIG }));
      expect(parseEnvelope({ ...valid(), signatures: sigs(32) }).signatures).toHaveLength(32);
      expect(() => parseEnvelope({ ...valid(), signatures: sigs(33) })).toThrow(malformed);
      expect(() => parseEnvelope({ ...valid(), signatures: sigs(3) }, { maxSignatures: 2 })).toThrow(malformed);
    });

    it('rejects limits that are not positive integers', () => {
      for (const limits of [{ maxBytes: 0 }, { maxBytes: 1.5 }, { maxSignatures: -1 }, { maxSignatures: Number.NaN }]) {
        expect(() => parseEnvelope(valid(), limits)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_INPUT' }));
      }
    });
  });
});

describe('decodeEnvelope', () => {
  describe('when given a valid envelope', () => {
    it('decodes the payload and signatures to bytes', () => {
      const d = decodeEnvelope(valid() as unknown as Envelope);
      expect(d.payload).toEqual(utf8('{"a":1}'));
      expect(d.signatures[0]?.sig).toEqual(new Uint8Array(64).fill(7));
      expect(d.signatures[0]?.keyid).toBe('k1');
    });
  });

  describe('when the envelope is malformed', () => {
    it('applies the parseEnvelope rules', () => {
      expect(() => decodeEnvelope({ ...valid(), signatures: [] } as unknown as Envelope)).toThrow(malformed);
    });
  });
});

describe('serializeEnvelope', () => {
  describe('when given an envelope', () => {
    it('writes fields in a fixed order', () => {
      const env = { signatures: [{ sig: SIG, keyid: 'k1' }], payload: 'YQ==', payloadType: TYPE };
      expect(serializeEnvelope(env)).toBe(
        `{"payloadType":"${TYPE}","payload":"YQ==","signatures":[{"keyid":"k1","sig":"${SIG}"}]}`,
      );
    });

    it('round-trips through parseEnvelope for any payload, type and keyids', () => {
      const sig = fc.uint8Array({ minLength: 64, maxLength: 64 }).map(toBase64);
      const entry = fc.record({
        keyid: fc.option(fc.string({ minLength: 1, maxLength: 256 }), { nil: undefined }),
        sig,
      });
      fc.assert(
        fc.property(
          fc.string({ minLength: 1 }).filter((s) => !/\p{Surrogate}/u.test(s)),
          fc.uint8Array({ maxLength: 200 }),
          fc.array(entry, { minLength: 1, maxLength: 5 }),
          (payloadType, payload, signatures) => {
            const env: Envelope = {
              payloadType,
              payload: toBase64(payload),
              signatures: signatures.map((s) => (s.keyid === undefined ? { sig: s.sig } : s)),
            };
            const text = serializeEnvelope(env);
            expect(parseEnvelope(text)).toEqual(env);
            expect(serializeEnvelope(parseEnvelope(text))).toBe(text);
          },
        ),
      );
    });
  });

  describe('when given a malformed envelope', () => {
    it('refuses to serialise it', () => {
      expect(() => serializeEnvelope({ ...valid(), payload: 'YQ' } as unknown as Envelope)).toThrow(malformed);
    });
  });
});
