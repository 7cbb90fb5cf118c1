/**
 * The model registry's pure side. oms/: a model's identity by its bytes (the OMS v1.0 digest), OpenSSF
 * model signatures (Sigstore bundle v0.3 → DSSE → in-toto) verified against a key or a CA, and opaque
 * digests of external (API-hosted) models. See docs/model-signing.md.
 * approval.ts: a person's signed vote on a model version (in-toto Statement v1 in DSSE), verified against
 * the approver org's roster; approval-status.ts: pending / approved / rejected from the charter's rule.
 */
export * from './approval.ts';
export * from './approval-status.ts';
export * from './oms/index.ts';
