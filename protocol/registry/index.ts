/**
 * The model registry's pure side. oms/: a model's identity by its bytes (the OMS v1.0 digest), OpenSSF
 * model signatures (Sigstore bundle v0.3 → DSSE → in-toto) verified against a key or a CA, and opaque
 * digests of external (API-hosted) models. See docs/model-signing.md.
 * approval.ts: a person's signed vote on a model version (in-toto Statement v1 in DSSE), verified against
 * the approver org's roster; approval-status.ts: pending / approved / rejected from the charter's rule.
 * card.ts: the model card (strict, bounded; prohibited practices refused); contract-terms.ts, contract.ts:
 * a trust contract's terms and the signed statement binding them to a model version; contract-check.ts:
 * what the terms say of a decision or a deployment; revocation.ts, revocation-status.ts: the kill switch's
 * signed records and the state that follows from them; registration.ts: a
 * submitter's signed registration; roles.ts, roster.ts: an org's people, keys and roles, signed by the
 * org's node; roster-sync.ts: the /govfed/roster/1.0.0 frames. deployment.ts: an org's node's signed
 * word that it deploys, undeploys or refused to deploy a model version, chained per org.
 */
export * from './approval.ts';
export * from './approval-status.ts';
export * from './card.ts';
export * from './contract.ts';
export * from './contract-check.ts';
export * from './contract-terms.ts';
export * from './deployment.ts';
export * from './oms/index.ts';
export * from './registration.ts';
export * from './revocation.ts';
export * from './revocation-freshness.ts';
export * from './revocation-status.ts';
export * from './risk.ts';
export * from './roles.ts';
export * from './roster.ts';
export * from './roster-sync.ts';
