/**
 * Risk scores anyone can recompute (protocol/registry/risk.ts) with the example baseline of
 * docs/policy.md and docs/registry.md (docs/examples/risk-baseline.json) and the example card.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { baselineDigest, checkBaseline, type PolicyBaseline } from '../../../protocol/policy/baseline.ts';
import { checkLocalPolicy } from '../../../protocol/policy/local.ts';
import { checkRule } from '../../../protocol/policy/rule.ts';
import { checkModelCard, type ModelCard } from '../../../protocol/registry/card.ts';
import {
  evaluateApprove,
  evaluateRegister,
  NO_POLICY_DIGEST,
  scoreRisk,
  tierOf,
} from '../../../protocol/registry/risk.ts';
import { repoPath } from '../../helpers/paths.ts';

const code = (c: string) => expect.objectContaining({ code: c });
const FILE = JSON.parse(readFileSync(repoPath('docs', 'examples', 'risk-baseline.json'), 'utf8')) as {
  rules: unknown[];
  riskTiers: unknown;
};
const CARD = checkModelCard(JSON.parse(readFileSync(repoPath('docs', 'examples', 'model-card.json'), 'utf8')));
const NODE = { org: 'eu', jurisdiction: 'EU' };
const MODEL = { org: 'eu', name: 'fraud', version: '1.0.0', digest: `sha256:${'ab'.repeat(32)}`, assurance: 'files' };

function baseline(over: Partial<PolicyBaseline> = {}) {
  const b = checkBaseline({
    type: 'govfed.policy/v1',
    federationId: 'cd'.repeat(32),
    version: 3,
    previous: `sha256:${'00'.repeat(32)}`,
    createdAt: '2026-12-01T00:00:00Z',
    expiresAt: '2027-01-01T00:00:00Z',
    rules: FILE.rules,
    riskTiers: FILE.riskTiers,
    ...over,
  });
  return { baseline: b, digest: baselineDigest(b) };
}

describe('scoreRisk', () => {
  describe('when the example card is scored by the example baseline', () => {
    it('adds the points of the rules that fired, in rule order, and names the baseline', () => {
      const held = baseline();
      const r = scoreRisk(held, CARD, MODEL, NODE);
      expect(r.hits).toEqual([
        { rule: 'eu-ai-act-high', points: 50 },
        { rule: 'sensitive-data', points: 20 },
        { rule: 'human-review', points: -10 },
      ]);
      expect(r).toMatchObject({ score: 60, tier: 'high', policyVersion: 3, policyDigest: held.digest });
      // The same inputs give the same result: anyone can recompute it.
      expect(scoreRisk(baseline(), CARD, MODEL, NODE)).toEqual(r);
    });
  });

  describe('when there is no card, and the model is API-hosted', () => {
    it('scores the missing card and the opaque weights (40 + 10 = 50): high', () => {
      const r = scoreRisk(baseline(), undefined, { ...MODEL, assurance: 'opaque' }, NODE);
      expect(r).toMatchObject({ score: 50, tier: 'high' });
      expect(r.hits.map((h) => h.rule)).toEqual(['no-card', 'opaque-weights']);
    });
  });

  describe('when negative points would take the score below zero', () => {
    it('is floored at 0: tier low', () => {
      const card: ModelCard = { ...CARD, euAiActCategory: 'minimal', useSensitivePersonalInformation: false };
      delete card.annexIIIArea;
      expect(scoreRisk(baseline(), card, MODEL, NODE)).toMatchObject({ score: 0, tier: 'low' });
    });
  });

  describe('when the baseline has no riskTiers, or when there is no baseline', () => {
    it('uses the default thresholds (80/50/20); without a baseline every model scores 0, tier low, version 0', () => {
      const { riskTiers: _, ...rest } = baseline().baseline;
      expect(scoreRisk({ baseline: rest, digest: 'sha256:x' }, CARD, MODEL, NODE).tier).toBe('high');
      expect(scoreRisk(undefined, CARD, MODEL, NODE)).toEqual({
        score: 0,
        tier: 'low',
        hits: [],
        policyVersion: 0,
        policyDigest: NO_POLICY_DIGEST,
      });
    });
  });

  describe('when a score rule fails to evaluate', () => {
    it('fires (fail closed): its points count', () => {
      const held = baseline({
        rules: [
          {
            id: 'boom',
            hook: 'register',
            effect: 'score',
            points: 7,
            expression: 'card.datasets[9].name == "x"',
            message: 'm',
          },
        ],
      } as Partial<PolicyBaseline>);
      expect(scoreRisk(held, CARD, MODEL, NODE)).toMatchObject({ score: 7, hits: [{ rule: 'boom', points: 7 }] });
    });
  });
});

describe('tierOf', () => {
  it('puts a score equal to a threshold in that tier', () => {
    const t = { serious: 80, high: 50, medium: 20 };
    expect([0, 19, 20, 49, 50, 79, 80, 1000].map((s) => tierOf(s, t))).toEqual([
      'low',
      'low',
      'medium',
      'medium',
      'high',
      'high',
      'serious',
      'serious',
    ]);
  });
});

describe('evaluateRegister and evaluateApprove', () => {
  describe('when a high-tier card names no datasets', () => {
    it('the register deny rule fires; with datasets it does not', () => {
      const held = baseline();
      const bare: ModelCard = { ...CARD };
      delete bare.datasets;
      const risk = scoreRisk(held, bare, MODEL, NODE);
      expect(evaluateRegister(held, bare, MODEL, risk, NODE).deny.map((f) => f.rule)).toEqual(['high-needs-datasets']);
      expect(evaluateRegister(held, CARD, MODEL, scoreRisk(held, CARD, MODEL, NODE), NODE).allowed).toBe(true);
    });
  });
  describe('when a security officer approves a serious-tier model', () => {
    it('the approve deny rule fires; a risk officer may', () => {
      const held = baseline();
      const model = { ...MODEL, status: 'pending', tier: 'serious', score: 90 };
      const vote = (role: string) => ({ decision: 'approve', role, org: 'us', name: 'x' });
      expect(evaluateApprove(held, vote('security'), model, CARD, NODE).allowed).toBe(false);
      expect(evaluateApprove(held, vote('risk_officer'), model, CARD, NODE).allowed).toBe(true);
    });
  });
});

describe('rules and baselines with risk', () => {
  describe('when a rule has points', () => {
    it('must be a register score rule with a non-zero integer within ±1000', () => {
      const r = { id: 'x', hook: 'register', effect: 'score', expression: 'true', message: 'm' };
      expect(checkRule({ ...r, points: 5 }).points).toBe(5);
      expect(() => checkRule(r)).toThrow(code('ERR_INVALID_RULE'));
      expect(() => checkRule({ ...r, points: 0 })).toThrow(code('ERR_INVALID_RULE'));
      expect(() => checkRule({ ...r, points: 1001 })).toThrow(code('ERR_INVALID_RULE'));
      expect(() => checkRule({ ...r, points: 1.5 })).toThrow(code('ERR_INVALID_RULE'));
      expect(() => checkRule({ ...r, hook: 'decision', points: 5 })).toThrow(code('ERR_INVALID_RULE'));
      expect(() => checkRule({ ...r, effect: 'deny', points: 5 })).toThrow(code('ERR_INVALID_RULE'));
    });
  });
  describe('when a score rule reads the risk it computes, or riskTiers are not ordered', () => {
    it('is refused at publish time', () => {
      expect(() =>
        baseline({
          rules: [
            { id: 'x', hook: 'register', effect: 'score', points: 1, expression: 'risk.score > 1', message: 'm' },
          ],
        } as Partial<PolicyBaseline>),
      ).toThrow(code('ERR_INVALID_RULE'));
      for (const riskTiers of [
        { serious: 50, high: 50, medium: 20 },
        { serious: 80, high: 50 },
        { serious: 80, high: 50, medium: 0 },
      ]) {
        expect(() => baseline({ riskTiers } as Partial<PolicyBaseline>)).toThrow(code('ERR_MALFORMED_POLICY'));
      }
    });
  });
  describe('when a local overlay holds a register or approve rule', () => {
    it('is refused: registry rules belong in the federation’s baseline', () => {
      const local = (rules: unknown[]) => ({
        type: 'govfed.policy-local/v1',
        version: 1,
        updatedAt: '2026-12-01T00:00:00Z',
        rules,
      });
      expect(() => checkLocalPolicy(local([FILE.rules[0]]))).toThrow(code('ERR_INVALID_RULE'));
      expect(checkLocalPolicy(local([FILE.rules.at(-1)])).rules).toHaveLength(1);
    });
  });
  describe('when a baseline has no riskTiers', () => {
    it('keeps its canonical form (old baselines hash as before)', () => {
      const { riskTiers: _, ...rest } = baseline().baseline;
      expect(JSON.stringify(checkBaseline(rest))).not.toContain('riskTiers');
    });
  });
});
