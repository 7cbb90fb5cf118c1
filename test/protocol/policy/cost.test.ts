import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RULE_COST, MAX_RULE_SET_COST } from '../../../protocol/policy/budget.ts';
import { checkRuleSet, compileRule, compileRules, type PolicyRuleError } from '../../../protocol/policy/compile.ts';
import { runRule } from '../../../protocol/policy/evaluate.ts';
import type { Rule } from '../../../protocol/policy/rule.ts';
import { repoPath } from '../../helpers/paths.ts';
import { ATTACK, BIG_LIST, CONCAT_IN_LOOP, DOUBLING, dataClasses, record } from './costly.ts';
import { rule } from './fixtures.ts';

function rejection(r: Rule): PolicyRuleError {
  try {
    compileRule(r);
  } catch (err) {
    return err as PolicyRuleError;
  }
  throw new Error(`rule ${r.id} compiled`);
}

/** Rules a baseline could well hold, each reading the biggest inputs a record can carry. */
const ACCEPTED = [
  "decision.context.notes.matches('(?i)social security|passport')",
  "decision.context.tags.exists(t, t == 'minor')",
  "decision.dataClasses.exists(c, c.matches('^health'))",
  "decision.context.tags.map(t, t + '!').exists(u, u.endsWith('!!'))",
  "decision.context.tags.filter(t, t.startsWith('a')).size() > 10",
  "decision.dataClasses.join(', ').contains('pii')",
  'size(decision.context.notes + decision.model) > 10',
  'cel.bind(x, decision.context.notes, x + x == x + decision.model)',
  "'biometric' in decision.dataClasses && decision.jurisdiction == 'EU'",
  "decision.context.notes.lowerAscii().contains('ssn') || decision.context.notes.split(' ').size() > 100",
  "decision.context.tags.exists(t, t in ['a', 'b', 'c'] || t.startsWith('x'))",
  'decision.context == decision.output',
  "decision.dataClasses.exists(c, c == 'night' && decision.timestamp.getHours('Europe/Berlin') < 6)",
];

/** The biggest records for those rules: one long string, one long list, the most and longest classes. */
const BIG_INPUTS = [
  record({ context: { notes: 'a b'.repeat(19_000), tags: ['x'] }, dataClasses: dataClasses(64) }),
  record({ context: { notes: 'x', tags: Array.from({ length: 12_000 }, () => 'ab') }, dataClasses: dataClasses(8) }),
  record({ context: { notes: '', tags: Array.from({ length: 3_000 }, () => 'a'.repeat(16)) } }),
  record({ output: { a: Array.from({ length: 5_000 }, () => [1, 2]) }, context: { notes: 'x', tags: [] } }),
];

describe('the static cost estimate (compileRule)', () => {
  describe('when a rule concatenates its way past the limit (issue 10: the 40-exists regex rule)', () => {
    it('rejects it with ERR_RULE_TOO_COSTLY at the first costly exists, with line and column', () => {
      const err = rejection(ATTACK);
      expect(err.code).toBe('ERR_RULE_TOO_COSTLY');
      expect(err.ruleId).toBe('attack');
      expect(err.line).toBe(1);
      expect(err.column).toBe(ATTACK.expression.indexOf('d.exists') + 1);
      expect(err.message).toContain(`over the limit of ${MAX_RULE_COST} per rule`);
    });

    it('makes govfed policy check report it (it passed before)', () => {
      const result = checkRuleSet({ rules: [ATTACK] });
      expect(result.ok).toBe(false);
      expect(result.errors).toEqual([
        expect.objectContaining({ code: 'ERR_RULE_TOO_COSTLY', rule: 'attack', line: 1 }),
      ]);
    });
  });

  describe('when a rule hides its cost in intermediate values', () => {
    it.each([
      ['string repetition by doubling in cel.bind', DOUBLING],
      ['concatenation inside a comprehension', CONCAT_IN_LOOP],
      ['a list of lists built by map, then compared element by element', BIG_LIST],
      ['a join with a record-sized separator', rule('decision.dataClasses.join(decision.context.s) == decision.model')],
      ['list concatenation', rule(`(${Array(8).fill('decision.context.l').join(' + ')}).exists(x, x == 1.0)`)],
      ['a regex over a concatenation', rule(`(${Array(8).fill('decision.context.s').join(' + ')}).matches('a.b')`)],
      [
        'a time-zone getter (a locale formatter each call) for every item of a context list',
        rule("decision.context.l.exists(x, decision.timestamp.getHours('Europe/Berlin') == 3)"),
      ],
    ])('rejects %s', (_, r) => {
      expect(rejection(r).code).toBe('ERR_RULE_TOO_COSTLY');
    });
  });

  describe('when the rules of a list add up to more than the list limit', () => {
    it('rejects the list with ERR_RULE_TOO_COSTLY, naming the rule that tips it over', () => {
      const one = "decision.context.notes.matches('(?i)social security|passport')";
      const each = compileRule(rule(one)).cost;
      const n = Math.floor(MAX_RULE_SET_COST / each) + 1;
      const rules = Array.from({ length: n }, (_, i) => rule(`${one} || decision.model == 'm${i}'`, { id: `r${i}` }));
      expect(() => compileRules(rules.slice(0, n - 2))).not.toThrow();
      expect(() => compileRules(rules)).toThrow(expect.objectContaining({ code: 'ERR_RULE_TOO_COSTLY' }));
      const result = checkRuleSet(rules);
      expect(result.errors).toEqual([expect.objectContaining({ code: 'ERR_RULE_TOO_COSTLY', rule: `r${n - 1}` })]);
    });
  });

  describe('when rules are realistic', () => {
    it('accepts the examples and every rule of docs/policy.md, well within the limits', () => {
      for (const file of ['baseline.json', 'local-eu.json']) {
        const value = JSON.parse(readFileSync(repoPath('examples', 'policy', file), 'utf8'));
        expect(checkRuleSet(value), file).toEqual({ ok: true, errors: [] });
      }
      const doc = readFileSync(repoPath('docs', 'policy.md'), 'utf8');
      const rules = [...doc.matchAll(/^ {2}(\{"id": .*\}),?$/gm)].map((m) => JSON.parse(m[1] as string) as Rule);
      expect(rules.length).toBeGreaterThanOrEqual(8);
      const compiled = compileRules(rules);
      expect(compiled.reduce((a, r) => a + r.cost, 0)).toBeLessThan(MAX_RULE_SET_COST / 10);
    });

    it.each(ACCEPTED)('accepts %s', (expression) => {
      expect(compileRule(rule(expression)).cost).toBeLessThanOrEqual(MAX_RULE_COST);
    });
  });

  describe('the bound', () => {
    it('is never below the steps the meter counts, on the biggest records', () => {
      for (const expression of ACCEPTED) {
        const r = compileRule(rule(expression));
        for (const input of BIG_INPUTS) {
          const outcome = runRule(r, input);
          expect(outcome.error ?? '', expression).not.toContain('budget');
          expect(outcome.steps, expression).toBeLessThanOrEqual(r.cost);
        }
      }
    });
  });
});

