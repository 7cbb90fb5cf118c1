import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';
import {
  baselineDigest,
  checkBaseline,
  checkBaselineShape,
  decodeBaseline,
  decodeBaselineEnvelope,
  encodeBaseline,
  MAX_BASELINE_BYTES,
} from '../../../protocol/policy/baseline.ts';
import { bundle, rule as ruleOf, signed } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('checkBaseline', () => {
  describe('when the bundle is well-formed', () => {
    it('returns it', () => {
      const b = bundle(1, null);
      expect(checkBaseline(b)).toEqual(b);
      expect(checkBaseline(bundle(2, b)).previous).toBe(baselineDigest(b));
    });
  });

  describe('when a field is wrong', () => {
    const b1 = bundle(1, null);
    it.each([
      ['not an object', []],
      ['an unknown field', { ...b1, extra: 1 }],
      ['a missing field', { ...b1, expiresAt: undefined }],
      ['another type', { ...b1, type: 'govfed.policy/v2' }],
      ['a bad federation id', { ...b1, federationId: 'ABC' }],
      ['version 0', { ...b1, version: 0 }],
      ['version 1 with previous', { ...b1, previous: baselineDigest(b1) }],
      ['version 2 without previous', { ...b1, version: 2 }],
      ['expiry before creation', { ...b1, expiresAt: '2024-01-01T00:00:00Z' }],
      ['a bad timestamp', { ...b1, createdAt: 'yesterday' }],
    ])('rejects %s with ERR_MALFORMED_POLICY', (_, v) => {
      expect(() => checkBaseline(v)).toThrow(code('ERR_MALFORMED_POLICY'));
    });
  });

  describe('when a rule does not compile', () => {
    it('rejects the bundle with ERR_INVALID_RULE (checkBaselineShape lets it through)', () => {
      const b = bundle(1, null, { rules: [ruleOf('decision.model')] });
      expect(() => checkBaseline(b)).toThrow(code('ERR_INVALID_RULE'));
      expect(checkBaselineShape(b).rules).toHaveLength(1);
    });
  });
});

describe('encodeBaseline / decodeBaseline', () => {
  describe('when a bundle round-trips', () => {
    it('gives the same bundle and a stable digest', () => {
      const b = bundle(1, null);
      expect(decodeBaseline(encodeBaseline(b))).toEqual(b);
      expect(baselineDigest(b)).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(baselineDigest(decodeBaseline(encodeBaseline(b)))).toBe(baselineDigest(b));
    });
  });

  describe('when the bytes are not canonical or too large', () => {
    it('rejects them', () => {
      const b = bundle(1, null);
      const pretty = utf8(JSON.stringify(b, null, 2));
      expect(() => decodeBaseline(pretty)).toThrow(code('ERR_NOT_CANONICAL'));
      expect(() => decodeBaseline(new Uint8Array(MAX_BASELINE_BYTES + 1))).toThrow(code('ERR_MALFORMED_POLICY'));
      expect(() => decodeBaseline(canonicalBytes({ ...b, version: -1 }))).toThrow(code('ERR_MALFORMED_POLICY'));
    });
  });

  describe('when bytes are arbitrary', () => {
    it('never throws anything but a GovfedError', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          expect(() => decodeBaseline(bytes)).toThrow(expect.objectContaining({ code: expect.any(String) }));
        }),
      );
    });
  });
});

describe('decodeBaselineEnvelope', () => {
  describe('when the envelope carries a bundle', () => {
    it('returns the envelope and the bundle', () => {
      const b = bundle(1, null);
      expect(decodeBaselineEnvelope(signed(b, [0])).bundle).toEqual(b);
    });
  });

  describe('when the payload type is another', () => {
    it('throws ERR_PAYLOAD_TYPE_MISMATCH', () => {
      const env = { ...signed(bundle(1, null), [0]), payloadType: 'application/vnd.govfed.charter+json' };
      expect(() => decodeBaselineEnvelope(env)).toThrow(code('ERR_PAYLOAD_TYPE_MISMATCH'));
    });
  });
});
