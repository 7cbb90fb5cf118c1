/**
 * The policy baseline's part in the model registry (model-checks.ts RiskCheck): protocol/registry/risk.ts
 * over the baselines this node holds (node/policy PolicyService.baselineAt) — the score of a registration
 * under the version that scored it, that version's `register` deny rules, and the current baseline's
 * `approve` and `deploy` deny rules.
 *
 * The `node` a registration's rules see is the REGISTERING org as the charter lists it (org, jurisdiction),
 * not the node that checks it, so every member recomputes the same score; `approve` rules see this node.
 */
import type { Finding } from '../../protocol/policy/evaluate.ts';
import {
  evaluateApprove,
  evaluateDeploy,
  evaluateRegister,
  type HeldBaseline,
  NO_POLICY_DIGEST,
  scoreRisk,
} from '../../protocol/registry/risk.ts';
import type { RiskCheck } from './model-checks.ts';

function messages(deny: readonly Finding[]): string[] {
  return deny.map((f) => `${f.rule}: ${f.message}${f.error === undefined ? '' : ` (${f.error})`}`);
}

/** RiskCheck over the policy service's chain of baselines and the charter's members. */
export function policyRiskCheck(o: {
  policy: {
    baselineAt(version: number): HeldBaseline | undefined;
    head(): { version: number; digest: string | null };
  };
  /** The jurisdiction the charter gives `org`. */
  jurisdictionOf(org: string): string;
  /** This node (the `node` of `approve` rules). */
  self: { org: string; jurisdiction: string };
}): RiskCheck {
  /** undefined: version 0 (no baseline); null: a version this node does not hold. */
  const held = (version: number): HeldBaseline | undefined | null =>
    version === 0 ? undefined : (o.policy.baselineAt(version) ?? null);
  const nodeOf = (org: string) => ({ org, jurisdiction: o.jurisdictionOf(org) });
  return {
    head() {
      const h = o.policy.head();
      return { version: h.version, digest: h.digest ?? NO_POLICY_DIGEST };
    },
    score(version, card, model) {
      const b = held(version);
      return b === null ? undefined : scoreRisk(b, card, model, nodeOf(model.org));
    },
    registerDenials(version, card, model, risk) {
      const b = held(version);
      if (b === null) return [];
      return messages(evaluateRegister(b, card, model, risk, nodeOf(model.org)).deny);
    },
    deployDenials(model, card, deployment) {
      const b = held(o.policy.head().version);
      if (b === null) return [];
      return messages(evaluateDeploy(b, model, card, deployment, o.self).deny);
    },
    approveDenials(approval, model, card) {
      const b = held(o.policy.head().version);
      if (b === null) return [];
      return messages(evaluateApprove(b, approval, model, card, o.self).deny);
    },
  };
}
