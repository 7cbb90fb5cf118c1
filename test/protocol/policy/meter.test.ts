import { describe, expect, it } from 'vitest';
import { NODE_STEPS, TIME_ZONE_STEPS } from '../../../protocol/policy/budget.ts';
import { compileRule } from '../../../protocol/policy/compile.ts';
import { runRule } from '../../../protocol/policy/evaluate.ts';
import { record } from './costly.ts';
import { rule } from './fixtures.ts';

const steps = (expression: string, fields: Record<string, unknown>) =>
  runRule(compileRule(rule(expression)), record(fields)).steps;

describe('meterRule (the charges a compiled rule makes)', () => {
  describe('when an operator or function runs', () => {
    it('charges 1 + the size of each operand', () => {
      expect(steps("decision.model == 'abc'", { model: 'm' })).toBe(1 + 1 + (1 + 3));
      expect(steps("decision.model + 'x' == 'mx'", { model: 'm' })).toBe(1 + 1 + (1 + 1) + (1 + 2) + (1 + 2));
    });

    it('charges matches() (text length + 1) × program size before matching', () => {
      // 'b' compiles to two instructions (the character, then MATCH).
      expect(steps("decision.model.matches('b')", { model: 'abc' })).toBe(1 + 3 + (1 + 1) + (3 + 1) * 2);
    });

    it('charges join(sep) the list length × the separator length', () => {
      const receiver = 1 + (2 + 2 + 2);
      const sep = 1 + 2 + 2 * 2;
      expect(steps("decision.dataClasses.join('--') == ''", { dataClasses: ['ab', 'cd'] })).toBe(
        receiver + sep + (1 + 6) + 1,
      );
    });
  });

  describe('when a timestamp getter takes a time zone', () => {
    it('charges TIME_ZONE_STEPS for the locale formatter cel-js builds', () => {
      // the timestamp (a scalar), 'UTC', the formatter, then both operands of >=.
      expect(steps("decision.timestamp.getHours('UTC') >= 0", {})).toBe(
        1 + 1 + (1 + 3) + TIME_ZONE_STEPS + (1 + 1) + (1 + 1),
      );
    });
  });

  describe('when a comprehension runs', () => {
    it('charges its range up front: 1 + size + length × NODE_STEPS × body nodes, then the body', () => {
      const range = 1 + (2 + 2 + 2) + 2 * NODE_STEPS * 4;
      const body = (1 + 2 + (1 + 1)) * 2;
      expect(steps("decision.dataClasses.exists(c, c == 'x')", { dataClasses: ['ab', 'cd'] })).toBe(range + body);
    });
  });

  describe('when nothing of size is used', () => {
    it('charges nothing for has(), field access and logic', () => {
      expect(steps('has(decision.context.x) || !has(decision.context.y)', { context: {} })).toBe(0);
    });
  });
});
