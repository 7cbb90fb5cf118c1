/**
 * Ed25519 for govfed: the one place where signature semantics are pinned.
 *
 * Verification is **strict RFC 8032 / FIPS 186-5 with the cofactorless equation**, the rules of Go's
 * crypto/ed25519 and OpenSSL: S must be < L; A and R must be canonical encodings (y < p) of curve
 * points; A and R must not be of small order; and [S]B - [k]A must equal R exactly (cofactorless), with
 * k = SHA-512(R || A || M) mod L. @noble/ed25519 decodes the points strictly (`zip215: false`), but its
 * equation is the cofactored one ([8][S]B = [8]R + [8][k]A), which accepts signatures whose R carries
 * a small-order component — Go and OpenSSL reject those. We therefore evaluate the cofactorless
 * equation ourselves on noble's point arithmetic (tested against node:crypto in the tests).
 *
 * Why strict and not ZIP-215: govfed counts signatures towards thresholds (charters, policy bundles,
 * cosignatures) and third parties re-verify them with other implementations — Go's crypto/ed25519
 * (used by the C2SP reference code), OpenSSL via Node's crypto, sigstore. Every signature that the
 * strict rules accept is accepted by those verifiers and by ZIP-215 ones too, so a threshold that one
 * govfed node counts as met is met for every verifier. ZIP-215 would accept signatures that strict
 * verifiers reject (non-canonical points, small-order keys), which would let nodes disagree.
 * Signing is deterministic (RFC 8032), so signatures over the same message are byte-identical.
 *
 * Speed: the equation on noble's pure-JS points costs about a millisecond. A host may build a verifier
 * with a faster implementation of *the equation only* — strictVerifier(equation); node/crypto builds
 * one on OpenSSL (node:crypto) once and injects it — and every strictness rule above is still checked
 * here first: S < L; A canonical, on the curve and not of small order; R not one of the eight
 * small-order points; and an equation that compares the recomputed R's canonical encoding with R's
 * bytes (as OpenSSL's does) rejects every non-canonical or off-curve R by itself. There is no
 * process-wide switch: `verify` below is always the pure path, and every protocol function that
 * verifies Ed25519 takes an optional `{ verify?: Ed25519Verify }` (VerifyOptions) to use another
 * verifier built here. The tests run every verify vector through both verifiers.
 */
import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { assertBytes, concatBytes } from '../encoding/bytes.ts';
import { GovfedError } from '../errors.ts';

ed.hashes.sha512 = sha512;

/** The verification mode, stated once. */
export const VERIFY_OPTIONS = { zip215: false } as const;

export const PUBLIC_KEY_LENGTH = 32;
export const SEED_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

export interface KeyPair {
  /** The 32-byte RFC 8032 private key (seed). Secret. */
  seed: Uint8Array;
  publicKey: Uint8Array;
}

/** A new key pair from a CSPRNG (globalThis.crypto.getRandomValues). */
export function generateKeyPair(): KeyPair {
  const seed = ed.utils.randomSecretKey();
  return { seed, publicKey: ed.getPublicKey(seed) };
}

/** The key pair for a given 32-byte seed. */
export function keyPairFromSeed(seed: Uint8Array): KeyPair {
  assertBytes(seed, SEED_LENGTH, 'ed25519 seed');
  return { seed: Uint8Array.from(seed), publicKey: ed.getPublicKey(seed) };
}

/**
 * An Ed25519 signing function: RFC 8032 signatures are deterministic, so any correct one (node/crypto's
 * on OpenSSL) gives the same bytes as `sign` below; signers that sign often take one injected.
 */
export type Ed25519Sign = (message: Uint8Array, seed: Uint8Array) => Uint8Array;

export function sign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  assertBytes(message, undefined, 'message');
  assertBytes(seed, SEED_LENGTH, 'ed25519 seed');
  return ed.sign(message, seed);
}

/**
 * The cofactorless check [S]B = R + [k]A for a signature whose S < L, whose A passed the strict checks and
 * whose R is not a small-order point; must compare R byte for byte with the canonical encoding of
 * [S]B − [k]A. Returns false rather than throwing.
 */
export type VerifyEquation = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * A strict RFC 8032 Ed25519 verifier (the semantics pinned at the top). Returns false for any invalid
 * signature, including malformed lengths and points: attacker-controlled input never throws.
 */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/** The one option shape by which protocol functions that verify Ed25519 take an injected verifier. */
