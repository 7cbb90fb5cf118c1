/**
 * Making an OMS signature (key method) in the reference tool's shape, so `model_signing verify key` accepts
 * what govfed signs and govfed's verifier accepts what it signs.
 *
 *   omsStatement({modelName, resources, ignorePaths}) → the v1.0 in-toto statement (resources sorted,
 *       subject = {name: modelName, digest: {sha256: root}}, serialization files/sha256/no symlinks,
 *       ignore_paths only when there are some — as the reference writes them)
 *   signOmsStatement(statement, signer) → the bundle JSON text:
 *       {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
 *        "verificationMaterial": {"publicKey": {"hint": <publicKeyHint>}, "tlogEntries": []},
 *        "dsseEnvelope": {"payload": <b64 of the statement, JSON indented by 2 like protobuf's MessageToJson>,
 *                         "payloadType": "application/vnd.in-toto+json",
 *                         "signatures": [{"sig": <b64 DER ECDSA over PAE>, "keyid": ""}]}}
 *
 * The private key stays with the caller: `signer.sign(message)` returns a DER ECDSA signature over
 * `message` hashed with the hash of the key's size (SHA-256 for P-256, SHA-384 for P-384, SHA-512 for
 * P-521), and `signer.publicKey` is its SPKI (DER). node/registry/model-keys.ts makes one from a PEM file.
 */
import { pae } from '../../dsse/pae.ts';
import { toBase64, utf8 } from '../../encoding/bytes.ts';
import { GovfedError } from '../../errors.ts';
import { OMS_BUNDLE_MEDIA_TYPE } from './bundle.ts';
import { checkResourceName, compareResourceNames, type OmsResource, omsRootDigest } from './digest.ts';
import { ecHashOf, parseSpki, publicKeyHint, verifySignature } from './keys.ts';
import { INTOTO_PAYLOAD_TYPE, INTOTO_STATEMENT_TYPE, OMS_PREDICATE_TYPE } from './statement.ts';

export interface OmsSigningKey {
  /** SPKI (DER) of the EC public key. */
  publicKey: Uint8Array;
  /** DER ECDSA signature over `message` with the key's hash. */
  sign(message: Uint8Array): Uint8Array;
}

export interface OmsStatementInput {
  /** The model's name (the reference uses the directory's last component). */
  modelName: string;
  resources: readonly OmsResource[];
  /** Paths (relative to the model) the signer ignored; recorded so a verifier ignores them too. */
  ignorePaths?: readonly string[];
}

/** The v1.0 statement for a model's hashed files. */
export function omsStatement(input: OmsStatementInput): Record<string, unknown> {
  if (typeof input?.modelName !== 'string' || input.modelName.length === 0 || input.modelName.length > 1024) {
    throw new GovfedError('ERR_INVALID_INPUT', 'modelName: expected a non-empty string');
  }
  if (!Array.isArray(input.resources) || input.resources.length === 0) {
    throw new GovfedError('ERR_INVALID_INPUT', 'resources: a model signature needs at least one file');
  }
  const root = omsRootDigest(input.resources);
  const resources = [...input.resources]
    .sort((a, b) => compareResourceNames(a.name, b.name))
    .map((r) => ({ name: r.name, algorithm: 'sha256', digest: r.digest }));
  const ignorePaths = [...new Set((input.ignorePaths ?? []).map((p) => checkResourceName(p, 'ERR_INVALID_INPUT')))];
  if (ignorePaths.includes('.'))
    throw new GovfedError('ERR_INVALID_INPUT', 'ignorePaths: "." would ignore the whole model');
  const serialization: Record<string, unknown> = { method: 'files', hash_type: 'sha256', allow_symlinks: false };
  if (ignorePaths.length > 0) serialization.ignore_paths = ignorePaths;
  return {
    _type: INTOTO_STATEMENT_TYPE,
    subject: [{ name: input.modelName, digest: { sha256: root.slice('sha256:'.length) } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: { serialization, resources },
  };
}

/** Signs a statement into a bundle (JSON text, ending in a newline). Checks its own signature first. */
export function signOmsStatement(statement: Record<string, unknown>, signer: OmsSigningKey): string {
  const key = parseSpki(signer.publicKey);
  ecHashOf(key); // an EC key, or ERR_UNSUPPORTED_ALGORITHM
  const payload = utf8(JSON.stringify(statement, null, 2));
  const message = pae(INTOTO_PAYLOAD_TYPE, payload);
  const sig = signer.sign(message);
  if (!verifySignature(key, ecHashOf(key), message, sig)) {
    throw new GovfedError('ERR_BAD_SIGNATURE', 'the signer made a signature its public key does not verify');
  }
  const bundle = {
    mediaType: OMS_BUNDLE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: publicKeyHint(key.spki) }, tlogEntries: [] },
    dsseEnvelope: {
      payload: toBase64(payload),
      payloadType: INTOTO_PAYLOAD_TYPE,
      signatures: [{ sig: toBase64(sig), keyid: '' }],
    },
  };
  return `${JSON.stringify(bundle, null, 2)}\n`;
}
