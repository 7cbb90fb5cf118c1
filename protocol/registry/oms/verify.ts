/**
 * Verifying an OpenSSF model signature (OMS) against a model's files: a checklist, each step throwing a
 * GovfedError with a code or returning what it proved.
 *
 *   1. bundle      the file is a Sigstore bundle v0.3 with one DSSE signature   ERR_MALFORMED_OMS_BUNDLE
 *                  (bounded, strict JSON, exact fields)
 *   2. method      not keyless: a Fulcio certificate needs the Sigstore public-  ERR_KEYLESS_UNSUPPORTED
 *                  good trust root, which govfed does not carry
 *   3. signer      key: the PEM EC key the verifier gives; when the bundle has a   ERR_INVALID_KEY, ERR_UNKNOWN_KEY,
 *                  hint, it is that key's.  certificate: the bundle's leaf chains  ERR_MALFORMED_CERTIFICATE,
 *                  to the verifier's PEM certificates and may sign (x509.ts)        ERR_UNTRUSTED_CERTIFICATE
 *   4. signature   ECDSA over PAE(payloadType, payload) with the key's hash; the   ERR_BAD_SIGNATURE
 *                  pre-1.0 encoding is accepted as the reference does (pae-compat)
 *   5. statement   payloadType in-toto, Statement v1, predicate OMS v1.0 (or the   ERR_PAYLOAD_TYPE_MISMATCH,
 *                  v0.2 layout), one subject whose digest is the resources' root    ERR_PREDICATE_TYPE_MISMATCH,
 *                                                                                   ERR_MALFORMED_STATEMENT, …
 *   6. files       the model's files, less the paths the signature ignores, are    ERR_MODEL_FILE_CHANGED,
 *                  exactly the signed resources with the same digests               ERR_MODEL_FILE_MISSING,
 *                                                                                   ERR_MODEL_FILE_UNSIGNED
 *
 *   verifyOmsBundle(bundleBytes, trust, files) → VerifiedOms       all six steps
 *   openOmsBundle(bundleBytes, trust) → OpenedOms                  steps 1–5 (then hash the model with the
 *   checkModelFiles(opened.statement, files)                       statement's ignorePaths, then step 6)
 *
 * `files` are the model's files as node/registry/model-files.ts hashModelDir lists them: every regular file,
 * path relative to the model, SHA-256. The result names the model digest (`sha256:<hex>`) the signer signed.
 * What this does NOT prove: who the key or certificate belongs to beyond what the verifier trusts; that the
 * model is safe; anything about a transparency log (tlog entries in the bundle are not checked).
 */
import { pae } from '../../dsse/pae.ts';
import { GovfedError } from '../../errors.ts';
import { type OmsBundle, parseOmsBundle } from './bundle.ts';
import { checkResources, type OmsResource } from './digest.ts';
import { ecHashOf, type PublicKey, parsePublicKeyPem, publicKeyHint, verifySignature } from './keys.ts';
import { paeCompat } from './pae-compat.ts';
import { INTOTO_PAYLOAD_TYPE, type OmsStatement, parseOmsStatement } from './statement.ts';
import { parseCertificate, parseCertificatesPem, verifyCertificateChain } from './x509.ts';

/** Whom the verifier trusts: a PEM EC public key, or PEM CA certificate(s). */
export type OmsTrust = { method: 'key'; publicKey: string } | { method: 'certificate'; certificateChain: string };

export type OmsSigner =
  | { method: 'key'; keyHint: string; curve: string }
  | { method: 'certificate'; subject: string; fingerprint: string; path: string[]; curve: string };

export interface OpenedOms {
  statement: OmsStatement;
  signer: OmsSigner;
  /** True when the signature is over the pre-1.0 encoding (pae-compat.ts). */
  compatEncoding: boolean;
}

export interface VerifiedOms extends OpenedOms {
  /** `sha256:<hex>`: the model digest the signer signed. */
  digest: string;
  method: 'key' | 'certificate';
  /** How many files were checked. */
  files: number;
}

/** A model file that does not match the signature; `file` names it (relative to the model). */
export class ModelFileError extends GovfedError<
  'ERR_MODEL_FILE_CHANGED' | 'ERR_MODEL_FILE_MISSING' | 'ERR_MODEL_FILE_UNSIGNED'
> {
  readonly file: string;
  constructor(code: ModelFileError['code'], file: string, message: string) {
    super(code, message);
    this.file = file;
  }
}

/** Steps 1–6. */
export function verifyOmsBundle(bundleBytes: Uint8Array, trust: OmsTrust, files: readonly OmsResource[]): VerifiedOms {
  const opened = openOmsBundle(bundleBytes, trust);
  const checked = checkModelFiles(opened.statement, files);
  return { ...opened, digest: opened.statement.digest, method: opened.signer.method, files: checked };
}