export interface VerifyOptions {
  /** A verifier from strictVerifier (default: `verify`, the pure path). */
  readonly verify?: Ed25519Verify | undefined;
}

/**
 * A strict verifier whose cofactorless equation is `equation` (default: evaluated on @noble/ed25519's
 * points). Every strictness rule is checked here before the equation is called, so any `equation`
 * meeting VerifyEquation's contract gives exactly the same accept/reject as the pure path.
 */
export function strictVerifier(equation?: VerifyEquation): Ed25519Verify {
  return (signature, message, publicKey) => {
    if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) return false;
    if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) return false;
    if (!(message instanceof Uint8Array)) return false;
    try {
      return verifyCofactorless(signature, message, publicKey, equation);
    } catch {
      return false;
    }
  };
}

/** Strict RFC 8032 verification on the pure path: the default wherever no verifier is injected. */
export const verify: Ed25519Verify = strictVerifier();

/** The canonical encodings of the eight points of small order (orders 1, 2, 4 and 8). */
const SMALL_ORDER_ENCODINGS = new Set([
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
]);

/**
 * Public keys that passed (true) or failed (false) the strict point checks; bounded. A module-level
 * memo, but not state that can change a result: the value stored for a key is a pure function of the
 * key's 32 bytes (the same check recomputed gives the same answer), whoever fills it; clearing it when
 * full only costs a recomputation.
 */
const keyChecks = new Map<string, boolean>();
const MAX_CACHED_KEYS = 4096;

function hexOf(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** A is a canonical encoding of a curve point that is not of small order (cached per key). */
function strictKey(publicKey: Uint8Array): boolean {
  const h = hexOf(publicKey);
  const known = keyChecks.get(h);
  if (known !== undefined) return known;
  let ok: boolean;
  try {
    ok = !ed.Point.fromBytes(publicKey, VERIFY_OPTIONS.zip215).isSmallOrder();
  } catch {
    ok = false;
  }
  if (keyChecks.size >= MAX_CACHED_KEYS) keyChecks.clear();
  keyChecks.set(h, ok);
  return ok;
}

/** The group order L of the Ed25519 base point. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function bytesToNumberLE(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i] as number);
  return n;
}

/** RFC 8032 §5.1.7 with the cofactorless check ([S]B = R + [k]A), strict decoding, no small-order A or R. */
function verifyCofactorless(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  equation: VerifyEquation | undefined,
): boolean {
  const rBytes = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32, 64));
  if (s >= L) return false;
  if (equation !== undefined) {
    if (!strictKey(publicKey) || SMALL_ORDER_ENCODINGS.has(hexOf(rBytes))) return false;
    return equation(signature, message, publicKey);
  }
  const A = ed.Point.fromBytes(publicKey, VERIFY_OPTIONS.zip215); // throws on non-canonical / off-curve
  const R = ed.Point.fromBytes(rBytes, VERIFY_OPTIONS.zip215);
  if (A.isSmallOrder() || R.isSmallOrder()) return false;
  const k = bytesToNumberLE(sha512(concatBytes(rBytes, publicKey, message))) % L;
  // [S]B - [k]A, compared with R exactly (no multiplication by the cofactor).
  const sB = s === 0n ? ed.Point.ZERO : ed.Point.BASE.multiplyUnsafe(s);
  const kA = k === 0n ? ed.Point.ZERO : A.multiplyUnsafe(k);
  return sB.subtract(kA).equals(R);
}

/** Like verify, but throws ERR_BAD_SIGNATURE. */
export function assertSignature(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  what: string,
  opts: VerifyOptions = {},
): void {
  if (!(opts.verify ?? verify)(signature, message, publicKey)) {
    throw new GovfedError('ERR_BAD_SIGNATURE', `${what}: signature does not verify`);
  }
}

/** Validates a 32-byte public key encoding (canonical point, not small order). */
export function assertPublicKey(publicKey: unknown, what = 'public key'): asserts publicKey is Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== PUBLIC_KEY_LENGTH) {
    throw new GovfedError('ERR_INVALID_KEY', `${what}: expected 32-byte Ed25519 public key`);
  }
  // The same strict point checks as verification, memoised per key (strictKey): members' keys are
  // checked on every charter and every gossip message, and decompressing a point in pure JS is not free.
  if (!strictKey(publicKey)) {
    throw new GovfedError(
      'ERR_INVALID_KEY',
      `${what}: not a valid Ed25519 public key (not canonical, not on the curve, or of small order)`,
    );
  }
}
