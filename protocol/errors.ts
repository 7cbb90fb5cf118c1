/**
 * One error type for everything protocol/ rejects.
 *
 * Every rejection carries a stable string `code` (listed in docs/errors.md). Callers — the HTTP layer,
 * the CLI, gossip validators — branch on `code`, never on the message. Tests assert codes, not messages.
 */

export const ErrorCodes = [
  // encoding / input shape
  'ERR_INVALID_INPUT',
  'ERR_INVALID_ENCODING',
  'ERR_INVALID_LENGTH',
  // strict JSON (protocol/encoding/strict-json.ts): what JSON.parse would change silently
  'ERR_DUPLICATE_KEY',
  'ERR_LOSSY_NUMBER',
  'ERR_BIDI_CONTROL',
  // keys and signatures
  'ERR_INVALID_KEY',
  'ERR_BAD_SIGNATURE',
  'ERR_UNKNOWN_KEY',
  'ERR_THRESHOLD_NOT_MET',
  // canonical JSON
  'ERR_NOT_CANONICAL',
  // DSSE / in-toto
  'ERR_MALFORMED_ENVELOPE',
  'ERR_PAYLOAD_TYPE_MISMATCH',
  'ERR_MALFORMED_STATEMENT',
  'ERR_SUBJECT_MISMATCH',
  'ERR_PREDICATE_TYPE_MISMATCH',
  // transparency log math
  'ERR_INVALID_HASH',
  'ERR_INDEX_OUT_OF_RANGE',
  'ERR_INVALID_TREE_SIZE',
  'ERR_PROOF_SIZE',
  'ERR_ROOT_MISMATCH',
  'ERR_MISSING_HASH',
  // C2SP signed-note, checkpoint, cosignature
  'ERR_MALFORMED_NOTE',
  'ERR_MALFORMED_VERIFIER_KEY',
  'ERR_MALFORMED_SIGNER_KEY',
  'ERR_MALFORMED_CHECKPOINT',
  'ERR_MALFORMED_COSIGNATURE',
  'ERR_NO_VERIFIED_SIGNATURE',
  'ERR_ORIGIN_MISMATCH',
  // audit leaves, decision records, proof bundles, stored logs
  'ERR_MALFORMED_LEAF',
  'ERR_INVALID_RECORD',
  'ERR_MALFORMED_BUNDLE',
  'ERR_TREE_SIZE_MISMATCH',
  'ERR_LEAF_HASH_MISMATCH',
  'ERR_MALFORMED_EXPORT',
  'ERR_RECORD_MISMATCH',
  'ERR_LOG_CORRUPT',
  // federation: charter chain, invites, gossip, sync (protocol/federation)
  'ERR_MALFORMED_CHARTER',
  'ERR_CHARTER_STALE',
  'ERR_CHARTER_FORK',
  'ERR_CHARTER_GAP',
  'ERR_CHARTER_PREVIOUS',
  'ERR_MISSING_MEMBER_SIGNATURE',
  'ERR_UNKNOWN_SIGNER',
  'ERR_FEDERATION_MISMATCH',
  'ERR_PAYLOAD_MISMATCH',
  'ERR_MALFORMED_INVITE',
  'ERR_MALFORMED_WITHDRAWAL',
  'ERR_INVITE_EXPIRED',
  'ERR_MALFORMED_MEMBER_CARD',
  'ERR_PROPOSAL_EXPIRED',
  'ERR_MALFORMED_GOSSIP',
  'ERR_MESSAGE_TOO_LARGE',
  'ERR_STALE_VERSION',
  'ERR_CLOCK_SKEW',
  'ERR_MALFORMED_SYNC_MESSAGE',
  'ERR_MALFORMED_FRESHNESS',
  'ERR_FRESHNESS_EXPIRED',
  // policy: rules, bundles, the policy chain, receipts (protocol/policy)
  'ERR_INVALID_RULE',
  'ERR_RULE_TOO_COSTLY',
  'ERR_MALFORMED_POLICY',
  'ERR_MALFORMED_RECEIPT',
  'ERR_POLICY_ROLLBACK',
  'ERR_POLICY_PREVIOUS',
  'ERR_POLICY_GAP',
  'ERR_POLICY_THRESHOLD',
  'ERR_POLICY_FORK',
  'ERR_POLICY_EXPIRED',
  // witness: add-checkpoint, equivocation evidence, cross-org bundles (protocol/witness)
  'ERR_MALFORMED_WITNESS_REQUEST',
  'ERR_UNKNOWN_ORIGIN',
  'ERR_UNTRUSTED_CHECKPOINT',
  'ERR_OLD_SIZE_TOO_LARGE',
  'ERR_OLD_SIZE_MISMATCH',
  'ERR_CONSISTENCY_FAILED',
  'ERR_ROOT_CONFLICT',
  'ERR_MALFORMED_EVIDENCE',
  'ERR_NOT_EQUIVOCATION',
  'ERR_UNKNOWN_WITNESS',
  'ERR_WITNESS_THRESHOLD',
  // model registry: OpenSSF model signing bundles, model digests (protocol/registry/oms)
  'ERR_MALFORMED_OMS_BUNDLE',
  'ERR_MALFORMED_CERTIFICATE',
  'ERR_UNTRUSTED_CERTIFICATE',
  'ERR_UNSUPPORTED_ALGORITHM',
  'ERR_KEYLESS_UNSUPPORTED',
  'ERR_MODEL_FILE_CHANGED',
  'ERR_MODEL_FILE_MISSING',
  'ERR_MODEL_FILE_UNSIGNED',
  'ERR_INVALID_MODEL_REF',
  // model registry: approvals (protocol/registry/approval.ts)
  'ERR_MALFORMED_APPROVAL',
  'ERR_APPROVAL_MISMATCH',
  'ERR_NOT_IN_ROSTER',
  'ERR_SELF_APPROVAL',
  'ERR_APPROVAL_EXPIRED',
  // model registry: model cards, registrations (protocol/registry/card.ts, registration.ts)
  'ERR_INVALID_MODEL_CARD',
  'ERR_MODEL_PROHIBITED',
  'ERR_MALFORMED_REGISTRATION',
  'ERR_REGISTRATION_MISMATCH',
  // model registry: a registry policy hook (`register`, `approve`) denied it (node/registry/model-checks.ts)
  'ERR_POLICY_DENIED',
  // model registry: rosters (protocol/registry/roster.ts)
  'ERR_MALFORMED_ROSTER',
  'ERR_ROSTER_MISMATCH',
  // model registry: trust contracts (protocol/registry/contract-terms.ts, contract.ts)
  'ERR_INVALID_CONTRACT',
  'ERR_MALFORMED_CONTRACT',
  'ERR_CONTRACT_MISMATCH',
  'ERR_CONTRACT_CONFLICT',
  // model registry: the kill switch (protocol/registry/revocation.ts)
  'ERR_MALFORMED_REVOCATION',
  'ERR_REVOCATION_MISMATCH',
  'ERR_REVOCATION_ROLLBACK',
  // model registry: deployment records (protocol/registry/deployment.ts)
  'ERR_MALFORMED_DEPLOYMENT',
  'ERR_DEPLOYMENT_MISMATCH',
  // monitoring: baselines and window statements (protocol/monitoring)
  'ERR_INVALID_BASELINE',
  'ERR_MALFORMED_MONITOR_WINDOW',
  'ERR_MONITOR_WINDOW_MISMATCH',
  'ERR_MONITOR_NOT_HELD',
  'ERR_MALFORMED_MONITOR_SYNC',
  // compliance reports (protocol/report)
  'ERR_MALFORMED_COUNTS',
  'ERR_COUNTS_MISMATCH',
  'ERR_MALFORMED_REPORT_EVIDENCE',
  'ERR_EVIDENCE_MISMATCH',
  'ERR_MALFORMED_REPORT',
  'ERR_REPORT_DIGEST_MISMATCH',
  'ERR_REPORT_MISMATCH',
  'ERR_MALFORMED_REPORT_REQUEST',
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

/** Thrown by protocol/ for every rejection; `code` says which check failed. */
export class GovfedError<C extends string = ErrorCode> extends Error {
  readonly code: C;
  override readonly cause?: unknown;

  constructor(code: C, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'GovfedError';
    this.code = code;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** True when `err` is a GovfedError, optionally with the given code. */
export function isGovfedError(err: unknown, code?: string): err is GovfedError<string> {
  return err instanceof GovfedError && (code === undefined || err.code === code);
}
