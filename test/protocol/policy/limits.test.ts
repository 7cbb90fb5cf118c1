import { describe, expect, it } from 'vitest';
import { environmentFor } from '../../../protocol/policy/hooks.ts';
import { checkLimits, LimitError, MAX_AST_DEPTH } from '../../../protocol/policy/limits.ts';

function limits(expression: string) {
  return checkLimits(environmentFor('decision').parse(expression).ast, expression);
}

describe('checkLimits', () => {
  describe('when the rule is within the limits', () => {
    it('returns its matches() calls with the offset of the name', () => {
      const e = "decision.model.matches('^gpt') || decision.inputDigest . matches ('x')";
      expect(limits(e)).toEqual([
        { nameOffset: e.indexOf('matches'), pattern: '^gpt' },
        { nameOffset: e.lastIndexOf('matches'), pattern: 'x' },
      ]);
    });

    it('counts a long chain of || as one level', () => {
      const e = Array.from({ length: 40 }, (_, i) => `decision.model == 'm${i}'`).join(' || ');
      expect(limits(e)).toEqual([]);
    });
  });

  describe('when a rule breaks a limit', () => {
    it.each([
      ['too many nodes', Array.from({ length: 90 }, (_, i) => `decision.model == 'm${i}'`).join(' || ')],
      ['too deep', `${'!'.repeat(MAX_AST_DEPTH + 1)}true`],
      ['a non-literal pattern', 'decision.model.matches(decision.inputDigest)'],
      ['an unsafe pattern', "decision.model.matches('^(a+)+$')"],
      ['a nested comprehension', 'decision.dataClasses.exists(a, decision.dataClasses.exists(b, a == b))'],
      ['the internal match function', "decision.model.__match('x')"],
    ])('throws a LimitError for %s', (_, e) => {
      expect(() => limits(e)).toThrow(LimitError);
    });

    it('points at the pattern of an unsafe regex', () => {
      const e = "decision.model.matches('^(a+)+$')";
      expect(() => limits(e)).toThrow(expect.objectContaining({ offset: e.indexOf("'") }));
    });
  });

  describe('when comprehensions are chained rather than nested', () => {
    it('accepts them', () => {
      expect(limits("decision.dataClasses.filter(c, c != 'x').exists(c, c == 'y')")).toEqual([]);
    });
  });
});
