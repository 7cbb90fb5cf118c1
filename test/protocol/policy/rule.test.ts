import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkRule, checkRules, MAX_EXPRESSION_CHARS, MAX_RULES } from '../../../protocol/policy/rule.ts';
import { EU_BIOMETRIC, rule } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });

describe('checkRule', () => {
  describe('when the rule is well-formed', () => {
    it('returns a fresh copy', () => {
      const r = checkRule(EU_BIOMETRIC);
      expect(r).toEqual(EU_BIOMETRIC);
      expect(r).not.toBe(EU_BIOMETRIC);
    });
  });

  describe('when a field is wrong', () => {
    it.each([
      ['not an object', 'x'],
      ['a missing field', { id: 'a', hook: 'decision', effect: 'deny', expression: 'true' }],
      ['an unknown field', { ...EU_BIOMETRIC, extra: 1 }],
      ['an upper-case id', { ...EU_BIOMETRIC, id: 'Bad' }],
      ['an id of 65 chars', { ...EU_BIOMETRIC, id: 'a'.repeat(65) }],
      ['an unknown hook', { ...EU_BIOMETRIC, hook: 'monitor' }],
      ['an unknown effect', { ...EU_BIOMETRIC, effect: 'allow' }],
      ['an empty expression', { ...EU_BIOMETRIC, expression: '' }],
      ['an over-long expression', { ...EU_BIOMETRIC, expression: 't'.repeat(MAX_EXPRESSION_CHARS + 1) }],
      ['a message with a control character', { ...EU_BIOMETRIC, message: 'a\u0007' }],
      ['an empty message', { ...EU_BIOMETRIC, message: '' }],
    ])('rejects %s with ERR_INVALID_RULE', (_, v) => {
      expect(() => checkRule(v)).toThrow(code('ERR_INVALID_RULE'));
    });

    it('says where in the message', () => {
      expect(() => checkRule({ ...EU_BIOMETRIC, effect: 'x' }, 'rules[3]')).toThrow(
        /rules\[3\] "no-biometric-in-eu"\.effect/,
      );
    });
  });

  describe('when given arbitrary values', () => {
    it('either returns a rule or throws ERR_INVALID_RULE', () => {
      fc.assert(
        fc.property(fc.anything(), (v) => {
          try {
            checkRule(v);
          } catch (err) {
            expect(err).toEqual(code('ERR_INVALID_RULE'));
          }
        }),
      );
    });
  });
});

describe('checkRules', () => {
  describe('when ids repeat', () => {
    it('throws ERR_INVALID_RULE', () => {
      expect(() => checkRules([rule('true'), rule('false')])).toThrow(code('ERR_INVALID_RULE'));
    });
  });

  describe('when there are too many rules or not an array', () => {
    it('throws ERR_INVALID_RULE', () => {
      const many = Array.from({ length: MAX_RULES + 1 }, (_, i) => rule('true', { id: `r${i}` }));
      expect(() => checkRules(many)).toThrow(code('ERR_INVALID_RULE'));
      expect(() => checkRules({})).toThrow(code('ERR_INVALID_RULE'));
    });
  });

  describe('when the list is empty or valid', () => {
    it('returns it', () => {
      expect(checkRules([])).toEqual([]);
      expect(checkRules([rule('true', { id: 'a' }), rule('true', { id: 'b' })])).toHaveLength(2);
    });
  });
});
