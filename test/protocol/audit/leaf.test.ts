import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeLeaf,
  encodeLeaf,
  type Leaf,
  MAX_LEAF_BYTES,
  MAX_LEAF_DENY_CHARS,
  MAX_LEAF_DENY_IDS,
} from '../../../protocol/audit/leaf.ts';
import { utf8 } from '../../../protocol/encoding/bytes.ts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

const decision: Leaf = {
  v: 1,
  type: 'decision',
  model: 'credit-scorer@3.1',
  time: '2025-01-02T03:04:05.678Z',
  decisionId: '7d2c1f1e-0b7a-4d55-9d2c-5a2f0b0c1d2e',
  recordDigest: DIGEST,
  outcome: 'approve',
  policyVersion: 7,
};

const governance: Leaf = { v: 1, type: 'governance', kind: 'node.init', time: '2025-01-02T03:04:05Z', digest: DIGEST };

const malformed = (cause?: string) =>
  expect.objectContaining({
    code: 'ERR_MALFORMED_LEAF',
    ...(cause ? { cause: expect.objectContaining({ code: cause }) } : {}),
  });

const text = fc
  .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
  .filter((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s));
const time = fc
  .date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2999-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString('hex')}`);
const label = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
const ruleId = fc.stringMatching(/^(local:)?[a-z0-9][a-z0-9_.-]{0,15}$/);
/** Either no verdict, `allowed`, or `denied` with 1..8 distinct rule ids. */
const verdict = fc.oneof(
  fc.constant({}),
  fc.constant({ verdict: 'allowed' as const }),
  fc.uniqueArray(ruleId, { minLength: 1, maxLength: 8 }).map((deny) => ({ verdict: 'denied' as const, deny })),
);

const anyLeaf: fc.Arbitrary<Leaf> = fc.oneof(
  fc
    .record(
      {
        v: fc.constant(1 as const),
        type: fc.constant('decision' as const),
        model: text,
        time,
        decisionId: text,
        recordDigest: digest,
        outcome: label,
        policyVersion: fc.nat(),
      },
      { requiredKeys: ['v', 'type', 'model', 'time', 'decisionId', 'recordDigest', 'outcome'] },
    )
    .chain((leaf) => verdict.map((v) => ({ ...leaf, ...v }) as Leaf)),
  fc.record(
    {
      v: fc.constant(1 as const),
      type: fc.constant('governance' as const),
      kind: fc.constantFrom('node.init', 'policy.bundle', 'federation.charter'),
      time,
      digest,
      ref: text,
    },
    { requiredKeys: ['v', 'type', 'kind', 'time', 'digest'] },
  ),
);

describe('encodeLeaf', () => {
  describe('when the leaf is valid', () => {
    it('produces canonical JSON with sorted keys', () => {
      expect(new TextDecoder().decode(encodeLeaf(governance))).toBe(
        `{"digest":"${DIGEST}","kind":"node.init","time":"2025-01-02T03:04:05Z","type":"governance","v":1}`,
      );
    });
  });

  describe('when a field is invalid', () => {
    it.each([
      ['an unknown type', { ...governance, type: 'other' }],
      ['a wrong version', { ...decision, v: 2 }],
      ['an unknown field', { ...decision, extra: 1 }],
      ['a non-UTC time', { ...decision, time: '2025-01-02T03:04:05+01:00' }],
      ['an impossible date', { ...decision, time: '2025-02-30T03:04:05Z' }],
      ['a bad digest', { ...decision, recordDigest: `sha256:${'AB'.repeat(32)}` }],
      ['a bad outcome', { ...decision, outcome: 'has space' }],
      ['a negative policy version', { ...decision, policyVersion: -1 }],
      ['a fractional policy version', { ...decision, policyVersion: 1.5 }],
      ['a control character in the model', { ...decision, model: 'a\nb' }],
      ['an empty decision id', { ...decision, decisionId: '' }],
      ['a bad governance kind', { ...governance, kind: 'Node Init' }],
      ['an unknown verdict', { ...decision, verdict: 'maybe' }],
      ['deny rules on an allowed verdict', { ...decision, verdict: 'allowed', deny: ['a'] }],
      ['deny rules without a verdict', { ...decision, deny: ['a'] }],
      ['a denied verdict without rule ids', { ...decision, verdict: 'denied' }],
      ['a denied verdict with an empty list', { ...decision, verdict: 'denied', deny: [] }],
      ['a malformed rule id', { ...decision, verdict: 'denied', deny: ['Bad Id'] }],
      ['a rule id with another prefix', { ...decision, verdict: 'denied', deny: ['global:a'] }],
      ['a duplicate rule id', { ...decision, verdict: 'denied', deny: ['a', 'a'] }],
      [
        'too many rule ids',
        { ...decision, verdict: 'denied', deny: Array.from({ length: MAX_LEAF_DENY_IDS + 1 }, (_, i) => `r${i}`) },
      ],
      [
        'too many characters of rule ids',
        {
          ...decision,
          verdict: 'denied',
          deny: Array.from({ length: Math.ceil(MAX_LEAF_DENY_CHARS / 60) + 1 }, (_, i) => `${i}`.padEnd(60, 'x')),
        },
      ],
    ])('rejects %s', (_what, leaf) => {
      expect(() => encodeLeaf(leaf as Leaf)).toThrow(malformed());
    });
  });
});

describe('decodeLeaf', () => {
  describe('when the bytes are a canonical v1 leaf', () => {
    it('round-trips any valid leaf', () => {
      fc.assert(
        fc.property(anyLeaf, (leaf) => {
          const bytes = encodeLeaf(leaf);
          expect(decodeLeaf(bytes)).toEqual(leaf);
          expect(encodeLeaf(decodeLeaf(bytes))).toEqual(bytes);
        }),
      );
    });
  });

  describe('when the bytes are not canonical', () => {
    it('rejects reordered keys', () => {
      const bytes = utf8(
        `{"v":1,"type":"governance","kind":"node.init","time":"2025-01-02T03:04:05Z","digest":"${DIGEST}"}`,
      );
      expect(() => decodeLeaf(bytes)).toThrow(malformed('ERR_NOT_CANONICAL'));
    });

    it('rejects added whitespace', () => {
      const canonical = new TextDecoder().decode(encodeLeaf(governance));
      expect(() => decodeLeaf(utf8(`${canonical} `))).toThrow(malformed('ERR_NOT_CANONICAL'));
    });
  });

  describe('when the bytes are not JSON', () => {
    it('rejects invalid UTF-8', () => {
      expect(() => decodeLeaf(new Uint8Array([0x7b, 0xff, 0x7d]))).toThrow(malformed('ERR_INVALID_ENCODING'));
    });

    it('rejects a JSON array', () => {
      expect(() => decodeLeaf(utf8('[1]'))).toThrow(malformed());
    });
  });

  describe('when the shape is wrong', () => {
    it('rejects an unknown field', () => {
      const bytes = utf8(
        `{"digest":"${DIGEST}","kind":"node.init","time":"2025-01-02T03:04:05Z","type":"governance","v":1,"x":1}`,
      );
      expect(() => decodeLeaf(bytes)).toThrow(malformed());
    });

    it('rejects a wrong version', () => {
      const bytes = utf8(
        `{"digest":"${DIGEST}","kind":"node.init","time":"2025-01-02T03:04:05Z","type":"governance","v":2}`,
      );
      expect(() => decodeLeaf(bytes)).toThrow(malformed());
    });

    it('rejects a string version', () => {
      const bytes = utf8(
        `{"digest":"${DIGEST}","kind":"node.init","time":"2025-01-02T03:04:05Z","type":"governance","v":"1"}`,
      );
      expect(() => decodeLeaf(bytes)).toThrow(malformed());
    });

    it('rejects a missing field', () => {
      const bytes = utf8(`{"kind":"node.init","time":"2025-01-02T03:04:05Z","type":"governance","v":1}`);
      expect(() => decodeLeaf(bytes)).toThrow(malformed());
    });
  });

  describe('when the bytes are larger than 4 KiB', () => {
    it('rejects them before parsing', () => {
      const ref = 'x'.repeat(MAX_LEAF_BYTES);
      const bytes = utf8(
        `{"digest":"${DIGEST}","kind":"node.init","ref":"${ref}","time":"2025-01-02T03:04:05Z","type":"governance","v":1}`,
      );
      expect(() => decodeLeaf(bytes)).toThrow(malformed());
    });

    it('rejects them without parsing', () => {
      const bytes = new Uint8Array(MAX_LEAF_BYTES + 1).fill(0xff);
      let err: unknown;
      try {
        decodeLeaf(bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toEqual(malformed());
      expect((err as Error).cause).toBeUndefined();
    });
  });

  describe('when every field is at its limit', () => {
    it('still fits in 4 KiB', () => {
      const leaf = {
        ...decision,
        model: '\u4e00'.repeat(256),
        decisionId: '\u4e00'.repeat(128),
        policyVersion: Number.MAX_SAFE_INTEGER,
        verdict: 'denied' as const,
        deny: Array.from({ length: MAX_LEAF_DENY_IDS }, (_, i) => `local:${i}`.padEnd(MAX_LEAF_DENY_CHARS / 64, 'x')),
      };
      expect(leaf.deny.join('').length).toBe(MAX_LEAF_DENY_CHARS);
      expect(encodeLeaf(leaf).length).toBeLessThanOrEqual(MAX_LEAF_BYTES);
      const gov = { ...governance, ref: '\u4e00'.repeat(512) };
      expect(decodeLeaf(encodeLeaf(gov))).toEqual(gov);
    });
  });
});