/** Steps 1–5: the signature is good and the statement well-formed; the files are not looked at. */
export function openOmsBundle(bundleBytes: Uint8Array, trust: OmsTrust): OpenedOms {
  const bundle = parseOmsBundle(bundleBytes);
  if (bundle.material.kind === 'certificate') {
    throw new GovfedError(
      'ERR_KEYLESS_UNSUPPORTED',
      'unsupported: keyless needs a trust root (a Sigstore keyless bundle is checked against the Sigstore public-good ' +
        'trust root and Rekor, which govfed does not carry offline); verify it with the reference tool',
    );
  }
  const { key, signer } = checkSigner(bundle, trust);
  const compatEncoding = checkSignature(bundle, key, trust.method);
  if (bundle.payloadType !== INTOTO_PAYLOAD_TYPE) {
    throw new GovfedError(
      'ERR_PAYLOAD_TYPE_MISMATCH',
      `payloadType ${JSON.stringify(bundle.payloadType)}, expected ${JSON.stringify(INTOTO_PAYLOAD_TYPE)}`,
    );
  }
  return { statement: parseOmsStatement(bundle.payload), signer, compatEncoding };
}

// ---- 3. signer ----

function checkSigner(bundle: OmsBundle, trust: OmsTrust): { key: PublicKey; signer: OmsSigner } {
  if (trust?.method === 'key') {
    const key = parsePublicKeyPem(trust.publicKey);
    const curve = curveOf(key);
    const keyHint = publicKeyHint(key.spki);
    if (
      bundle.material.kind === 'publicKey' &&
      bundle.material.hint !== undefined &&
      bundle.material.hint !== keyHint
    ) {
      throw new GovfedError('ERR_UNKNOWN_KEY', 'the bundle was signed by another key (its key hint is not this key)');
    }
    return { key, signer: { method: 'key', keyHint, curve } };
  }
  if (trust?.method === 'certificate') {
    const trusted = parseCertificatesPem(trust.certificateChain);
    if (bundle.material.kind !== 'x509CertificateChain') {
      throw new GovfedError(
        'ERR_UNTRUSTED_CERTIFICATE',
        'the bundle carries no certificate chain (it was signed with a key)',
      );
    }
    const [leaf, ...rest] = bundle.material.certificates.map((der, i) =>
      parseCertificate(der, `bundle certificate ${i + 1}`),
    );
    const chain = verifyCertificateChain(leaf as ReturnType<typeof parseCertificate>, rest, trusted);
    const { subject, fingerprint, path } = chain;
    return { key: chain.key, signer: { method: 'certificate', subject, fingerprint, path, curve: curveOf(chain.key) } };
  }
  throw new GovfedError(
    'ERR_INVALID_INPUT',
    "trust: expected {method: 'key', publicKey} or {method: 'certificate', certificateChain}",
  );
}

function curveOf(key: PublicKey): string {
  if (key.kind !== 'ec') throw new GovfedError('ERR_UNSUPPORTED_ALGORITHM', 'an OMS signing key must be an EC key');
  return key.curve;
}

// ---- 4. signature ----

/** True when only the pre-1.0 encoding verifies (the reference's two fallbacks, per method). */
function checkSignature(bundle: OmsBundle, key: PublicKey, method: OmsTrust['method']): boolean {
  const hash = ecHashOf(key);
  if (verifySignature(key, hash, pae(bundle.payloadType, bundle.payload), bundle.signature)) return false;
  // v0.2 signed the Python repr of the payload; its certificate signer also hashed with SHA-256 whatever the curve.
  const compat = paeCompat(bundle.payloadType, bundle.payload);
  if (verifySignature(key, method === 'certificate' ? 'sha256' : hash, compat, bundle.signature)) return true;
  throw new GovfedError('ERR_BAD_SIGNATURE', 'the bundle signature does not verify under the signer key');
}

// ---- 6. files ----

/** Step 6: `files` less the statement's ignored paths are exactly its resources. Returns how many matched. */
export function checkModelFiles(statement: OmsStatement, files: readonly OmsResource[]): number {
  if (!Array.isArray(files)) throw new GovfedError('ERR_INVALID_INPUT', 'files: expected an array');
  checkResources(files, 'ERR_INVALID_INPUT');
  const actual = new Map(files.filter((f) => !isIgnored(f.name, statement.ignorePaths)).map((f) => [f.name, f.digest]));
  const expected = new Map(statement.resources.map((r) => [r.name, r.digest]));
  for (const [name, digest] of [...expected].sort(byName)) {
    const got = actual.get(name);
    if (got === undefined)
      throw new ModelFileError('ERR_MODEL_FILE_MISSING', name, `signed file ${JSON.stringify(name)} is missing`);
    if (got !== digest) {
      throw new ModelFileError(
        'ERR_MODEL_FILE_CHANGED',
        name,
        `file ${JSON.stringify(name)} changed: sha256 ${got}, signed ${digest}`,
      );
    }
  }
  for (const [name] of [...actual].sort(byName)) {
    if (!expected.has(name)) {
      throw new ModelFileError(
        'ERR_MODEL_FILE_UNSIGNED',
        name,
        `file ${JSON.stringify(name)} is not covered by the signature`,
      );
    }
  }
  return expected.size;
}

/** `name` is an ignored path or lies below one. */
export function isIgnored(name: string, ignorePaths: readonly string[]): boolean {
  return ignorePaths.some((p) => name === p || name.startsWith(`${p}/`));
}

function byName(a: [string, string], b: [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}
