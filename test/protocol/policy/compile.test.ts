import { describe, expect, it } from 'vitest';
import { checkRuleSet, compileRule, compileRules, PolicyRuleError } from '../../../protocol/policy/compile.ts';
import { hookInput } from '../../../protocol/policy/hooks.ts';
import { EU_BIOMETRIC, rule } from './fixtures.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const NODE = { org: 'acme', jurisdiction: 'EU' };

function problem(expression: string): PolicyRuleError {
  try {
    compileRule(rule(expression, { id: 'x' }));
  } catch (err) {
    if (err instanceof PolicyRuleError) return err;
    throw err;
  }
  throw new Error('compiled');
}

describe('compileRule', () => {
  describe('when the rule is the issue example', () => {
    it('compiles to a runnable bool rule', () => {
      const r = compileRule(EU_BIOMETRIC);
      expect(r.id).toBe('no-biometric-in-eu');
      expect(r.run(hookInput('decision', { model: 'm', output: 1, dataClasses: ['biometric'] }, NODE))).toBe(true);
    });
  });

  describe('when the rule has a problem', () => {
    it.each([
      ['a syntax error (typo)', "decision.model == 'a' &&", 1, 25],
      ['an unknown variable', "decison.model == 'a'", 1, 1],
      ['an unknown field', "decision.modle == 'a'", 1, 10],
      ['a type error', 'decision.model == 1', 1, 1],
      ['a non-boolean result', 'decision.model', 1, 1],
      ['a dyn result', 'decision.context.flag', 1, 1],
      ['over-complexity', `${'!'.repeat(40)}true`, 1, 33],
      ['an unsafe regex', "decision.model.matches('^(a+)+$')", 1, 24],
    ])('rejects %s with ERR_INVALID_RULE at the place', (_, expression, line, column) => {
      const err = problem(expression);
      expect(err).toEqual(code('ERR_INVALID_RULE'));
      expect(err.ruleId).toBe('x');
      expect([err.line, err.column]).toEqual([line, column]);
      expect(err.message).toMatch(/^rule "x": .* at \d+:\d+\n/);
    });

    it('words an unknown variable as CEL does, with a caret under it', () => {
      expect(problem("decison.model == 'a'").message).toBe(
        "rule \"x\": undeclared reference to 'decison' at 1:1\ndecison.model == 'a'\n^",
      );
    });

    it('counts lines and columns in multi-line expressions', () => {
      const err = problem("decision.model == 'a' &&\n  decision.nope");
      expect([err.line, err.column]).toEqual([2, 12]);
      expect(err.message).toContain('\n  decision.nope\n           ^');
    });

    it('rejects a malformed rule shape', () => {
      expect(() => compileRule({ id: 'x' })).toThrow(code('ERR_INVALID_RULE'));
    });
  });

  describe('when the rule uses matches()', () => {
    it('runs it on the linear-time matcher with the same answers', () => {
      const r = compileRule(rule("decision.model.matches('^gpt-(3|4)')"));
      expect(r.run(hookInput('decision', { model: 'gpt-4o', output: 1 }, NODE))).toBe(true);
      expect(r.run(hookInput('decision', { model: 'claude', output: 1 }, NODE))).toBe(false);
    });

    it('works on dyn receivers', () => {
      const r = compileRule(rule("has(decision.context.user) && decision.context.user.matches('^bot-')"));
      expect(r.run(hookInput('decision', { model: 'm', output: 1, context: { user: 'bot-7' } }, NODE))).toBe(true);
    });
  });
});

describe('compileRules', () => {
  describe('when every rule compiles', () => {
    it('returns them in order', () => {
      expect(compileRules([rule('true', { id: 'a' }), rule('false', { id: 'b' })]).map((r) => r.id)).toEqual([
        'a',
        'b',
      ]);
    });
  });

  describe('when a rule does not compile or ids repeat', () => {
    it('throws ERR_INVALID_RULE', () => {
      expect(() => compileRules([rule('true', { id: 'a' }), rule('1', { id: 'b' })])).toThrow(code('ERR_INVALID_RULE'));
      expect(() => compileRules([rule('true'), rule('true')])).toThrow(code('ERR_INVALID_RULE'));
    });
  });
});

describe('checkRuleSet', () => {
  describe('when several rules have problems', () => {
    it('reports all of them with rule ids and places', () => {
      const res = checkRuleSet({
        rules: [rule('decison.model', { id: 'a' }), EU_BIOMETRIC, rule('decision.model', { id: 'b' }), { id: 'c' }],
      });
      expect(res.ok).toBe(false);
      expect(res.errors.map((e) => [e.rule, e.line, e.column])).toEqual([
        ['a', 1, 1],
        ['b', 1, 1],
        ['c', null, null],
      ]);
    });
  });

  describe('when given a plain array of good rules', () => {
    it('is ok', () => {
      expect(checkRuleSet([EU_BIOMETRIC])).toEqual({ ok: true, errors: [] });
    });
  });

  describe('when the value is not a rule list', () => {
    it('reports one problem', () => {
      expect(checkRuleSet('nope').errors).toHaveLength(1);
    });
  });
});
