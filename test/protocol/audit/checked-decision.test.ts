import { describe, expect, it } from 'vitest';
import { CheckedDecision, sealDecision } from '../../../protocol/audit/decision.ts';
import { hookInput } from '../../../protocol/policy/hooks.ts';

const NOW = new Date('2025-03-04T05:06:07.890Z');
const counter = () => {
  let c = 0;
  return (n: number) => Uint8Array.from({ length: n }, () => c++ & 0xff);
};
const NODE = { org: 'eu', jurisdiction: 'EU' };

describe('CheckedDecision.check', () => {
  describe('when the input is valid', () => {
    it('carries its fields, and seals and evaluates exactly like the raw input', () => {
      const raw = { model: 'm', output: { a: 1 }, decisionId: 'd', dataClasses: ['pii'], context: { k: 'v' } };
      const checked = CheckedDecision.check(raw);
      expect({ ...checked }).toEqual(raw);
      const a = sealDecision(raw, { now: NOW, random: counter(), policyVersion: 1, verdict: { verdict: 'allowed' } });
      const b = sealDecision(checked, {
        now: NOW,
        random: counter(),
        policyVersion: 1,
        verdict: { verdict: 'allowed' },
      });
      expect(b.recordBytes).toEqual(a.recordBytes);
      expect(b.leafBytes).toEqual(a.leafBytes);
      expect(hookInput('decision', checked, NODE, NOW.getTime())).toEqual(
        hookInput('decision', raw, NODE, NOW.getTime()),
      );
    });
  });

  describe('when the input is invalid', () => {
    it('throws ERR_INVALID_RECORD', () => {
      expect(() => CheckedDecision.check({ model: 'm' })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_RECORD' }),
      );
      expect(() => CheckedDecision.check({ model: 'm', output: 1, nonce: 'AA==' })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_RECORD' }),
      );
    });
  });

  it('cannot be forged from JSON: a plain object with the same fields is checked again', () => {
    const forged = JSON.parse('{"model":"","output":1}');
    expect(forged instanceof CheckedDecision).toBe(false);
    expect(() => sealDecision(forged, { now: NOW, random: counter() })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_RECORD' }),
    );
  });
});