/** Random rules over strings, lists and one level of comprehension, as text. */
function ruleArbitrary(): fc.Arbitrary<string> {
  const { str, list, bool } = fc.letrec<{ str: string; list: string; bool: string }>((tie) => ({
    str: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('decision.model', 'decision.context.s', "'ab'", 'decision.jurisdiction', 'v'),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `(${a} + ${b})`),
      tie('str').map((a) => `${a}.lowerAscii()`),
      fc.tuple(tie('list'), fc.constantFrom("','", 'decision.model', "''")).map(([l, s]) => `${l}.join(${s})`),
      fc.tuple(tie('bool'), tie('str'), tie('str')).map(([c, a, b]) => `(${c} ? ${a} : ${b})`),
    ),
    list: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom('decision.dataClasses', 'decision.context.l'),
      fc.tuple(tie('list'), tie('list')).map(([a, b]) => `(${a} + ${b})`),
      tie('str').map((a) => `${a}.split('a')`),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `[${a}, ${b}]`),
    ),
    bool: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `${a} == ${b}`),
      fc.tuple(tie('str'), tie('str')).map(([a, b]) => `${a}.contains(${b})`),
      tie('str').map((a) => `${a}.matches('a.*b|c')`),
      tie('str').map((a) => `size(${a}) > 3`),
      fc.tuple(tie('str'), tie('list')).map(([a, l]) => `${a} in ${l}`),
      fc.tuple(tie('bool'), tie('bool')).map(([a, b]) => `(${a} || ${b})`),
    ),
  }));
  // One comprehension level: `v` is the element inside the body, 'v' (a literal) outside it.
  const comprehension = fc
    .tuple(list, fc.constantFrom('exists', 'all', 'exists_one'), bool)
    .map(([l, q, b]) => `${l.replaceAll(/\bv\b/g, "'v'")}.${q}(v, ${b})`);
  const mapped = fc
    .tuple(list, str, bool)
    .map(
      ([l, s, b]) =>
        `${l.replaceAll(/\bv\b/g, "'v'")}.map(v, ${s}).exists(w, w == 'x' || ${b.replaceAll(/\bv\b/g, 'w')})`,
    );
  return fc.oneof(
    bool.map((b) => b.replaceAll(/\bv\b/g, "'v'")),
    comprehension,
    mapped,
  );
}

const recordArbitrary = fc
  .record({
    s: fc.string({ unit: fc.constantFrom('a', 'b', 'c', ','), maxLength: 4000 }),
    l: fc.array(fc.string({ unit: fc.constantFrom('a', 'b', 'x'), maxLength: 40 }), { maxLength: 600 }),
    classes: fc.integer({ min: 0, max: 64 }),
    model: fc.string({ unit: fc.constantFrom('a', 'b'), minLength: 1, maxLength: 256 }),
  })
  .map(({ s, l, classes, model }) => record({ model, context: { s, l }, dataClasses: dataClasses(classes) }));

describe('the bound, for random rules and records', () => {
  it('is never below the steps the meter counts, and an accepted rule never runs out', () => {
    fc.assert(
      fc.property(ruleArbitrary(), recordArbitrary, (expression, input) => {
        let r: ReturnType<typeof compileRule>;
        try {
          r = compileRule(rule(expression), { maxCost: Number.POSITIVE_INFINITY });
        } catch {
          return; // does not type-check or breaks a structural limit
        }
        const outcome = runRule(r, input);
        expect(outcome.steps).toBeLessThanOrEqual(r.cost);
        if (r.cost <= MAX_RULE_COST) expect(outcome.error ?? '').not.toContain('budget');
      }),
      { numRuns: 300, seed: 10 },
    );
  });
});
