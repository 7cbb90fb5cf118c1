/**
 * X.509 for the certificate method of OMS: the signing certificate in a bundle must chain to a
 * certificate the verifier trusts, and may be used for signing.
 *
 * What is checked (the reference's `verify certificate`: OpenSSL's X509StoreContext with the user's PEM
 * certificates as the trust store and the bundle's further certificates as untrusted intermediates):
 *   1. every certificate parses (DER, at most MAX_CHAIN_CERTIFICATES in the bundle)  ERR_MALFORMED_CERTIFICATE
 *   2. a path leads from the leaf (the bundle's first certificate) through the bundle's other certificates
 *      to a trusted one: each issuer's subject is the child's issuer name, the issuer's key verifies the
 *      child's signature (ECDSA or RSA PKCS #1 v1.5, SHA-256/384/512), each issuer is a CA (basic
 *      constraints cA, keyCertSign when key usage is present, path length honoured), each certificate is
 *      valid at the leaf's notBefore — as the reference does (a signature outlives its certificate; OMS
 *      bundles of the certificate method carry no timestamp), no certificate carries a critical extension
 *      this code does not know                                                           ERR_UNTRUSTED_CERTIFICATE
 *   3. the leaf may sign: key usage digitalSignature, or extended key usage codeSigning; its key is
 *      ECDSA P-256/384/521                                                               ERR_UNTRUSTED_CERTIFICATE
 * Not checked: revocation (no CRL or OCSP — offline), name constraints, policies.
 */
import { ASN1Obj, X509Certificate } from '@sigstore/core';
import { sha256 } from '../../crypto/sha256.ts';
import { equalBytes, fromBase64, toHex } from '../../encoding/bytes.ts';
import { GovfedError } from '../../errors.ts';
import { type HashName, type PublicKey, parseSpki, verifySignature } from './keys.ts';

export interface ParsedCertificate {
  der: Uint8Array;
  cert: X509Certificate;
  key: PublicKey;
  /** OID of the algorithm the issuer signed this certificate with. */
  sigAlg: string;
  /** The extended key usage lists codeSigning. */
  codeSigning: boolean;
}

export interface ChainResult {
  key: PublicKey;
  /** The leaf's subject, e.g. `CN=signer`. */
  subject: string;
  /** Hex SHA-256 of the leaf's DER. */
  fingerprint: string;
  /** Subjects from the leaf up to the trusted certificate. */
  path: string[];
}

export const MAX_TRUSTED_CERTIFICATES = 256;
const MAX_PATH = 10;
const SIG_ALGS: Record<string, { kind: 'ec' | 'rsa'; hash: HashName }> = {
  '1.2.840.10045.4.3.2': { kind: 'ec', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ec', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ec', hash: 'sha512' },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
};
const KNOWN_EXTENSIONS = new Set([
  '2.5.29.14',
  '2.5.29.15',
  '2.5.29.17',
  '2.5.29.19',
  '2.5.29.32',
  '2.5.29.35',
  '2.5.29.37',
]);
const EKU_OID = '2.5.29.37';
const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const CN_OID = '2.5.4.3';
const CERT_RE = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;

/** Parses one DER certificate (attacker-controlled); any parse failure is ERR_MALFORMED_CERTIFICATE. */
export function parseCertificate(der: Uint8Array, what = 'certificate'): ParsedCertificate {
  try {
    const cert = X509Certificate.parse(Buffer.from(der));
    // Touch every field used later, so a truncated structure fails here and not deep inside a check.
    void cert.notBefore;
    void cert.notAfter;
    void cert.issuer;
    void cert.subject;
    void cert.tbsCertificate.toDER();
    void cert.signatureValue;
    for (const ext of cert.extensions) void (ext.subs[0] as ASN1Obj).toOID();
    const sigAlg = ((cert.root.subs[1] as ASN1Obj).subs[0] as ASN1Obj).toOID();
    const eku = cert.extension(EKU_OID);
    const codeSigning =
      eku === undefined ? false : (eku.valueObj.subs[0] as ASN1Obj).subs.some((o) => o.toOID() === CODE_SIGNING);
    return { der: new Uint8Array(der), cert, key: parseSpki(new Uint8Array(cert.publicKey)), sigAlg, codeSigning };
  } catch (cause) {
    if (cause instanceof GovfedError && cause.code === 'ERR_UNSUPPORTED_ALGORITHM') throw cause;
    throw new GovfedError('ERR_MALFORMED_CERTIFICATE', `${what}: not a well-formed X.509 certificate`, { cause });
  }
}

/** Every "CERTIFICATE" PEM block of `text` (the user's trust anchors), at least one. */
export function parseCertificatesPem(text: string): ParsedCertificate[] {
  if (typeof text !== 'string') throw new GovfedError('ERR_INVALID_INPUT', 'certificate chain: expected PEM text');
  const out: ParsedCertificate[] = [];
  for (const m of text.matchAll(CERT_RE)) {
    if (out.length >= MAX_TRUSTED_CERTIFICATES) {
      throw new GovfedError('ERR_MALFORMED_CERTIFICATE', `more than ${MAX_TRUSTED_CERTIFICATES} certificates`);
    }
    let der: Uint8Array;
    try {
      der = fromBase64((m[1] as string).replace(/[\r\n]/g, ''));
    } catch (cause) {
      throw new GovfedError('ERR_MALFORMED_CERTIFICATE', 'a PEM certificate block is not base64', { cause });
    }
    out.push(parseCertificate(der, `trusted certificate ${out.length + 1}`));
  }
  if (out.length === 0) throw new GovfedError('ERR_MALFORMED_CERTIFICATE', 'no "-----BEGIN CERTIFICATE-----" block');
  return out;
}

