import { describe, expect, it } from 'vitest';
import { PolicyEnforcer } from '../../../node/policy/enforcement.ts';
import { compileRules, LOCAL_POLICY_TYPE, type LocalPolicy, nodeValue } from '../../../protocol/policy/index.ts';
import { bundle, LATER, rule, T0 } from '../../protocol/policy/fixtures.ts';

const RISKY = { model: 'risky', output: 1 };
const SAFE = { model: 'fine', output: 1 };

function enforcer(now = T0, outcomes: boolean[] = []): PolicyEnforcer {
  return new PolicyEnforcer({
    node: nodeValue({ org: 'acme', jurisdiction: 'EU' }),
    now: () => new Date(now),
    onEvaluated: (allowed) => outcomes.push(allowed),
  });
}

function local(expression: string): LocalPolicy {
  return { type: LOCAL_POLICY_TYPE, version: 1, updatedAt: T0, rules: [rule(expression, { id: 'local' })] };
}

describe('PolicyEnforcer.evaluate', () => {
  describe('when no baseline is active', () => {
    it('allows, with no policy version, and reports the outcome', () => {
      const outcomes: boolean[] = [];
      const e = enforcer(T0, outcomes);
      expect(e.evaluate('decision', RISKY)).toEqual({ allowed: true, deny: [], warn: [], policyVersion: null });
      expect(e.version).toBe(0);
      expect(outcomes).toEqual([true]);
    });
  });

  describe('when a baseline is swapped in', () => {
    it('denies what its rules deny and names its version', () => {
      const e = enforcer();
      e.swap(bundle(3, null, { rules: [rule("decision.model == 'risky'")] }), undefined);
      expect(e.evaluate('decision', RISKY)).toMatchObject({ allowed: false, policyVersion: 3 });
      expect(e.evaluate('decision', SAFE).allowed).toBe(true);
      expect(e.version).toBe(3);
    });
  });

  describe('when the local overlay adds a rule', () => {
    it('denies by the local rule too (swap and setLocal alike)', () => {
      const e = enforcer();
      e.swap(bundle(1, null, { rules: [] }), local("decision.model == 'fine'"));
      expect(e.evaluate('decision', SAFE).allowed).toBe(false);
      e.setLocal(compileRules(local("decision.model == 'other'").rules));
      expect(e.evaluate('decision', SAFE).allowed).toBe(true);
      expect(e.version).toBe(1);
    });
  });

  describe('when the baseline is past its expiresAt', () => {
    it('still applies (fail closed) and says expired', () => {
      const e = enforcer(LATER);
      e.swap(bundle(1, null, { rules: [rule("decision.model == 'risky'")] }), undefined);
      expect(e.expired).toBe(true);
      expect(e.evaluate('decision', RISKY)).toMatchObject({ allowed: false, expired: true });
    });
  });

  describe('when the input is malformed (from a client)', () => {
    it('throws a typed ERR_INVALID_RECORD, not a bare error', () => {
      const e = enforcer();
      e.swap(bundle(1, null, { rules: [rule("decision.model == 'risky'")] }), undefined);
      expect(() => e.evaluate('decision', 'not an object')).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_RECORD' }),
      );
    });
  });
});
