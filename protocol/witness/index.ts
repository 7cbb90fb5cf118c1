/**
 * protocol/witness — witnessed audit logs and cross-org proofs, pure: no I/O, no clocks (signers and
 * callers bring the time).
 *
 * The model in plain words:
 *  - Every member's audit log publishes signed checkpoints (protocol/note). A log could show one tree
 *    to some peers and another to others (a split view). Witnesses stop that: every other member
 *    checks that each new checkpoint extends the last one it cosigned (a consistency proof), and only
 *    then cosigns it with its witness key (c2sp.org/tlog-cosignature, cosignature/v1). It never
 *    cosigns two inconsistent checkpoints of one log, and never goes back to a smaller one. (witness.ts)
 *  - The same decision serves c2sp.org/tlog-witness `add-checkpoint`, so logs outside the federation
 *    and standard witness tooling can use a govfed node as a witness; the request and response
 *    formats are in request.ts, every status code case is listed in witness.ts.
 *  - A checkpoint is *witnessed* when at least k = witnessThreshold(charter, org) other members'
 *    witnesses cosigned it (the charter names every member's witness key and log key). (keys.ts)
 *  - Two checkpoints of one log that cannot both be true — same size and another root, or a
 *    consistency proof that reaches the newer root from another old root — are equivocation
 *    evidence anyone can check offline with the log's key; a member signs it as an alert that every
 *    node verifies against the charter. (evidence.ts)
 *  - A cross-org bundle packs an entry, its inclusion proof, the witnessed checkpoint, the keys and
 *    the charter chain, so an auditor can check offline — trusting neither the log's owner, nor the
 *    node that served it, nor any server — that the entry is in a log its federation witnessed.
 *    (bundle.ts)
 *  - Gossip bodies of the `checkpoint`, `cosignature` and `alert` kinds are typed and bounded in
 *    gossip.ts; members read each other's logs over `/govfed/log/1.0.0`, whose frames are encoded,
 *    decoded and bounded in log-protocol.ts.
 * docs/witness.md has the rules, the byte formats and the threat model.
 */

export { type ParsedBundle, parseBundle, type VerifiedAnyBundle, verifyBundle } from './any-bundle.ts';
export {
  CROSSORG_BUNDLE_FORMAT,
  type CrossOrgBundle,
  type CrossOrgVerifyOptions,
  checkCosignedCheckpoint,
  checkCrossOrgShape,
  checkFederation,
  checkLogOwner,
  checkWitnessKeys,
  checkWitnessThreshold,
  createCrossOrgBundle,
  MAX_BUNDLE_CHARTERS,
  MAX_BUNDLE_WITNESS_KEYS,
  MAX_COSIGNATURE_SKEW_SECONDS,
  MAX_CROSSORG_BUNDLE_BYTES,
  type VerifiedCrossOrgBundle,
  verifyCrossOrgBundle,
} from './bundle.ts';
export {
  ALERT_PAYLOAD_TYPE,
  type CheckedEquivocation,
  checkEquivocation,
  checkEquivocationShape,
  decodeEquivocation,
  EQUIVOCATION_TYPE,
  type Equivocation,
  encodeEquivocation,
  findEquivocation,
  MAX_EVIDENCE_BYTES,
  memberByLogOrigin,
  signAlert,
  type VerifiedAlert,
  verifyAlert,
} from './evidence.ts';
export {
  alertBody,
  type CheckpointGossip,
  checkAlertBody,
  checkCheckpointBody,
  checkpointBody,
  MAX_GOSSIP_NOTE_CHARS,
} from './gossip.ts';
export {
  parseLogKey,
  parseWitnessKey,
  witnessName,
  witnessSigner,
  witnessSignerKey,
  witnessVerifierKey,
} from './keys.ts';
export {
  decodeHashes,
  decodeLogRequest,
  decodeLogResponse,
  encodeLogMessage,
  LOG_PROTOCOL,
  LOG_PROTOCOL_MAX_BYTES,
  type LogRequest,
  type LogResponse,
} from './log-protocol.ts';
export {
  type AddCheckpointRequest,
  COSIGNATURE_CONTENT_TYPE,
  formatAddCheckpoint,
  formatCosignatureLines,
  formatSizeBody,
  MAX_ADD_CHECKPOINT_BYTES,
  MAX_PROOF_LINES,
  parseAddCheckpoint,
  parseCosignatureLines,
  parseSizeBody,
  SIZE_CONTENT_TYPE,
} from './request.ts';
export {
  type AddCheckpointInput,
  type AddCheckpointResult,
  addCheckpoint,
  checkConsistency,
  checkLogSignature,
  checkOldSize,
  isWitnessError,
  type KnownLogs,
  knownLogsFromKeys,
  trustedKeysFor,
  WITNESS_STATUS,
  WitnessError,
  type WitnessErrorCode,
  type WitnessState,
  type WitnessStatus,
} from './witness.ts';
export {
  decodeWitnessRequest,
  decodeWitnessResponse,
  encodeWitnessMessage,
  MAX_WITNESSED_NOTES,
  WITNESS_PROTOCOL,
  WITNESS_PROTOCOL_MAX_BYTES,
  type WitnessRequest,
  type WitnessResponse,
} from './witness-protocol.ts';