/** Steps 2 and 3: the leaf chains to `trusted` through `intermediates`, and may sign. */
export function verifyCertificateChain(
  leaf: ParsedCertificate,
  intermediates: readonly ParsedCertificate[],
  trusted: readonly ParsedCertificate[],
): ChainResult {
  const at = leaf.cert.notBefore;
  const path: ParsedCertificate[] = [leaf];
  let current = leaf;
  for (;;) {
    checkCertificate(current, at);
    if (trusted.some((t) => equalBytes(t.der, current.der))) break;
    if (path.length > MAX_PATH) untrusted(`no trusted certificate within ${MAX_PATH} steps`);
    const issuer =
      findIssuer(current, trusted, path) ?? findIssuer(current, intermediates, path) ?? untrusted(noIssuer(current));
    checkIssuer(issuer, path.length - 1);
    path.push(issuer);
    current = issuer;
  }
  checkSigningUse(leaf);
  return {
    key: leaf.key,
    subject: nameOf(leaf.cert.subject),
    fingerprint: toHex(sha256(leaf.der)),
    path: path.map((p) => nameOf(p.cert.subject)),
  };
}

function findIssuer(
  child: ParsedCertificate,
  pool: readonly ParsedCertificate[],
  path: readonly ParsedCertificate[],
): ParsedCertificate | undefined {
  return pool.find(
    (c) =>
      !path.some((p) => equalBytes(p.der, c.der)) &&
      equalBytes(c.cert.subject, child.cert.issuer) &&
      signedBy(child, c.key),
  );
}

function signedBy(child: ParsedCertificate, key: PublicKey): boolean {
  const alg = SIG_ALGS[child.sigAlg];
  if (alg === undefined || alg.kind !== key.kind) return false;
  return verifySignature(key, alg.hash, child.cert.tbsCertificate.toDER(), new Uint8Array(child.cert.signatureValue));
}

function checkCertificate(c: ParsedCertificate, at: Date): void {
  if (!c.cert.validForDate(at)) untrusted(`${nameOf(c.cert.subject)} is not valid at ${at.toISOString()}`);
  for (const ext of c.cert.extensions) {
    const oid = (ext.subs[0] as ASN1Obj).toOID();
    const critical = ext.subs.length === 3 && (ext.subs[1] as ASN1Obj).toBoolean();
    if (critical && !KNOWN_EXTENSIONS.has(oid))
      untrusted(`${nameOf(c.cert.subject)} has unknown critical extension ${oid}`);
  }
}

/** An issuer at `below` intermediates above the leaf: a CA allowed to sign certificates that deep. */
function checkIssuer(c: ParsedCertificate, below: number): void {
  const bc = c.cert.extBasicConstraints;
  if (bc === undefined || !bc.isCA) untrusted(`${nameOf(c.cert.subject)} is not a CA`);
  const ku = c.cert.extKeyUsage;
  if (ku !== undefined && !ku.keyCertSign) untrusted(`${nameOf(c.cert.subject)} may not sign certificates`);
  const max = bc.pathLenConstraint;
  if (max !== undefined && BigInt(below) > max) untrusted(`${nameOf(c.cert.subject)}: path length ${max} exceeded`);
}

function checkSigningUse(leaf: ParsedCertificate): void {
  if (leaf.key.kind !== 'ec') {
    throw new GovfedError('ERR_UNSUPPORTED_ALGORITHM', 'the signing certificate must hold an EC key');
  }
  if (leaf.cert.extKeyUsage?.digitalSignature === true) return;
  if (leaf.codeSigning) return;
  untrusted('the signing certificate allows neither digitalSignature nor codeSigning');
}

function noIssuer(c: ParsedCertificate): string {
  return `no trusted issuer for ${nameOf(c.cert.subject)} (issuer ${nameOf(c.cert.issuer)})`;
}

/** `CN=…` of a DER Name, else the hex of its first bytes (display only). */
export function nameOf(name: Buffer): string {
  try {
    const seq = ASN1Obj.parseBuffer(Buffer.concat([Buffer.of(0x30), derLength(name.length), name]));
    for (const rdn of seq.subs) {
      for (const atv of rdn.subs) {
        if ((atv.subs[0] as ASN1Obj).toOID() === CN_OID) return `CN=${(atv.subs[1] as ASN1Obj).value.toString('utf8')}`;
      }
    }
  } catch {
    // fall through: a name without a CN
  }
  return `name ${toHex(name.subarray(0, 16))}`;
}

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function untrusted(message: string): never {
  throw new GovfedError('ERR_UNTRUSTED_CERTIFICATE', message);
}
