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
  /** The DER-encoded tbsCertificate: what the issuer signed. */
  tbs: Uint8Array;
  signature: Uint8Array;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** OIDs of the extensions marked critical. */
  critical: string[];
  /** Basic constraints: cA, and the path length limit when set. */
  isCA: boolean;
  pathLen: bigint | undefined;
  /** Key usage bits, undefined when the extension is absent. */
  keyCertSign: boolean | undefined;
  digitalSignature: boolean | undefined;
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

const TAG_SEQUENCE = 0x30;
const TAG_BIT_STRING = 0x03;
const TAG_NULL = 0x05;

/** Parses one DER certificate (attacker-controlled); any parse failure is ERR_MALFORMED_CERTIFICATE. */
export function parseCertificate(der: Uint8Array, what = 'certificate'): ParsedCertificate {
  try {
    const cert = X509Certificate.parse(Buffer.from(der));
    // The outer structure is not covered by the issuer's signature: hold it to DER exactly, so one
    // certificate has one accepted encoding. Every field used later is read here, inside the try.
    const [tbsObj, algObj, sigObj] = cert.root.subs as [ASN1Obj, ASN1Obj, ASN1Obj];
    if (tagOf(cert.root) !== TAG_SEQUENCE || cert.root.subs.length !== 3) throw new Error('not a Certificate SEQUENCE');
    if (cert.root.toDER().length !== der.length) throw new Error('bytes after the certificate');
    if (tagOf(tbsObj) !== TAG_SEQUENCE || tagOf(algObj) !== TAG_SEQUENCE) throw new Error('not a SEQUENCE');
    const params = algObj.subs.slice(1);
    if (
      params.length > 1 ||
      (params.length === 1 && (tagOf(params[0] as ASN1Obj) !== TAG_NULL || (params[0] as ASN1Obj).value.length !== 0))
    ) {
      throw new Error('signature algorithm parameters must be absent or NULL');
    }
    if (tagOf(sigObj) !== TAG_BIT_STRING || sigObj.value[0] !== 0)
      throw new Error('signature is not a whole-byte BIT STRING');
    const innerAlg = tbsObj.subs.find((o, i) => i <= 2 && tagOf(o) === TAG_SEQUENCE);
    if (innerAlg === undefined || !innerAlg.toDER().equals(algObj.toDER()))
      throw new Error('inner and outer signature algorithms differ');
    const notBefore = cert.notBefore;
    const notAfter = cert.notAfter;
    if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) throw new Error('bad validity time');
    const critical: string[] = [];
    for (const ext of cert.extensions) {
      const oid = (ext.subs[0] as ASN1Obj).toOID();
      if (ext.subs.length === 3 && (ext.subs[1] as ASN1Obj).toBoolean()) critical.push(oid);
    }
    const bc = cert.extBasicConstraints;
    const ku = cert.extKeyUsage;
    const eku = cert.extension(EKU_OID);
    return {
      der: new Uint8Array(der),
      cert,
      key: parseSpki(new Uint8Array(cert.publicKey)),
      sigAlg: (algObj.subs[0] as ASN1Obj).toOID(),
      tbs: new Uint8Array(cert.tbsCertificate.toDER()),
      signature: new Uint8Array(cert.signatureValue),
      issuer: new Uint8Array(cert.issuer),
      subject: new Uint8Array(cert.subject),
      notBefore,
      notAfter,
      critical,
      isCA: bc?.isCA ?? false,
      pathLen: bc?.pathLenConstraint,
      keyCertSign: ku?.keyCertSign,
      digitalSignature: ku?.digitalSignature,
      codeSigning:
        eku === undefined ? false : (eku.valueObj.subs[0] as ASN1Obj).subs.some((o) => o.toOID() === CODE_SIGNING),
    };
  } catch (cause) {
    if (cause instanceof GovfedError && cause.code === 'ERR_UNSUPPORTED_ALGORITHM') throw cause;
    throw new GovfedError('ERR_MALFORMED_CERTIFICATE', `${what}: not a well-formed X.509 certificate`, { cause });
  }
}

/** The identifier octet of a parsed object (class, constructed bit, tag number). */
function tagOf(o: ASN1Obj): number {
  return o.toDER()[0] as number;
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
  const at = leaf.notBefore;
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
    subject: nameOf(leaf.subject),
    fingerprint: toHex(sha256(leaf.der)),
    path: path.map((p) => nameOf(p.subject)),
  };
}

function findIssuer(
  child: ParsedCertificate,
  pool: readonly ParsedCertificate[],
  path: readonly ParsedCertificate[],
): ParsedCertificate | undefined {
  return pool.find(
    (c) => !path.some((p) => equalBytes(p.der, c.der)) && equalBytes(c.subject, child.issuer) && signedBy(child, c.key),
  );
}

function signedBy(child: ParsedCertificate, key: PublicKey): boolean {
  const alg = SIG_ALGS[child.sigAlg];
  if (alg === undefined || alg.kind !== key.kind) return false;
  return verifySignature(key, alg.hash, child.tbs, child.signature);
}

function checkCertificate(c: ParsedCertificate, at: Date): void {
  if (c.notBefore > at || at > c.notAfter) untrusted(`${nameOf(c.subject)} is not valid at ${at.toISOString()}`);
  const unknown = c.critical.find((oid) => !KNOWN_EXTENSIONS.has(oid));
  if (unknown !== undefined) untrusted(`${nameOf(c.subject)} has unknown critical extension ${unknown}`);
}

/** An issuer at `below` intermediates above the leaf: a CA allowed to sign certificates that deep. */
function checkIssuer(c: ParsedCertificate, below: number): void {
  if (!c.isCA) untrusted(`${nameOf(c.subject)} is not a CA`);
  if (c.keyCertSign === false) untrusted(`${nameOf(c.subject)} may not sign certificates`);
  if (c.pathLen !== undefined && BigInt(below) > c.pathLen) {
    untrusted(`${nameOf(c.subject)}: path length ${c.pathLen} exceeded`);
  }
}

function checkSigningUse(leaf: ParsedCertificate): void {
  if (leaf.key.kind !== 'ec') {
    throw new GovfedError('ERR_UNSUPPORTED_ALGORITHM', 'the signing certificate must hold an EC key');
  }
  if (leaf.digitalSignature === true || leaf.codeSigning) return;
  untrusted('the signing certificate allows neither digitalSignature nor codeSigning');
}

function noIssuer(c: ParsedCertificate): string {
  return `no trusted issuer for ${nameOf(c.subject)} (issuer ${nameOf(c.issuer)})`;
}

/** `CN=…` of a DER Name, else the hex of its first bytes (display only). */
export function nameOf(name: Uint8Array): string {
  try {
    const seq = ASN1Obj.parseBuffer(Buffer.concat([Buffer.of(0x30), derLength(name.length), Buffer.from(name)]));
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
