import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkDecisionInput,
  completeRecord,
  type DecisionRecord,
  decisionLeaf,
  encodeRecord,
  leafDenyIds,
  outcomeClass,
  recordDigest,
  sealDecision,
} from '../../../protocol/audit/decision.ts';
import { decodeLeaf, encodeLeaf, MAX_LEAF_DENY_CHARS, MAX_LEAF_DENY_IDS } from '../../../protocol/audit/leaf.ts';
import { canonicalBytes } from '../../../protocol/canonical/jcs.ts';
import { sha256 } from '../../../protocol/crypto/sha256.ts';
import { fromBase64, toHex } from '../../../protocol/encoding/bytes.ts';

const NOW = new Date('2025-03-04T05:06:07.890Z');
/** Deterministic "random": a counter, so tests are reproducible. */
function counter(start = 0): (n: number) => Uint8Array {
  let c = start;
  return (n) => Uint8Array.from({ length: n }, () => c++ & 0xff);
}
const invalid = expect.objectContaining({ code: 'ERR_INVALID_RECORD' });

describe('completeRecord', () => {
  describe('when optional fields are missing', () => {
    it('fills decisionId with a UUID v4, timestamp with now and adds a 16-byte nonce', () => {
      const rec = completeRecord({ model: 'm', output: 'approve' }, { now: NOW, random: counter() });
      expect(rec.decisionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(rec.timestamp).toBe('2025-03-04T05:06:07.890Z');
      expect(fromBase64(rec.nonce)).toHaveLength(16);
      expect(Object.keys(rec).sort()).toEqual(['decisionId', 'model', 'nonce', 'output', 'timestamp']);
    });
  });

  describe('when the caller gave decisionId and timestamp', () => {
    it('keeps them', () => {
      const rec = completeRecord(
        { model: 'm', output: { score: 0.7 }, decisionId: 'abc-1', timestamp: '2024-12-31T23:59:59Z' },
        { now: NOW, random: counter() },
      );
      expect(rec).toMatchObject({ decisionId: 'abc-1', timestamp: '2024-12-31T23:59:59Z', output: { score: 0.7 } });
    });
  });

  describe('when the input is invalid', () => {
    it.each([
      ['not an object', 'x'],
      ['an array', [{ model: 'm', output: 1 }]],
      ['a missing model', { output: 1 }],
      ['a missing output', { model: 'm' }],
      ['an unknown field', { model: 'm', output: 1, nonce: 'AAAA' }],
      ['a non-UTC timestamp', { model: 'm', output: 1, timestamp: '2025-01-01T00:00:00+02:00' }],
      ['a bad jurisdiction', { model: 'm', output: 1, jurisdiction: 'eu' }],
      ['too many data classes', { model: 'm', output: 1, dataClasses: Array(65).fill('pii') }],
      ['a bad data class', { model: 'm', output: 1, dataClasses: ['has space'] }],
      ['a non-object context', { model: 'm', output: 1, context: [1] }],
      ['a numeric model', { model: 5, output: 1 }],
      ['an oversize decisionId', { model: 'm', output: 1, decisionId: 'x'.repeat(129) }],
    ])('rejects %s', (_what, input) => {
      expect(() => completeRecord(input as never, { now: NOW, random: counter() })).toThrow(invalid);
    });
  });
});

describe('checkDecisionInput', () => {
  describe('when all fields are valid', () => {
    it('returns the input', () => {
      const input = {
        model: 'm',
        output: null,
        decisionId: 'd',
        timestamp: '2025-01-01T00:00:00.1Z',
        inputDigest: 'sha256:00',
        jurisdiction: 'US-CA',
        dataClasses: ['pii', 'financial'],
        context: { a: [1, 2] },
      };
      expect(checkDecisionInput(input)).toBe(input);
    });
  });
});

describe('recordDigest', () => {
  describe('when the record is the same', () => {
    it('is deterministic and independent of key order', () => {
      const a: DecisionRecord = { model: 'm', output: { x: 1, y: 2 }, decisionId: 'd', timestamp: 't', nonce: 'AA==' };
      const b = { nonce: 'AA==', timestamp: 't', decisionId: 'd', output: { y: 2, x: 1 }, model: 'm' };
      expect(recordDigest(a)).toBe(recordDigest(b));
      expect(recordDigest(a)).toBe(`sha256:${toHex(sha256(encodeRecord(a)))}`);
    });

    it('equals the known answer for a fixed record', () => {
      const rec: DecisionRecord = {
        model: 'm',
        output: 'approve',
        decisionId: 'd',
        timestamp: '2025-01-01T00:00:00Z',
        nonce: 'AAECAwQFBgcICQoLDA0ODw==',
      };
      expect(new TextDecoder().decode(encodeRecord(rec))).toBe(
        '{"decisionId":"d","model":"m","nonce":"AAECAwQFBgcICQoLDA0ODw==","output":"approve","timestamp":"2025-01-01T00:00:00Z"}',
      );
      expect(recordDigest(rec)).toBe('sha256:837b5fc0047fe06acb1444f19e039f47660c0b0cce7bc26663b1a16317d4723f');
    });
  });

  describe('when only the nonce differs', () => {
    it('differs', () => {
      const input = { model: 'm', output: 'yes', decisionId: 'd', timestamp: '2025-01-01T00:00:00Z' };
      const a = completeRecord(input, { now: NOW, random: counter(0) });
      const b = completeRecord(input, { now: NOW, random: counter(1) });
      expect(recordDigest(a)).not.toBe(recordDigest(b));
    });
  });

  describe('when the record holds a value JSON cannot represent', () => {
    it('rejects it', () => {
      const rec = { model: 'm', output: Number.NaN, decisionId: 'd', timestamp: 't', nonce: 'AA==' };
      expect(() => recordDigest(rec)).toThrow(invalid);
    });
  });
});

describe('outcomeClass', () => {
  describe('when the output is a short label', () => {
    it.each(['approve', 'deny', 'tier:2', 'A_b.c-d', 'x'.repeat(64)])('is the label itself (%s)', (out) => {
      expect(outcomeClass(out)).toBe(out);
    });
  });

  describe('when the output is anything else', () => {
    it.each([
      ['a long string', 'x'.repeat(65)],
      ['a sentence', 'approved with conditions'],
      ['an empty string', ''],
      ['a number', 1],
      ['null', null],
      ['an object', { decision: 'approve' }],
      ['an array', ['approve']],
    ])('is structured for %s', (_what, out) => {
      expect(outcomeClass(out)).toBe('structured');
    });
  });
});

describe('decisionLeaf', () => {
  describe('when given a record', () => {
    it('commits to the record digest and carries no raw output', () => {
      const rec = completeRecord(
        { model: 'm', output: { secret: 'ssn-123' }, jurisdiction: 'EU' },
        { now: NOW, random: counter() },
      );
      const leaf = decisionLeaf(rec, 3);
      expect(leaf).toEqual({
        v: 1,
        type: 'decision',
        model: 'm',
        time: rec.timestamp,
        decisionId: rec.decisionId,
        recordDigest: recordDigest(rec),
        outcome: 'structured',
        policyVersion: 3,
      });
      expect(JSON.stringify(leaf)).not.toContain('ssn-123');
    });

    it('omits policyVersion when there is none', () => {
      const rec = completeRecord({ model: 'm', output: 'ok' }, { now: NOW, random: counter() });
      expect('policyVersion' in decisionLeaf(rec)).toBe(false);
    });
  });
});

describe('sealDecision', () => {
  describe('when the input is valid', () => {
    it('agrees with completeRecord + decisionLeaf for any output', () => {
      fc.assert(
        fc.property(fc.jsonValue(), fc.nat(255), (output, seed) => {
          const sealed = sealDecision({ model: 'm', output }, { now: NOW, random: counter(seed) });
          const rec = completeRecord({ model: 'm', output }, { now: NOW, random: counter(seed) });
          expect(sealed.record).toEqual(rec);
          expect(sealed.recordBytes).toEqual(encodeRecord(rec));
          expect(sealed.leaf).toEqual(decisionLeaf(rec));
          expect(decodeLeaf(sealed.leafBytes)).toEqual(sealed.leaf);
        }),
      );
    });
  });

  describe('when given any input, verdict and model facts', () => {
    it('writes the leaf encodeLeaf writes and the record canonicalBytes writes (its direct leaf encoder)', () => {
      const text = (max: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength: max });
      const input = fc.record(
        {
          model: text(40),
          decisionId: text(30),
          timestamp: fc.constantFrom('2025-01-02T03:04:05Z', '2025-01-02T03:04:05.123456Z'),
          output: fc.oneof(fc.jsonValue(), fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/)),
          context: fc.dictionary(text(8), fc.jsonValue(), { maxKeys: 4 }),
        },
        { requiredKeys: ['model', 'output'] },
      );
      const rule = fc.stringMatching(/^(local:)?[a-z0-9][a-z0-9_.-]{0,20}$/);
      const verdict = fc.option(
        fc.oneof(
          fc.constant({ verdict: 'allowed' as const }),
          fc.record({
            verdict: fc.constant('denied' as const),
            deny: fc.uniqueArray(rule, { minLength: 1, maxLength: 5 }),
          }),
        ),
        { nil: undefined },
      );
      const model = fc.option(
        fc.record(
          {
            modelDigest: fc.stringMatching(/^[0-9a-f]{64}$/).map((h) => `sha256:${h}`),
            flags: fc.uniqueArray(fc.constantFrom('shadow_ai', 'shadow', 'x_y'), { maxLength: 3 }),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      );
      fc.assert(
        fc.property(input, verdict, fc.option(fc.nat(1000), { nil: undefined }), model, (inp, v, pv, m) => {
          const sealed = sealDecision(inp, {
            now: NOW,
            random: counter(),
            ...(v === undefined ? {} : { verdict: v }),
            ...(pv === undefined ? {} : { policyVersion: pv }),
            ...(m === undefined ? {} : { model: m }),
          });
          expect(sealed.leafBytes).toEqual(encodeLeaf(sealed.leaf));
          expect(sealed.recordBytes).toEqual(canonicalBytes(sealed.record));
          expect(decodeLeaf(sealed.leafBytes)).toEqual(sealed.leaf);
        }),
        { numRuns: 1000 },
      );
    });
  });

  describe('when the input is invalid', () => {
    it('throws ERR_INVALID_RECORD', () => {
      expect(() => sealDecision({ model: '', output: 1 }, { now: NOW, random: counter() })).toThrow(invalid);
    });
  });

  describe('when a policy verdict is given', () => {
    it('records an allowed verdict and the policy version in the leaf', () => {
      const s = sealDecision(
        { model: 'm', output: 'ok' },
        { now: NOW, random: counter(), policyVersion: 2, verdict: { verdict: 'allowed' } },
      );
      expect(s.leaf).toMatchObject({ policyVersion: 2, verdict: 'allowed' });
      expect('deny' in s.leaf).toBe(false);
      expect(decodeLeaf(s.leafBytes)).toEqual(s.leaf);
    });

    it('records a denied verdict with the ids of the rules that fired', () => {
      const s = sealDecision(
        { model: 'm', output: 'ok' },
        { now: NOW, random: counter(), policyVersion: 4, verdict: { verdict: 'denied', deny: ['eu-bio', 'local:x'] } },
      );
      expect(decodeLeaf(s.leafBytes)).toMatchObject({
        policyVersion: 4,
        verdict: 'denied',
        deny: ['eu-bio', 'local:x'],
      });
    });

    it('rejects a denied verdict without rule ids', () => {
      expect(() =>
        sealDecision({ model: 'm', output: 'ok' }, { now: NOW, random: counter(), verdict: { verdict: 'denied' } }),
      ).toThrow(expect.objectContaining({ code: 'ERR_MALFORMED_LEAF' }));
    });

    it('keeps the record digest independent of the verdict', () => {
      const a = sealDecision({ model: 'm', output: 'ok' }, { now: NOW, random: counter() });
      const b = sealDecision(
        { model: 'm', output: 'ok' },
        { now: NOW, random: counter(), verdict: { verdict: 'denied', deny: ['r'] } },
      );
      expect(b.leaf.recordDigest).toBe(a.leaf.recordDigest);
      expect(b.leafBytes).not.toEqual(a.leafBytes);
    });
  });
});

describe('leafDenyIds', () => {
  describe('when the ids fit', () => {
    it('keeps them in order without duplicates', () => {
      expect(leafDenyIds(['b', 'a', 'b', 'local:b'])).toEqual(['b', 'a', 'local:b']);
    });
  });

  describe('when there are more than the leaf can hold', () => {
    it('keeps at most MAX_LEAF_DENY_IDS ids and MAX_LEAF_DENY_CHARS characters', () => {
      fc.assert(
        fc.property(fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,63}$/), { maxLength: 300 }), (ids) => {
          const kept = leafDenyIds(ids);
          expect(kept.length).toBeLessThanOrEqual(MAX_LEAF_DENY_IDS);
          expect(kept.join('').length).toBeLessThanOrEqual(MAX_LEAF_DENY_CHARS);
          expect(kept).toEqual([...new Set(ids)].slice(0, kept.length));
          if (ids.length > 0) expect(kept.length).toBeGreaterThan(0);
        }),
      );
    });
  });
});
