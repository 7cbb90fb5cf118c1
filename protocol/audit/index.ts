/**
 * protocol/audit — what a govfed node's audit log holds, and how an outsider checks it. Pure.
 *
 * The model in plain words:
 *  - A model's decision arrives as a record (model, output, optional id, time, input digest,
 *    jurisdiction, data classes, context). The node completes it with an id, a timestamp and a random
 *    nonce, and keeps the full record to itself. (decision.ts)
 *  - The log gets only a leaf: a small canonical-JSON commitment `{v:1, type:"decision", model, time,
 *    decisionId, recordDigest, outcome, policyVersion?, verdict?, deny?}` (verdict: what the policy said). The digest is salted by the nonce, so the leaf
 *    reveals nothing a guesser could confirm. Governance events (node init, policy bundles, charters)
 *    are leaves of type "governance" in the same log. Leaves are versioned (`v`) and strictly parsed.
 *    (leaf.ts)
 *  - A proof bundle packs one entry with its inclusion proof, the signed checkpoint it leads to and the
 *    log's verifier key, so anyone can check it offline with protocol/ alone. (bundle.ts)
 *  - A decision export packs many decisions — each record, its leaf and its inclusion proof — against
 *    one signed checkpoint, as JSON Lines checked a line at a time. (export.ts)
 *  - Field rules (timestamps, digests, labels) are shared and exported as patterns for JSON schemas.
 *    (fields.ts)
 */
export {
  BUNDLE_FORMAT,
  checkBundleShape,
  checkLeafHash,
  checkTreeSize,
  chooseVerifier,
  createProofBundle,
  MAX_BUNDLE_BYTES,
  MAX_PROOF_HASHES,
  type ProofBundle,
  type VerifiedBundle,
  verifyProofBundle,
} from './bundle.ts';
export {
  CheckedDecision,
  checkDecisionInput,
  completeRecord,
  type DecisionInput,
  type DecisionRecord,
  decisionLeaf,
  digestRecordBytes,
  encodeRecord,
  type LeafVerdict,
  leafDenyIds,
  MAX_DATA_CLASSES,
  MAX_INPUT_DIGEST_CHARS,
  MAX_RECORD_BYTES,
  NONCE_BYTES,
  outcomeClass,
  recordDigest,
  type SealedDecision,
  sealDecision,
} from './decision.ts';
export {
  checkExportHeader,
  checkExportRecordLine,
  checkRecordMatchesLeaf,
  DecisionExportVerifier,
  EXPORT_FORMAT,
  type ExportHeader,
  type ExportRecord,
  exportHeaderLine,
  exportRecordLine,
  MAX_EXPORT_HEADER_BYTES,
  MAX_EXPORT_LINE_BYTES,
  MAX_EXPORT_RECORDS,
  type VerifiedExport,
  type VerifiedExportRecord,
  verifyDecisionExport,
} from './export.ts';
export {
  isRfc3339Utc,
  isSha256Digest,
  JURISDICTION_PATTERN,
  KIND_PATTERN,
  LABEL_PATTERN,
  RFC3339_UTC_PATTERN,
  SHA256_DIGEST_PATTERN,
} from './fields.ts';
export {
  checkLeaf,
  type DecisionLeaf,
  decodeLeaf,
  encodeLeaf,
  type GovernanceLeaf,
  LEAF_RULE_ID_PATTERN,
  LEAF_VERSION,
  type Leaf,
  type LeafType,
  MAX_DECISION_ID_CHARS,
  MAX_LEAF_BYTES,
  MAX_LEAF_DENY_CHARS,
  MAX_LEAF_DENY_IDS,
  MAX_MODEL_CHARS,
  MAX_REF_CHARS,
} from './leaf.ts';
