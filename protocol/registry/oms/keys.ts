/**
 * Public keys and signature algorithms of OMS signatures, pinned in one place.
 *
 * Keys are X.509 SubjectPublicKeyInfo (SPKI, DER; in PEM as "PUBLIC KEY"). Supported:
 *   - ECDSA on P-256, P-384, P-521 (what the reference tool accepts) — the signer's key. An OMS
 *     signature by such a key hashes with the hash of the key's size (SHA-256 / SHA-384 / SHA-512, as
 *     the reference's get_ec_key_hash), the signature is DER (r, s); high-S values are accepted, since
 *     the signers (OpenSSL, cryptography) do not normalise them.
 *   - RSA, PKCS #1 v1.5 with SHA-256/384/512 — only as a certificate issuer (the vectors' CAs are RSA).
 * The math is pure JavaScript: @noble/curves for ECDSA, BigInt modular exponentiation for RSA (a public-
 * key operation: nothing secret to leak through timing). DER is read with @sigstore/core's ASN.1 parser.
 *
 * The key hint of a bundle (`verificationMaterial.publicKey.hint`) is the lowercase hex SHA-256 of the
 * key's canonical PEM: "-----BEGIN PUBLIC KEY-----\n", base64 of the DER in 64-character lines,
 * "-----END PUBLIC KEY-----\n" — the bytes the reference's `public_bytes(PEM, SubjectPublicKeyInfo)` gives.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { ASN1Obj } from '@sigstore/core';
import { concatBytes, equalBytes, fromBase64, fromHex, toBase64, toHex, utf8 } from '../../encoding/bytes.ts';
import { GovfedError } from '../../errors.ts';

export type HashName = 'sha256' | 'sha384' | 'sha512';

export type PublicKey =
  | { kind: 'ec'; curve: 'P-256' | 'P-384' | 'P-521'; point: Uint8Array; spki: Uint8Array }
  | { kind: 'rsa'; n: bigint; e: bigint; spki: Uint8Array };

const EC_OID = '1.2.840.10045.2.1';
const RSA_OID = '1.2.840.113549.1.1.1';
const CURVES = {
  '1.2.840.10045.3.1.7': { name: 'P-256', impl: p256, hash: 'sha256' },
  '1.3.132.0.34': { name: 'P-384', impl: p384, hash: 'sha384' },
  '1.3.132.0.35': { name: 'P-521', impl: p521, hash: 'sha512' },
} as const;
const CURVE_BY_NAME = Object.fromEntries(Object.values(CURVES).map((c) => [c.name, c]));
const HASHES: Record<HashName, (m: Uint8Array) => Uint8Array> = { sha256, sha384, sha512 };
/** DER DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1). */
const DIGEST_INFO: Record<HashName, Uint8Array> = {
  sha256: fromHex('3031300d060960864801650304020105000420'),
  sha384: fromHex('3041300d060960864801650304020205000430'),
  sha512: fromHex('3051300d060960864801650304020305000440'),
};
const MAX_PEM_CHARS = 64 * 1024;
const PEM_RE = /-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END PUBLIC KEY-----/;

/** The first "PUBLIC KEY" PEM block of `text` (text around it is allowed, as OpenSSL allows). */
export function parsePublicKeyPem(text: string): PublicKey {
  if (typeof text !== 'string' || text.length > MAX_PEM_CHARS) invalid('expected a PEM public key of at most 64 KiB');
  const m = PEM_RE.exec(text);
  if (m === null) invalid('no "-----BEGIN PUBLIC KEY-----" block');
  let der: Uint8Array;
  try {
    der = fromBase64((m[1] as string).replace(/[\r\n]/g, ''));
  } catch (cause) {
    invalid('the PEM block is not base64', cause);
  }
  return parseSpki(der);
}

