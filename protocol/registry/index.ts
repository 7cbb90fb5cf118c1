/**
 * The model registry's pure side. oms/: a model's identity by its bytes (the OMS v1.0 digest), OpenSSF
 * model signatures (Sigstore bundle v0.3 → DSSE → in-toto) verified against a key or a CA, and opaque
 * digests of external (API-hosted) models. See docs/model-signing.md.
 */
export * from './oms/index.ts';
