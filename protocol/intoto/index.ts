/**
 * in-toto attestations (github.com/in-toto/attestation, spec v1): signed claims about artifacts.
 *
 * The model has three layers. A Statement names its subjects — artifacts identified by digest, e.g.
 * {"sha256": "<hex>"} — and says what kind of claim it makes (`predicateType`, a URI); the
 * Predicate holds the claim itself. The statement travels as the payload of a DSSE envelope of type
 * application/vnd.in-toto+json, so its signatures bind both the claim and the subjects it is about.
 *
 * govfed serialises statements as RFC 8785 canonical JSON and only parses that form. Verification
 * is the DSSE threshold check first (payload type pinned), then the strict statement parse, then
 * the caller's expectations: the predicate type and the digests of the artifacts it holds in hand.
 * A statement proves who claimed something about which bytes — not that the claim is true.
 */
export {
  type DigestSet,
  INTOTO_PAYLOAD_TYPE,
  MAX_STATEMENT_BYTES,
  makeStatement,
  parseStatement,
  type ResourceDescriptor,
  STATEMENT_TYPE,
  type Statement,
  signStatement,
  statementBytes,
  subjectForBytes,
  type VerifiedStatement,
  type VerifyStatementOptions,
  verifyStatement,
} from './statement.ts';