/** An SPKI (DER) of an EC or RSA key; anything else is ERR_INVALID_KEY / ERR_UNSUPPORTED_ALGORITHM. */
export function parseSpki(der: Uint8Array): PublicKey {
  let alg: string;
  let param: ASN1Obj | undefined;
  let bits: Uint8Array;
  try {
    const spki = ASN1Obj.parseBuffer(Buffer.from(der));
    const algId = spki.subs[0] as ASN1Obj;
    alg = (algId.subs[0] as ASN1Obj).toOID();
    param = algId.subs[1];
    const bitString = (spki.subs[1] as ASN1Obj).value;
    if (spki.subs.length !== 2 || bitString[0] !== 0) throw new Error('bad SubjectPublicKeyInfo');
    bits = new Uint8Array(bitString.subarray(1));
  } catch (cause) {
    invalid('not a DER SubjectPublicKeyInfo', cause);
  }
  if (alg === EC_OID) {
    let curveOid = '';
    try {
      curveOid = (param as ASN1Obj).toOID();
    } catch (cause) {
      invalid('EC key without a named curve', cause);
    }
    const curve = CURVES[curveOid as keyof typeof CURVES];
    if (curve === undefined) unsupported(`EC curve ${curveOid}: only P-256, P-384 and P-521`);
    try {
      curve.impl.Point.fromBytes(bits).assertValidity();
    } catch (cause) {
      invalid(`not a point on ${curve.name}`, cause);
    }
    return { kind: 'ec', curve: curve.name, point: bits, spki: new Uint8Array(der) };
  }
  if (alg === RSA_OID) {
    try {
      const key = ASN1Obj.parseBuffer(Buffer.from(bits));
      const n = (key.subs[0] as ASN1Obj).toInteger();
      const e = (key.subs[1] as ASN1Obj).toInteger();
      if (n <= 0n || e <= 1n || n.toString(2).length < 2048) throw new Error('RSA modulus below 2048 bits');
      return { kind: 'rsa', n, e, spki: new Uint8Array(der) };
    } catch (cause) {
      invalid('not a usable RSA public key (2048 bits or more)', cause);
    }
  }
  unsupported(`key algorithm ${alg}: only EC (P-256/384/521) and RSA`);
}

/** The canonical PEM text of an SPKI (the reference's key serialisation). */
export function publicKeyPem(spki: Uint8Array): string {
  const b64 = toBase64(spki);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/** hex SHA-256 of publicKeyPem(spki): the bundle's publicKey hint. */
export function publicKeyHint(spki: Uint8Array): string {
  return toHex(sha256(utf8(publicKeyPem(spki))));
}

/** The hash an OMS signature by an EC key uses: the one of the key's size. */
export function ecHashOf(key: PublicKey): HashName {
  if (key.kind !== 'ec') unsupported('an OMS signing key must be an EC key');
  return (CURVE_BY_NAME[key.curve] as (typeof CURVES)[keyof typeof CURVES]).hash;
}

/** Verifies `sig` (ECDSA: DER; RSA: PKCS #1 v1.5) over `message` hashed with `hash`. Never throws. */
export function verifySignature(key: PublicKey, hash: HashName, message: Uint8Array, sig: Uint8Array): boolean {
  const digest = HASHES[hash](message);
  try {
    if (key.kind === 'ec') {
      const curve = CURVE_BY_NAME[key.curve] as (typeof CURVES)[keyof typeof CURVES];
      return curve.impl.verify(sig, digest, key.point, { prehash: false, format: 'der', lowS: false });
    }
    return verifyRsaPkcs1(key, hash, digest, sig);
  } catch {
    return false;
  }
}

function verifyRsaPkcs1(key: { n: bigint; e: bigint }, hash: HashName, digest: Uint8Array, sig: Uint8Array): boolean {
  const k = Math.ceil(key.n.toString(16).length / 2);
  if (sig.length !== k) return false;
  const s = BigInt(`0x${toHex(sig) || '0'}`);
  if (s >= key.n) return false;
  const em = fromHex(
    modPow(s, key.e, key.n)
      .toString(16)
      .padStart(2 * k, '0'),
  );
  const t = concatBytes(DIGEST_INFO[hash], digest);
  if (k < t.length + 11) return false;
  const expected = concatBytes(Uint8Array.of(0, 1), new Uint8Array(k - t.length - 3).fill(0xff), Uint8Array.of(0), t);
  return equalBytes(em, expected);
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let result = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return result;
}

function invalid(message: string, cause?: unknown): never {
  throw new GovfedError('ERR_INVALID_KEY', message, cause === undefined ? undefined : { cause });
}

function unsupported(message: string): never {
  throw new GovfedError('ERR_UNSUPPORTED_ALGORITHM', message);
}
