import { describe, expect, it } from 'vitest';
import { diffRules, type PolicyRule } from '../../../console/logic/policy-diff.ts';

const rule = (id: string, expression: string, extra: Partial<PolicyRule> = {}): PolicyRule => ({
  id,
  hook: 'decision',
  effect: 'deny',
  expression,
  message: 'no',
  ...extra,
});

describe('diffRules', () => {
  describe('when rules were added, removed and changed', () => {
    it('matches them by id and word-diffs the changed fields', () => {
      const d = diffRules(
        [rule('a', 'x == 1'), rule('b', "decision.model == 'm'"), rule('c', 'true')],
        [rule('a', 'x == 1'), rule('b', "decision.model == 'n'", { effect: 'warn' }), rule('d', 'false')],
      );
      expect(d.added.map((r) => r.id)).toEqual(['d']);
      expect(d.removed.map((r) => r.id)).toEqual(['c']);
      expect(d.unchanged).toEqual(['a']);
      expect(d.changed).toHaveLength(1);
      const fields = d.changed[0]?.fields ?? [];
      expect(fields.map((f) => f.field)).toEqual(['effect', 'expression']);
      const expr = fields[1];
      expect(expr?.before).toBe("decision.model == 'm'");
      expect(expr?.after).toBe("decision.model == 'n'");
      expect(
        expr?.parts
          .filter((p) => p.removed)
          .map((p) => p.value)
          .join(''),
      ).toContain('m');
      expect(
        expr?.parts
          .filter((p) => p.added)
          .map((p) => p.value)
          .join(''),
      ).toContain('n');
    });
  });

  describe('when a field appears only in one version', () => {
    it('shows it as changed from or to empty', () => {
      const d = diffRules([rule('a', 'x', { message: undefined })], [rule('a', 'x', { message: 'why' })]);
      expect(d.changed[0]?.fields).toMatchObject([{ field: 'message', before: '', after: 'why' }]);
    });
  });

  describe('when both versions are the same', () => {
    it('reports no change', () => {
      const d = diffRules([rule('a', 'x')], [rule('a', 'x')]);
      expect(d).toEqual({ added: [], removed: [], changed: [], unchanged: ['a'] });
    });
  });
});
