/**
 * OpenSSF model signing (OMS v1.0) and model digests: what a model *is*, by its bytes, and who signed it.
 *
 * The model: a model directory's identity is its **digest** — SHA-256 over the SHA-256 digests of its
 * files in a fixed path order (digest.ts), printed `sha256:<hex>`. A **model signature** (`model.sig`, the
 * reference tool sigstore/model-transparency writes it) is a Sigstore bundle v0.3 (bundle.ts) whose DSSE
 * envelope carries an in-toto statement (statement.ts): one subject — the model's name and digest — and
 * the list of files with their digests. Verifying (verify.ts, a numbered checklist) means: the signature
 * is by the key or certificate the verifier trusts (keys.ts, x509.ts), the statement is well-formed, and
 * the files on disk are exactly the signed ones. Signing (sign.ts) writes the same shape, so the
 * reference tool verifies govfed's signatures and govfed verifies the reference's.
 *
 * Models behind an API have no bytes to hash: external.ts gives them an opaque digest of their name
 * `PROVIDER/MODEL@SNAPSHOT`.
 *
 * Everything here is pure (no file system): node/registry/model-files.ts walks and hashes a directory,
 * node/registry/model-keys.ts loads a PEM private key. Signatures for the lead's `model register`:
 *
 *   omsRootDigest(resources: OmsResource[]): string                       'sha256:<hex>'
 *   verifyOmsBundle(bundleBytes: Uint8Array, trust: OmsTrust, files: OmsResource[]): VerifiedOms
 *       → {digest, method, signer, statement, files, compatEncoding}; throws GovfedError (codes in verify.ts)
 *   openOmsBundle(bundleBytes, trust): OpenedOms; checkModelFiles(statement, files): number
 *   externalDigest({provider, model, snapshot}): {ref, digest, assurance: 'opaque'}
 *   parseExternalRef('PROVIDER/MODEL@SNAPSHOT'): {provider, model, snapshot}
 *   omsStatement({modelName, resources, ignorePaths}), signOmsStatement(statement, signer): string
 */
export {
  MAX_OMS_BUNDLE_BYTES,
  OMS_BUNDLE_MEDIA_TYPE,
  type OmsBundle,
  type OmsMaterial,
  parseOmsBundle,
} from './bundle.ts';
export {
  checkResourceName,
  compareResourceNames,
  DIGEST_PREFIX,
  formatDigest,
  type OmsResource,
  omsRootDigest,
  rootDigestInOrder,
} from './digest.ts';
export { type ExternalDigest, type ExternalModelRef, externalDigest, parseExternalRef } from './external.ts';
export { type PublicKey, parsePublicKeyPem, parseSpki, publicKeyHint, publicKeyPem } from './keys.ts';
export { type OmsSigningKey, type OmsStatementInput, omsStatement, signOmsStatement } from './sign.ts';
export {
  INTOTO_PAYLOAD_TYPE,
  MAX_OMS_RESOURCES,
  OMS_PREDICATE_TYPE,
  OMS_PREDICATE_TYPE_V02,
  type OmsStatement,
  parseOmsStatement,
} from './statement.ts';
export {
  checkModelFiles,
  isIgnored,
  ModelFileError,
  type OmsSigner,
  type OmsTrust,
  type OpenedOms,
  openOmsBundle,
  type VerifiedOms,
  verifyOmsBundle,
} from './verify.ts';
