/**
 * A model version's risk score, which anyone can recompute: the `score` rules of hook `register` in the
 * federation's policy baseline (protocol/policy/rule.ts), each adding its `points` when its CEL expression
 * is true for the model card and the model, then the baseline's tier thresholds (`riskTiers`, default
 * serious 80 / high 50 / medium 20). Deterministic: rules in baseline order, the same step budget on every
 * node (a rule whose evaluation fails or runs out of budget FIRES — fail closed: it adds its points), the
 * score floored at 0. The EU AI Act category stays a separate field of the card; a baseline can score it.
 *
 *   scoreRisk(held, card, model, node)          → {score, tier, hits: [{rule, points}], policyVersion, policyDigest}
 *   evaluateRegister(held, card, model, risk, node) → the `register` deny/warn verdict (risk visible)
 *   evaluateApprove(held, approval, model, card, node) → the `approve` deny/warn verdict
 *
 * `held` is the baseline with its digest (undefined: no baseline — score 0, tier low, version 0, digest
 * NO_POLICY_DIGEST; nothing to deny). `node` is the registering org as the charter lists it for the
 * score and register rules (so every member computes the same), the evaluating node for approve rules.
 */
import { sha256 } from '../crypto/sha256.ts';
import { toHex } from '../encoding/bytes.ts';
import type { RiskTier } from '../federation/approval-rules.ts';
import { DEFAULT_RISK_TIERS, type PolicyBaseline, type RiskTiers } from '../policy/baseline.ts';
import { MAX_EVALUATION_COST } from '../policy/budget.ts';
import { type CompiledRule, compileRules } from '../policy/compile.ts';
import { evaluate, runRule, type Verdict } from '../policy/evaluate.ts';
import { hookInput } from '../policy/hooks.ts';
import {
  ApproveActivation,
  DeployActivation,
  RegisterActivation,
  type RegisteredModel,
} from '../policy/registry-values.ts';
import type { ModelCard } from './card.ts';
import type { RiskResult } from './registration.ts';

/** The policy digest of "no baseline": SHA-256 of nothing. */
export const NO_POLICY_DIGEST = `sha256:${toHex(sha256(new Uint8Array(0)))}`;

export interface HeldBaseline {
  baseline: PolicyBaseline;
  /** `sha256:<hex>` of the baseline's canonical bytes (baselineDigest). */
  digest: string;
}

export interface NodeFacts {
  org: string;
  jurisdiction: string;
}

/** Rules the federation holds were checked when published: compile without the static cost limits. */
const HELD_LIMITS = { maxCost: Number.POSITIVE_INFINITY, maxSetCost: Number.POSITIVE_INFINITY };

function rulesOf(held: HeldBaseline): CompiledRule[] {
  return compileRules(held.baseline.rules, HELD_LIMITS);
}

/** The tier of `score` under `tiers`. */
export function tierOf(score: number, tiers: RiskTiers = DEFAULT_RISK_TIERS): RiskTier {
  if (score >= tiers.serious) return 'serious';
  if (score >= tiers.high) return 'high';
  if (score >= tiers.medium) return 'medium';
  return 'low';
}

/** The risk of `card` (undefined: none given) for `model` under `held`. */
export function scoreRisk(
  held: HeldBaseline | undefined,
  card: ModelCard | undefined,
  model: RegisteredModel,
  node: NodeFacts,
): RiskResult {
  if (held === undefined) return { score: 0, tier: 'low', hits: [], policyVersion: 0, policyDigest: NO_POLICY_DIGEST };
  const input = hookInput('register', new RegisterActivation(card, model, { score: 0, tier: 'low' }), node);
  const hits: { rule: string; points: number }[] = [];
  let score = 0;
  let budget = MAX_EVALUATION_COST;
  for (const r of rulesOf(held)) {
    if (r.hook !== 'register' || r.effect !== 'score') continue;
    const { fired, steps } = runRule(r, input, budget);
    budget -= steps;
    if (!fired) continue;
    const points = r.rule.points ?? 0;
    hits.push({ rule: r.id, points });
    score += points;
  }
  score = Math.max(0, score);
  return {
    score,
    tier: tierOf(score, held.baseline.riskTiers),
    hits,
    policyVersion: held.baseline.version,
    policyDigest: held.digest,
  };
}

const NO_VERDICT: Verdict = { allowed: true, deny: [], warn: [], policyVersion: null };

/** The `register` deny and warn rules of `held` on a scored registration. */
export function evaluateRegister(
  held: HeldBaseline | undefined,
  card: ModelCard | undefined,
  model: RegisteredModel,
  risk: { score: number; tier: string },
  node: NodeFacts,
): Verdict {
  if (held === undefined) return NO_VERDICT;
  const input = hookInput('register', new RegisterActivation(card, model, risk), node);
  return evaluate({ global: rulesOf(held), local: [] }, 'register', input, { policyVersion: held.baseline.version });
}

/** The `deploy` deny and warn rules of `held` on one deployment. */
export function evaluateDeploy(
  held: HeldBaseline | undefined,
  model: RegisteredModel & { status: string; tier: string; score: number },
  card: ModelCard | undefined,
  deployment: { shadow: boolean; org: string; jurisdiction: string },
  node: NodeFacts,
): Verdict {
  if (held === undefined) return NO_VERDICT;
  const input = hookInput('deploy', new DeployActivation(model, card, deployment), node);
  return evaluate({ global: rulesOf(held), local: [] }, 'deploy', input, { policyVersion: held.baseline.version });
}

/** The `approve` deny and warn rules of `held` on one vote. */
export function evaluateApprove(
  held: HeldBaseline | undefined,
  approval: { decision: string; role: string; org: string; name: string },
  model: RegisteredModel & { status: string; tier: string; score: number },
  card: ModelCard | undefined,
  node: NodeFacts,
): Verdict {
  if (held === undefined) return NO_VERDICT;
  const input = hookInput('approve', new ApproveActivation(approval, model, card), node);
  return evaluate({ global: rulesOf(held), local: [] }, 'approve', input, { policyVersion: held.baseline.version });
}
