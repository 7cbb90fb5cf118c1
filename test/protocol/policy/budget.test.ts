import { describe, expect, it } from 'vitest';
import { deepSize, MAX_EVALUATION_COST, MAX_RULE_COST, meter } from '../../../protocol/policy/budget.ts';
import { type CompiledRule, compileRule } from '../../../protocol/policy/compile.ts';
import { evaluate, runRule } from '../../../protocol/policy/evaluate.ts';
import { ATTACK, BIG_LIST, CONCAT_IN_LOOP, DOUBLING, dataClasses, record } from './costly.ts';
import { rule } from './fixtures.ts';

/** A rule the static check rejects, forced past it (as if a node skipped the check). */
const forced = (r: Parameters<typeof compileRule>[0]): CompiledRule =>
  compileRule(r, { maxCost: Number.POSITIVE_INFINITY });

/** The issue's record: 8 data classes, a 30,000-character context string (~11 s per decision before). */
const ISSUE_RECORD = record({
  dataClasses: dataClasses(8),
  context: { s: 'a'.repeat(30_000), items: Array.from({ length: 2_000 }, () => 'ab') },
});

const OVER = `evaluation stopped: over the rule's budget of ${MAX_RULE_COST} steps`;
const SPENT = `evaluation stopped: the evaluation's budget of ${MAX_EVALUATION_COST} steps is spent`;

describe('the runtime budget', () => {
  describe('when the issue 10 rule is forced past the static check', () => {
    it('stops it at the rule budget and the deny rule fires with that reason', () => {
      const attack = forced(ATTACK);
      expect(attack.cost).toBeGreaterThan(MAX_RULE_COST);
      const verdict = evaluate({ global: [attack], local: [] }, 'decision', ISSUE_RECORD, { policyVersion: 7 });
      expect(verdict).toEqual({
        allowed: false,
        deny: [{ rule: 'attack', message: ATTACK.message, scope: 'global', error: OVER }],
        warn: [],
        policyVersion: 7,
      });
    });

    it('counts exactly the budget, the same on every run (deterministic)', () => {
      const attack = forced(ATTACK);
      const first = runRule(attack, ISSUE_RECORD);
      expect(first).toEqual({ fired: true, error: OVER, steps: MAX_RULE_COST });
      expect(runRule(attack, ISSUE_RECORD)).toEqual(first);
    });

    it('warns, and allows, when the rule is a warn rule', () => {
      const warn = forced({ ...ATTACK, effect: 'warn' });
      const verdict = evaluate({ global: [], local: [warn] }, 'decision', ISSUE_RECORD);
      expect(verdict.allowed).toBe(true);
      expect(verdict.warn).toEqual([{ rule: 'attack', message: ATTACK.message, scope: 'local', error: OVER }]);
    });

    it('evaluates normally on a small record', () => {
      const small = record({ dataClasses: ['a'], context: { s: 'x0y' } });
      const outcome = runRule(forced(ATTACK), small);
      expect(outcome.fired).toBe(true);
      expect(outcome.error).toBeUndefined();
      expect(outcome.steps).toBeLessThan(10_000);
    });
  });

  describe('when other worst cases are forced past the static check', () => {
    it.each([
      ['string repetition by doubling', DOUBLING, { model: 'm'.repeat(256) }],
      ['concatenation inside a comprehension', CONCAT_IN_LOOP, {}],
      ['a list of lists built by map', BIG_LIST, {}],
    ])('stops %s at the budget', (_, r, fields) => {
      const input = record({
        ...fields,
        context: { s: 'a'.repeat(20_000), items: Array.from({ length: 4_000 }, () => 1) },
      });
      expect(runRule(forced(r), input)).toEqual({ fired: true, error: OVER, steps: MAX_RULE_COST });
    });
  });

  describe('when the interrupted part of a rule would be absorbed by CEL', () => {
    it('fires anyway: an error on the left of `&& false` is not a "false"', () => {
      const absorbed = forced(rule(`(${ATTACK.expression}) && false`, { id: 'absorbed' }));
      expect(runRule(absorbed, ISSUE_RECORD)).toEqual({ fired: true, error: OVER, steps: MAX_RULE_COST });
    });
  });

  describe('when rules together spend the evaluation budget', () => {
    it('fires every later rule with the evaluation budget as the reason, local ones too', () => {
      const n = MAX_EVALUATION_COST / MAX_RULE_COST;
      const global = Array.from({ length: n }, (_, i) => forced({ ...ATTACK, id: `a${i}` }));
      const cheap = compileRule(rule("decision.model == 'other'", { id: 'cheap' }));
      const verdict = evaluate({ global, local: [cheap] }, 'decision', ISSUE_RECORD);
      expect(verdict.deny.map((f) => f.error)).toEqual([...Array(n).fill(OVER), SPENT]);
      expect(verdict.deny.at(-1)).toMatchObject({ rule: 'cheap', scope: 'local' });
    });

    it('leaves cheap rules alone otherwise', () => {
      const cheap = compileRule(rule("decision.model == 'other'", { id: 'cheap' }));
      const verdict = evaluate({ global: [forced(ATTACK)], local: [cheap] }, 'decision', ISSUE_RECORD);
      expect(verdict.deny.map((f) => f.rule)).toEqual(['attack']);
    });
  });

  describe('outside an evaluation', () => {
    it('has no limit and leaves no state behind', () => {
      meter.start(10);
      expect(() => meter.charge(11)).toThrow(/budget of 10 steps/);
      expect([meter.steps, meter.exhausted]).toEqual([10, true]);
      meter.stop();
      expect(() => meter.charge(1e12)).not.toThrow();
      meter.stop();
    });
  });
});

describe('deepSize', () => {
  it('is a string’s length, 1 per scalar, a list’s length plus its elements, 1 + key + value per entry', () => {
    expect(deepSize('abc', 100)).toBe(3);
    expect(deepSize(1.5, 100)).toBe(1);
    expect(deepSize(['ab', 'c', [1, 2]], 100)).toBe(3 + 2 + 1 + 2 + 2);
    expect(deepSize({ ab: 'xyz', c: null }, 100)).toBe(1 + 2 + 3 + (1 + 1 + 1));
    expect(deepSize(new Map([['k', 'vv']]), 100)).toBe(1 + 1 + 2);
  });

  it('is at most the JSON length of a value', () => {
    const values = [[], [''], ['', ''], { '': '' }, { a: [1, 2, { b: null }] }, 'x'.repeat(50), [[[[]]]]];
    for (const v of values) expect(deepSize(v, 1e9)).toBeLessThanOrEqual(JSON.stringify(v).length);
  });

  it('stops walking past its cap (a list of a million references is not walked a million times)', () => {
    const inner = Array.from({ length: 1000 }, () => 'x');
    const outer = Array.from({ length: 1000 }, () => inner);
    expect(deepSize(outer, 5000)).toBeGreaterThan(5000);
    expect(deepSize(outer, 5000)).toBeLessThan(10_000);
  });
});
